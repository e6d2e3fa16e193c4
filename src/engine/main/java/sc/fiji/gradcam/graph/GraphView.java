package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** A read-only view of a top-level GraphDef: nodes by name, data consumers, ancestors and descendants. */
public final class GraphView {

    private final Map<String, NodeDef> nodes = new LinkedHashMap<>();
    private final Map<String, List<String>> consumers = new HashMap<>();

    public GraphView(GraphDef def) {
        for (NodeDef n : def.getNodeList()) {
            nodes.put(n.getName(), n);
        }
        for (NodeDef n : def.getNodeList()) {
            for (String in : n.getInputList()) {
                TensorName t = TensorName.parse(in);
                if (!t.control()) {
                    consumers.computeIfAbsent(t.node(), k -> new ArrayList<>()).add(n.getName());
                }
            }
        }
    }

    public NodeDef node(String name) {
        return nodes.get(name);
    }

    public int size() {
        return nodes.size();
    }

    /** Data inputs of a node (control inputs left out). */
    public List<TensorName> dataInputs(String name) {
        List<TensorName> list = new ArrayList<>();
        for (String in : nodes.get(name).getInputList()) {
            TensorName t = TensorName.parse(in);
            if (!t.control()) {
                list.add(t);
            }
        }
        return list;
    }

    public List<String> consumers(String name) {
        return consumers.getOrDefault(name, List.of());
    }

    /** Nodes the given nodes depend on through data edges, themselves included. */
    public Set<String> ancestors(Collection<String> from) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (nodes.containsKey(n) && seen.add(n)) {
                for (TensorName t : dataInputs(n)) {
                    todo.add(t.node());
                }
            }
        }
        return seen;
    }

    /** Nodes that depend on the given nodes through data edges, themselves included. */
    public Set<String> descendants(Collection<String> from) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(from);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (nodes.containsKey(n) && seen.add(n)) {
                todo.addAll(consumers(n));
            }
        }
        return seen;
    }

    /** The given nodes in topological order of the data edges among them. */
    public List<String> topological(Set<String> subset) {
        Map<String, NodeDef> sub = new LinkedHashMap<>();
        for (String n : nodes.keySet()) {
            if (subset.contains(n)) {
                NodeDef node = nodes.get(n);
                NodeDef.Builder b = node.toBuilder().clearInput();
                for (TensorName t : dataInputs(n)) {
                    b.addInput(t.toString());
                }
                sub.put(n, b.build());
            }
        }
        return FunctionInliner.bodyOrder(sub);
    }
}
