package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Relu6Grad;
import org.tensorflow.op.nn.ReluGrad;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * Guided Backpropagation as an explicit reverse pass over the serving path (the ReLU gradient cannot be
 * replaced process-wide, and nothing else in the process may change).
 *
 * <p>Ops are visited from the logits back to the input in reverse topological order; upstream gradients
 * of each output are summed; at ReLU (and ReLU6) ops the guided rule {@code relu(g) * [x > 0]} (and
 * {@code [x < 6]}) replaces the true derivative; every other op gets TF's own gradient for that op alone
 * ({@code addGradients(op outputs, op inputs, upstream)}). Because {@code addGradients} returns total
 * derivatives, an op whose inputs depend on each other (a residual add, {@code x * sigmoid(x)}) is
 * differentiated on an isolated copy whose inputs are fresh identities. With the guided rule off the pass
 * equals the plain gradient.
 */
public final class GuidedReversePass {

    private static final Set<String> RELUS = Set.of("Relu", "Relu6");
    private static final Set<String> BATCH_NORMS = Set.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3");

    private final ServingGraph serving;
    private final GraphView view;
    private final Ops tf;
    private final String scope;
    private final boolean guided;
    private int counter;

    private GuidedReversePass(ServingGraph serving, String scope, boolean guided) {
        this.serving = serving;
        this.view = serving.view();
        this.scope = scope;
        this.guided = guided;
        this.tf = Ops.create(serving.graph()).withSubScope(scope);
    }

    /**
     * Builds d score / d input with the guided rule at ReLUs ({@code guided}) or without it.
     *
     * @param logits where the reverse pass starts
     * @param dLogits d score / d logits
     */
    public static Output<?> build(ServingGraph serving, TensorName logits, Output<?> dLogits, String scope,
            boolean guided) {
        return new GuidedReversePass(serving, scope, guided).run(logits, dLogits);
    }

    private Output<?> run(TensorName logits, Output<?> dLogits) {
        Set<String> path = view.ancestors(List.of(logits.node()));
        TensorName input = serving.differentiableInput();
        path.retainAll(view.descendants(List.of(input.node())));
        List<String> order = view.topological(path);
        Map<TensorName, List<Output<?>>> upstream = new HashMap<>();
        upstream.computeIfAbsent(logits, k -> new ArrayList<>()).add(dLogits);
        for (int i = order.size() - 1; i >= 0; i--) {
            String node = order.get(i);
            if (node.equals(input.node())) {
                break;
            }
            GraphOperation op = serving.graph().operation(node);
            List<Output<?>> ys = new ArrayList<>();
            List<Output<?>> dys = new ArrayList<>();
            for (int k = 0; k < op.numOutputs(); k++) {
                List<Output<?>> g = upstream.remove(TensorName.of(node, k));
                if (g != null) {
                    ys.add(op.output(k));
                    dys.add(sum(g));
                }
            }
            List<TensorName> inputs = differentiableInputs(node, path);
            if (ys.isEmpty() || inputs.isEmpty()) {
                continue;
            }
            Output<?>[] dxs;
            if (guided && RELUS.contains(op.type())) {
                dxs = new Output<?>[] {guidedRelu(op, dys.get(0))};
            } else if (isFrozenBatchNorm(node, op, ys, inputs)) {
                dxs = new Output<?>[] {frozenBatchNormGradient(node, dys.get(0))};
            } else {
                dxs = opGradient(node, op, ys, dys, inputs);
            }
            for (int k = 0; k < inputs.size(); k++) {
                if (dxs[k] != null) {
                    upstream.computeIfAbsent(inputs.get(k), t -> new ArrayList<>()).add(dxs[k]);
                }
            }
        }
        List<Output<?>> g = upstream.get(input);
        if (g == null) {
            throw new UnsupportedOperationException("No gradient path leads from the class score back to the input "
                    + input + ". Fix: use Grad-CAM or Counterfactual (they need no input gradient).");
        }
        return sum(g);
    }

    private List<TensorName> differentiableInputs(String node, Set<String> path) {
        List<TensorName> list = new ArrayList<>();
        for (TensorName t : view.dataInputs(node)) {
            if (path.contains(t.node()) && Gradients.isFloat(serving.tensor(t)) && !list.contains(t)) {
                list.add(t);
            }
        }
        return list;
    }

