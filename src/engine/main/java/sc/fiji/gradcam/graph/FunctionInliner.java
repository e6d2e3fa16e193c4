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
import java.util.regex.Pattern;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Replaces the function calls ({@code StatefulPartitionedCall}, {@code PartitionedCall}, or an op named
 * after a library function) that the given outputs depend on by the functions' bodies, recursively.
 *
 * <p>Body references {@code node:arg:i} become flat indices {@code node:k} through the OpDefs; function
 * arguments become the call's inputs; the function's {@code ret} map becomes the call's outputs;
 * control inputs of a call are kept on the body's source nodes and control consumers of a call wait for
 * a {@code NoOp} that depends on the body's {@code control_ret} nodes. Top-level nodes downstream of an
 * inlined call are copied so that the whole path to the outputs runs through inlined nodes. Nothing is
 * written to the graph here: the result is a GraphDef of new nodes to import with input mappings
 * onto the existing nodes ({@link GraphImporter}).
 */
public final class FunctionInliner {

    /** Name prefix of every node the inliner creates. */
    public static final String PREFIX = "gradcam/inlined/";

    private static final Set<String> CALL_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall");
    private static final Pattern GENERIC_CALL = Pattern.compile("(Stateful)?PartitionedCall(_\\d+)?");

    private final Map<String, NodeDef> topLevel = new LinkedHashMap<>();
    private final Map<String, FunctionDef> library = new HashMap<>();
    private final OpSignatures signatures;
    private final List<NodeDef> created = new ArrayList<>();
    private final Map<String, String> readable = new HashMap<>();

    public FunctionInliner(GraphDef graph) {
        for (NodeDef n : graph.getNodeList()) {
            topLevel.put(n.getName(), n);
        }
        for (FunctionDef f : graph.getLibrary().getFunctionList()) {
            library.put(f.getSignature().getName(), f);
        }
        signatures = new OpSignatures(library);
    }

    /** Whether the graph's path to {@code outputs} contains any function call (a TF2-style graph). */
    public boolean needsInlining(Collection<TensorName> outputs) {
        for (String name : ancestors(outputs)) {
            if (isCall(topLevel.get(name))) {
                return true;
            }
        }
        return false;
    }

    /** Inlines every call the outputs depend on; see the class comment. */
    public InlinedGraph inline(Collection<TensorName> outputs) {
        Map<String, List<String>> rewritten = new HashMap<>();
        Map<String, String> controlOf = new HashMap<>();
        for (String name : topologicalOrder(ancestors(outputs))) {
            NodeDef node = topLevel.get(name);
            if (isCall(node)) {
                List<String> data = new ArrayList<>();
                List<String> control = new ArrayList<>();
                for (String in : node.getInputList()) {
                    String t = translateTop(in, rewritten, controlOf);
                    (t.startsWith("^") ? control : data).add(t);
                }
                CallResult r = inlineCall(node, data, control, PREFIX + name + "/", scopeOf(name));
                rewritten.put(name, r.outputs);
                controlOf.put(name, r.controlNode);
            } else if (dependsOn(node, rewritten.keySet())) {
                NodeDef.Builder copy = node.toBuilder().clearInput().setName(PREFIX + name).clearDevice();
                for (String in : node.getInputList()) {
                    copy.addInput(translateTop(in, rewritten, controlOf));
                }
                created.add(copy.build());
                readable.put(PREFIX + name, name);
                rewritten.put(name, null);
                controlOf.put(name, PREFIX + name);
            }
        }
        Map<TensorName, TensorName> outputMap = new LinkedHashMap<>();
        for (TensorName out : outputs) {
            outputMap.put(out, TensorName.parse(translateTop(out.toString(), rewritten, controlOf)));
        }
        GraphDef def = GraphDef.newBuilder().addAllNode(created).build();
        return new InlinedGraph(def, outputMap, readable);
    }

