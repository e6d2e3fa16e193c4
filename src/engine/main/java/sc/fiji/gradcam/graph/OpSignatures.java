package sc.fiji.gradcam.graph;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Output-argument layout of ops, from the runtime's registered OpDefs and the graph's function library.
 * Function bodies refer to outputs as {@code node:arg:i}; graphs use flat indices. This translates.
 */
final class OpSignatures {

    private static volatile Map<String, OpDef> registered;
    private final Map<String, FunctionDef> library;

    OpSignatures(Map<String, FunctionDef> library) {
        this.library = library;
    }

    static Map<String, OpDef> registeredOps() {
        Map<String, OpDef> ops = registered;
        if (ops == null) {
            ops = new HashMap<>();
            for (OpDef op : TensorFlow.registeredOpList().getOpList()) {
                ops.put(op.getName(), op);
            }
            registered = ops;
        }
        return ops;
    }

    /** Whether {@code op} is known to the runtime or the graph's function library. */
    boolean isKnown(String op) {
        return registeredOps().containsKey(op) || library.containsKey(op);
    }

    /**
     * Flat output index of {@code node}'s output argument {@code arg}, element {@code index}.
     *
     * @param attrs the node's attributes after placeholder substitution
     */
    int flatIndex(NodeDef node, Map<String, AttrValue> attrs, String arg, int index) {
        FunctionDef fn = library.get(node.getOp());
        if (fn != null) {
            List<OpDef.ArgDef> args = fn.getSignature().getOutputArgList();
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).getName().equals(arg)) {
                    return i + index;
                }
            }
            throw new IllegalStateException("Function " + node.getOp() + " has no output " + arg);
        }
        OpDef def = registeredOps().get(node.getOp());
        if (def == null) {
            throw new UnsupportedOpException(node.getOp(), node.getName());
        }
        int offset = 0;
        for (OpDef.ArgDef out : def.getOutputArgList()) {
            if (out.getName().equals(arg)) {
                return offset + index;
            }
            offset += size(out, attrs);
        }
        throw new IllegalStateException("Op " + node.getOp() + " has no output argument " + arg);
    }

    private static int size(OpDef.ArgDef arg, Map<String, AttrValue> attrs) {
        if (!arg.getNumberAttr().isEmpty()) {
            AttrValue n = attrs.get(arg.getNumberAttr());
            return n == null ? 1 : (int) n.getI();
        }
        if (!arg.getTypeListAttr().isEmpty()) {
            AttrValue list = attrs.get(arg.getTypeListAttr());
            return list == null ? 0 : list.getList().getTypeCount();
        }
        return 1;
    }
}