    /**
     * {@code relu(g) * [x > 0]} (and {@code [x < 6]} for ReLU6) as TF's own ReluGrad / Relu6Grad of
     * {@code relu(g)}: the same values as the explicit mask, in two element-wise ops instead of up to seven.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T extends TNumber> Output<?> guidedRelu(GraphOperation relu, Output<?> upstream) {
        Operand<T> x = (Operand<T>) (Operand) relu.input(0);
        Operand<T> g = (Operand<T>) (Operand) upstream;
        Ops s = tf.withSubScope("relu" + (counter++));
        Operand<T> positive = s.nn.relu(g);
        if (relu.type().equals("Relu6")) {
            return Relu6Grad.create(s.scope(), positive, x).asOutput();
        }
        return ReluGrad.create(s.scope(), positive, x).asOutput();
    }

    /**
     * An inference-mode batch norm (NHWC, float32 throughout) reached through its input x alone: its
     * derivative is the per-channel constant {@code gamma * rsqrt(variance + epsilon)}.
     */
    private boolean isFrozenBatchNorm(String node, GraphOperation op, List<Output<?>> ys, List<TensorName> inputs) {
        if (!BATCH_NORMS.contains(op.type()) || ys.size() != 1 || ys.get(0).index() != 0 || inputs.size() != 1) {
            return false;
        }
        NodeDef def = view.node(node);
        List<TensorName> in = view.dataInputs(node);
        if (in.size() < 5 || !inputs.get(0).equals(in.get(0)) || !def.containsAttr("is_training")
                || def.getAttrOrThrow("is_training").getB()
                || (def.containsAttr("data_format") && !def.getAttrOrThrow("data_format").getS().toStringUtf8()
                        .equals("NHWC"))) {
            return false;
        }
        for (int k : new int[] {0, 1, 4}) {
            if (serving.tensor(in.get(k)).dataType() != org.tensorflow.proto.DataType.DT_FLOAT) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code dy * gamma * rsqrt(variance + epsilon)}: what FusedBatchNormGrad gives for x when not training,
     * without its reductions for the scale and offset gradients, which the pass does not use (and so that the
     * forward convolution and batch norm can stay fused).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Output<?> frozenBatchNormGradient(String node, Output<?> upstream) {
        List<TensorName> in = view.dataInputs(node);
        float epsilon = view.node(node).getAttrOrThrow("epsilon").getF();
        Ops s = tf.withSubScope("batchnorm" + (counter++));
        Operand<TFloat32> gamma = (Operand<TFloat32>) (Operand) serving.tensor(in.get(1));
        Operand<TFloat32> variance = (Operand<TFloat32>) (Operand) serving.tensor(in.get(4));
        Operand<TFloat32> scale = s.math.mul(gamma, s.math.rsqrt(s.math.add(variance, s.constant(epsilon))));
        return s.math.mul((Operand<TFloat32>) (Operand) upstream, scale).asOutput();
    }

    private Output<?>[] opGradient(String node, GraphOperation op, List<Output<?>> ys, List<Output<?>> dys,
            List<TensorName> inputs) {
        String prefix = scope + "/grad" + (counter++);
        if (!inputsDependOnEachOther(inputs)) {
            Output<?>[] xs = inputs.stream().map(serving::tensor).toArray(Output<?>[]::new);
            return Gradients.of(serving, prefix, ys.toArray(Output<?>[]::new), xs, dys.toArray(Output<?>[]::new));
        }
        // isolated copy: the same op on fresh identities of its inputs, so partial = total derivative
        NodeDef original = view.node(node);
        NodeDef.Builder copy = original.toBuilder().setName(prefix + "/copy").clearInput().clearDevice();
        List<Output<?>> fresh = new ArrayList<>();
        Map<TensorName, Output<?>> freshOf = new HashMap<>();
        for (TensorName t : view.dataInputs(node)) {
            if (inputs.contains(t)) {
                Output<?> id = freshOf.computeIfAbsent(t, k -> identity(serving.tensor(k)));
                copy.addInput(id.op().name() + ":0");
            } else {
                copy.addInput(t.toString());
            }
        }
        for (TensorName t : inputs) {
            fresh.add(freshOf.get(t));
        }
        GraphImporter.importInto(serving.handle(), GraphDef.newBuilder().addNode(copy).build());
        GraphOperation copied = serving.graph().operation(prefix + "/copy");
        Output<?>[] copyYs = ys.stream().map(y -> copied.output(y.index())).toArray(Output<?>[]::new);
        return Gradients.of(serving, prefix + "/g", copyYs, fresh.toArray(Output<?>[]::new),
                dys.toArray(Output<?>[]::new));
    }

    /** A fresh Identity of {@code x}: a new leaf to differentiate with respect to. */
    private <T extends org.tensorflow.types.family.TType> Output<T> identity(Output<T> x) {
        return tf.withName("grad" + (counter++)).identity(x).asOutput();
    }

    private boolean inputsDependOnEachOther(List<TensorName> inputs) {
        Set<String> nodes = new HashSet<>();
        for (TensorName t : inputs) {
            nodes.add(t.node());
        }
        if (nodes.size() < 2) {
            return false;
        }
        for (String a : nodes) {
            Set<String> up = view.ancestors(List.of(a));
            for (String b : nodes) {
                if (!a.equals(b) && up.contains(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Output<?> sum(List<Output<?>> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return tf.withName("sum" + (counter++)).math.addN((Iterable) parts).asOutput();
    }
}
