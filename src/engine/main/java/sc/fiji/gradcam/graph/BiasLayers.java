package sc.fiji.gradcam.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.NodeDef;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.TensorName;

/**
 * The layers of a serving graph that add a bias to a feature map, found by op type and topology (never by name), for
 * FullGrad (Srinivas &amp; Fleuret 2019), whose bias-gradients are {@code b ⊙ ∂y/∂z} at each such layer's output z.
 * pytorch-grad-cam takes every {@code Conv2d} with a bias and every {@code BatchNorm2d}; the TensorFlow forms of those
 * are, on the path from the input to the output, with a 4-D float output:
 * <ul>
 * <li>a convolution's bias: {@code BiasAdd} (Keras 2, TF1, tf.nn; NHWC or NCHW by {@code data_format}) or
 * {@code Add}/{@code AddV2} of one value per channel (Keras 3 adds {@code Reshape(bias, [1, 1, 1, C])}, onnx-tf
 * {@code Reshape(bias, [C, 1, 1])}), on a convolution's output (through {@code Identity}, {@code Transpose} and other
 * per-channel affine steps);</li>
 * <li>an inference batch norm: {@code FusedBatchNorm}, {@code V2} or {@code V3} with {@code is_training} false, whose
 * effective bias is {@code β − μ γ / √(σ² + ε)}; and Keras' unfused form {@code x · s + t} on a convolution, whose bias
 * is {@code t} (already {@code β − μ s}).</li>
 * </ul>
 * The bias must not depend on the image (a constant or a variable read: off the input's path), which leaves out
 * element-wise adds of two feature maps (residual connections) and preprocessing on the input (a {@code BiasAdd} of
 * minus the ImageNet means has no convolution before it). Dense-layer biases (2-D) are left out, as the peer and the
 * paper's code do. Not found: grappler-fused ops ({@code _FusedConv2D}), whose bias cannot be separated.
 */
public final class BiasLayers {

    /** How a layer's per-channel bias comes from its parameters. */
    public enum Kind {
        /** One parameter: the bias. */
        BIAS,
        /** Four parameters γ, β, μ, σ² and the layer's ε: {@code β − μ γ / √(σ² + ε)}. */
        BATCH_NORM
    }

    /**
     * One bias-carrying layer.
     *
     * @param name the name a user recognises (the Keras layer path, or the node)
     * @param output z, the layer's output, whose gradient FullGrad takes
     * @param layout where z keeps its channels
     * @param kind how the bias comes from the parameters
     * @param parameters the tensors holding the bias ({@link Kind#BIAS}) or γ, β, μ, σ² ({@link Kind#BATCH_NORM})
     * @param epsilon the batch norm's ε (0 for a bias)
     */
    public record BiasLayer(String name, TensorName output, DataLayout layout, Kind kind, List<TensorName> parameters,
            double epsilon) {

        /** The bias per channel from the parameters' values (in {@link #parameters} order, each flattened). */
        public double[] bias(List<float[]> values) {
            float[] first = values.get(0);
            double[] b = new double[first.length];
            for (int k = 0; k < b.length; k++) {
                b[k] = kind == Kind.BIAS ? first[k]
                        : values.get(1)[k] - values.get(2)[k] * first[k] / Math.sqrt(values.get(3)[k] + epsilon);
            }
            return b;
        }
    }

    private static final Set<String> BIAS_ADDS = Set.of("BiasAdd", "BiasAddV1");
    private static final Set<String> ADDS = Set.of("Add", "AddV2");
    private static final Set<String> BATCH_NORMS = Set.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3");
    /** Steps allowed between a convolution and its bias: value moves and per-channel affine ops. */
    private static final Set<String> PASS = Set.of("Identity", "Transpose", "BiasAdd", "BiasAddV1", "Add", "AddV2",
            "Mul");
    private static final int MAX_STEPS = 8;

    private BiasLayers() {}