    private String translateTop(String ref, Map<String, List<String>> rewritten, Map<String, String> controlOf) {
        TensorName t = TensorName.parse(ref);
        if (!rewritten.containsKey(t.node())) {
            return t.toString();
        }
        if (t.control()) {
            return "^" + controlOf.get(t.node());
        }
        List<String> outs = rewritten.get(t.node());
        return outs == null ? PREFIX + t.node() + ":" + t.index() : outs.get(t.index());
    }

    private record CallResult(List<String> outputs, String controlNode) {}

    private CallResult inlineCall(NodeDef call, List<String> data, List<String> control, String prefix, String scope) {
        String fname = functionName(call);
        FunctionDef fn = library.get(fname);
        if (fn == null) {
            throw new IllegalStateException("Function '" + fname + "' called by '" + call.getName()
                    + "' is missing from the graph's function library");
        }
        Map<String, AttrValue> callAttrs = CALL_OPS.contains(call.getOp())
                ? call.getAttrMap().get("f").getFunc().getAttrMap() : call.getAttrMap();
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < fn.getSignature().getInputArgCount(); i++) {
            args.put(fn.getSignature().getInputArg(i).getName(), data.get(i));
        }
        Map<String, NodeDef> body = new LinkedHashMap<>();
        for (NodeDef n : fn.getNodeDefList()) {
            body.put(n.getName(), n);
        }
        Map<String, CallResult> nested = new HashMap<>();
        Map<String, Map<String, AttrValue>> attrsOf = new HashMap<>();
        for (String name : bodyOrder(body)) {
            NodeDef n = body.get(name);
            Map<String, AttrValue> attrs = substitute(n.getAttrMap(), callAttrs);
            attrsOf.put(name, attrs);
            List<String> ins = new ArrayList<>();
            List<String> ctrl = new ArrayList<>();
            for (String in : n.getInputList()) {
                String t = translateBody(in, body, attrsOf, nested, args, prefix);
                (t.startsWith("^") ? ctrl : ins).add(t);
            }
            if (isCall(n)) {
                NodeDef withAttrs = n.toBuilder().clearAttr().putAllAttr(attrs).build();
                if (ins.isEmpty()) {
                    ctrl.addAll(control);
                }
                nested.put(name, inlineCall(withAttrs, ins, ctrl, prefix + name + "/", join(scope, scopeOf(name))));
            } else {
                NodeDef.Builder b = n.toBuilder().setName(prefix + name).clearInput().clearDevice()
                        .clearAttr().putAllAttr(attrs).removeAttr("_class").addAllInput(ins).addAllInput(ctrl);
                if (n.getInputCount() == 0) {
                    b.addAllInput(control);
                }
                created.add(b.build());
                readable.put(prefix + name, join(scope, name));
            }
        }
        List<String> outputs = new ArrayList<>();
        NodeDef.Builder done = NodeDef.newBuilder().setName(prefix + "__control").setOp("NoOp");
        for (var arg : fn.getSignature().getOutputArgList()) {
            String t = translateBody(fn.getRetMap().get(arg.getName()), body, attrsOf, nested, args, prefix);
            outputs.add(t);
            done.addInput("^" + TensorName.parse(t).node());
        }
        for (String node : fn.getControlRetMap().values()) {
            done.addInput(translateBody("^" + node, body, attrsOf, nested, args, prefix));
        }
        created.add(done.build());
        return new CallResult(outputs, prefix + "__control");
    }

    private String translateBody(String ref, Map<String, NodeDef> body, Map<String, Map<String, AttrValue>> attrsOf,
            Map<String, CallResult> nested, Map<String, String> args, String prefix) {
        if (ref.startsWith("^")) {
            String node = ref.substring(1);
            if (nested.containsKey(node)) {
                return "^" + nested.get(node).controlNode;
            }
            if (body.containsKey(node)) {
                return "^" + prefix + node;
            }
            String arg = args.get(node);
            return arg == null ? ref : "^" + TensorName.parse(arg).node();
        }
        String[] parts = ref.split(":");
        if (parts.length == 1 || !body.containsKey(parts[0])) {
            String arg = args.get(parts[0]);
            if (arg == null) {
                throw new IllegalStateException("Unresolvable function input '" + ref + "'");
            }
            return arg;
        }
        NodeDef producer = body.get(parts[0]);
        int index = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        int flat = parts.length == 2 && parts[1].chars().allMatch(Character::isDigit)
                ? Integer.parseInt(parts[1])
                : signatures.flatIndex(producer, attrsOf.get(parts[0]), parts[1], index);
        CallResult call = nested.get(parts[0]);
        return call != null ? call.outputs.get(flat) : prefix + parts[0] + ":" + flat;
    }

    private static Map<String, AttrValue> substitute(Map<String, AttrValue> attrs, Map<String, AttrValue> callAttrs) {
        Map<String, AttrValue> out = new LinkedHashMap<>();
        for (var e : attrs.entrySet()) {
            AttrValue v = e.getValue();
            if (!v.getPlaceholder().isEmpty() && callAttrs.containsKey(v.getPlaceholder())) {
                v = callAttrs.get(v.getPlaceholder());
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    boolean isCall(NodeDef n) {
        return n != null && ((CALL_OPS.contains(n.getOp()) && n.containsAttr("f")) || library.containsKey(n.getOp()));
    }

    private String functionName(NodeDef n) {
        return CALL_OPS.contains(n.getOp()) ? n.getAttrMap().get("f").getFunc().getName() : n.getOp();
    }

    /** The scope a call contributes to readable names: its name without a generic trailing call component. */
    static String scopeOf(String callName) {
        int slash = callName.lastIndexOf('/');
        String last = callName.substring(slash + 1);
        if (GENERIC_CALL.matcher(last).matches()) {
            return slash < 0 ? "" : callName.substring(0, slash);
        }
        return callName;
    }

    private static String join(String scope, String name) {
        return scope.isEmpty() ? name : scope + "/" + name;
    }

    private static boolean dependsOn(NodeDef node, Set<String> names) {
        for (String in : node.getInputList()) {
            if (names.contains(TensorName.parse(in).node())) {
                return true;
            }
        }
        return false;
    }

    private Set<String> ancestors(Collection<TensorName> outputs) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (TensorName t : outputs) {
            todo.add(t.node());
        }
        while (!todo.isEmpty()) {
            String n = todo.poll();
            NodeDef node = topLevel.get(n);
            if (node == null || !seen.add(n)) {
                continue;
            }
            for (String in : node.getInputList()) {
                todo.add(TensorName.parse(in).node());
            }
        }
        return seen;
    }

    private List<String> topologicalOrder(Set<String> names) {
        Map<String, NodeDef> subset = new LinkedHashMap<>();
        for (String n : topLevel.keySet()) {
            if (names.contains(n)) {
                subset.put(n, topLevel.get(n));
            }
        }
        return bodyOrder(subset);
    }

    /** Kahn's order over the nodes of one scope (references to names outside it are ignored). */
    static List<String> bodyOrder(Map<String, NodeDef> nodes) {
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        for (NodeDef n : nodes.values()) {
            int count = 0;
            for (String in : n.getInputList()) {
                String src = TensorName.parse(in).node();
                String srcNode = in.startsWith("^") ? src : in.split(":")[0];
                if (nodes.containsKey(srcNode)) {
                    count++;
                    consumers.computeIfAbsent(srcNode, k -> new ArrayList<>()).add(n.getName());
                }
            }
            pending.put(n.getName(), count);
        }
        ArrayDeque<String> ready = new ArrayDeque<>();
        pending.forEach((k, v) -> {
            if (v == 0) {
                ready.add(k);
            }
        });
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.poll();
            order.add(n);
            for (String c : consumers.getOrDefault(n, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        if (order.size() != nodes.size()) {
            throw new IllegalStateException("The graph has a cycle outside control-flow ops; it cannot be inlined");
        }
        return order;
    }
}