    /** Every bias-carrying layer on the serving path, in topological order; the input has {@code inputLayout}. */
    public static List<BiasLayer> of(ServingGraph serving, DataLayout inputLayout) {
        GraphView view = serving.view();
        List<String> order = view.topological(serving.path());
        Map<String, DataLayout> layouts = Layouts.featureMaps(serving, order, inputLayout);
        List<BiasLayer> out = new ArrayList<>();
        for (String node : order) {
            NodeDef d = view.node(node);
            String op = d.getOp();
            if (!(BIAS_ADDS.contains(op) || ADDS.contains(op) || BATCH_NORMS.contains(op)) || !isFloatRank4(serving,
                    TensorName.of(node, 0))) {
                continue;
            }
            DataLayout layout = layouts.getOrDefault(node, DataLayout.NHWC);
            List<TensorName> in = view.dataInputs(node);
            String name = serving.readableName(node);
            TensorName z = TensorName.of(node, 0);
            if (BATCH_NORMS.contains(op)) {
                boolean inference = d.containsAttr("is_training") && !d.getAttrOrThrow("is_training").getB();
                if (inference && in.size() >= 5 && in.subList(1, 5).stream().allMatch(t -> offPath(serving, t))) {
                    double eps = d.containsAttr("epsilon") ? d.getAttrOrThrow("epsilon").getF() : 1e-4;
                    out.add(new BiasLayer(name, z, layout, Kind.BATCH_NORM, List.copyOf(in.subList(1, 5)), eps));
                }
                continue;
            }
            if (in.size() != 2) {
                continue;
            }
            int data = BIAS_ADDS.contains(op) ? 0 : onPathOperand(serving, in);
            if (data < 0 || !serving.path().contains(in.get(data).node())) {
                continue;
            }
            TensorName bias = in.get(1 - data);
            boolean perChannel = BIAS_ADDS.contains(op) || perChannel(serving, bias, z, layout);
            if (offPath(serving, bias) && perChannel && fromConvolution(serving, in.get(data))) {
                out.add(new BiasLayer(name, z, layout, Kind.BIAS, List.of(bias), 0));
            }
        }
        return out;
    }

    /** The index of the one operand on the path (the other off it), else −1. */
    private static int onPathOperand(ServingGraph serving, List<TensorName> in) {
        boolean a = serving.path().contains(in.get(0).node());
        boolean b = serving.path().contains(in.get(1).node());
        return a == b ? -1 : a ? 0 : 1;
    }

    /** Whether {@code t} does not depend on the image (a constant, a variable read, or arithmetic of those). */
    private static boolean offPath(ServingGraph serving, TensorName t) {
        return !serving.path().contains(t.node()) && !serving.input().node().equals(t.node());
    }

    /**
     * Whether {@code bias} holds one value per channel of {@code z}: its static shape, aligned to the right of z's
     * four axes, is 1 everywhere but on the channel axis (which is z's channel count, or unknown there).
     */
    private static boolean perChannel(ServingGraph serving, TensorName bias, TensorName z, DataLayout layout) {
        Shape s = serving.tensor(bias).shape();
        Shape zs = serving.tensor(z).shape();
        if (s.isUnknown() || s.numDimensions() < 1 || s.numDimensions() > 4) {
            return false;
        }
        int channelAxis = layout == DataLayout.NCHW ? 1 : 3;
        long channels = zs.size(channelAxis);
        int offset = 4 - s.numDimensions();
        for (int i = 0; i < s.numDimensions(); i++) {
            long d = s.size(i);
            if (offset + i == channelAxis) {
                if (channels > 0 ? d != channels : d <= 1) {
                    return false;
                }
            } else if (d != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code t} is a convolution's output, walking back through value moves and per-channel affine steps (a
     * bias, a batch norm's scale) whose other operand is off the path.
     */
    private static boolean fromConvolution(ServingGraph serving, TensorName t) {
        GraphView view = serving.view();
        String node = t.node();
        for (int step = 0; step < MAX_STEPS; step++) {
            NodeDef d = view.node(node);
            if (d == null) {
                return false;
            }
            if (LayerCatalog.CONVOLUTIONS.contains(d.getOp())) {
                return true;
            }
            if (!PASS.contains(d.getOp())) {
                return false;
            }
            List<TensorName> in = view.dataInputs(node);
            int data = d.getOp().equals("Identity") || d.getOp().equals("Transpose") || BIAS_ADDS.contains(d.getOp())
                    ? 0 : in.size() == 2 ? onPathOperand(serving, in) : -1;
            if (data < 0 || in.isEmpty()) {
                return false;
            }
            node = in.get(data).node();
        }
        return false;
    }

    private static boolean isFloatRank4(ServingGraph serving, TensorName t) {
        Output<?> o = serving.tensor(t);
        return !o.shape().isUnknown() && o.shape().numDimensions() == 4 && Gradients.isFloat(o);
    }
}
