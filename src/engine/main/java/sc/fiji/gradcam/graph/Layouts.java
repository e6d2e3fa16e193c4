package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.TensorName;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

/**
 * Channels-first or channels-last: of the image input (from the graph and its shape) and of every feature map on
 * the serving path.
 *
 * <p>A tensor is NCHW when its op says {@code data_format} NCHW, when it is a {@code Transpose} with perm
 * {@code [0, 3, 1, 2]} (onnx-tf wraps each CPU convolution as NCHW→NHWC, Conv2D, NHWC→NCHW), or when it comes
 * from an element-wise op (activation, bias, batch-norm arithmetic, residual add, keep-dims reduction, pad, concat)
 * whose 4-D data input is NCHW; otherwise NHWC.
 */
public final class Layouts {

    /** Ops whose output keeps the layout of their 4-D data inputs. */
    static final Set<String> KEEP_LAYOUT = Set.of("Identity", "IdentityN", "Snapshot", "StopGradient",
            "PreventGradient", "EnsureShape", "CheckNumerics", "Cast", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu",
            "Softplus", "Softsign", "Mish", "Sigmoid", "Tanh", "Swish", "Gelu", "Add", "AddV2", "AddN", "Sub", "Mul",
            "RealDiv", "Div", "DivNoNan", "Maximum", "Minimum", "Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Reciprocal",
            "Exp", "Log", "Pow", "Erf", "SquaredDifference", "ClipByValue", "Select", "SelectV2", "Pad", "PadV2",
            "MirrorPad", "ConcatV2");
    /** Reductions that keep the layout when they keep the reduced axes ({@code keep_dims}). */
    private static final Set<String> REDUCTIONS = Set.of("Mean", "Max", "Min", "Sum", "Prod");
    /** Ops with a {@code data_format} attribute (NHWC when the node leaves it at its default). */
    private static final Set<String> FORMATTED = Set.of("Conv2D", "DepthwiseConv2dNative", "_FusedConv2D",
            "FusedConv2DBiasActivation", "Conv2DBackpropInput", "BiasAdd", "FusedBatchNorm", "FusedBatchNormV2",
            "FusedBatchNormV3", "_FusedBatchNormEx", "MaxPool", "MaxPoolV2", "AvgPool", "SpaceToDepth", "DepthToSpace");
    /** Ops between the input and the op that shows its layout: value moves and per-pixel arithmetic. */
    private static final Set<String> INPUT_PASS = Set.of("Identity", "Snapshot", "StopGradient", "EnsureShape",
            "CheckNumerics", "Cast", "Sub", "Mul", "RealDiv", "Div", "Add", "AddV2", "Maximum", "Minimum");
    private static final int[] TO_CHANNELS_FIRST = {0, 3, 1, 2};
    private static final int[] TO_CHANNELS_LAST = {0, 2, 3, 1};
    private static final int MAX_INPUT_STEPS = 50;

    /** What the graph or the input shape says about the input's layout, and why. */
    public record Evidence(DataLayout layout, String reason) {}

    private Layouts() {}

    /**
     * The layout of the image input: the first op after it that shows one (a Transpose moving channels last or
     * first, an op with a {@code data_format}), else its shape ({@code [N, C, H, W]} with C in 1, 3, 4 and the last
     * dimension not), else nothing.
     */
    public static Optional<Evidence> detectInput(ServingGraph serving, long[] shape) {
        Optional<Evidence> fromGraph = firstTelling(serving);
        return fromGraph.isPresent() ? fromGraph : fromShape(shape);
    }

    private static Optional<Evidence> firstTelling(ServingGraph serving) {
        GraphView view = serving.view();
        Set<String> carrying = new HashSet<>(Set.of(serving.input().node()));
        ArrayDeque<String> todo = new ArrayDeque<>(onPath(serving, serving.input().node()));
        Set<String> seen = new HashSet<>();
        for (int steps = 0; !todo.isEmpty() && steps < MAX_INPUT_STEPS; steps++) {
            String n = todo.poll();
            if (!seen.add(n)) {
                continue;
            }
            NodeDef d = view.node(n);
            String what = serving.readableName(n) + " (" + d.getOp() + ")";
            if (d.getOp().equals("Transpose")) {
                int[] perm = intConstant(view, view.dataInputs(n).get(1));
                if (Arrays.equals(perm, TO_CHANNELS_LAST)) {
                    return Optional.of(new Evidence(DataLayout.NCHW, what + " right after the input moves its "
                            + "channels last (perm [0, 2, 3, 1]): the input is channels first"));
                }
                if (Arrays.equals(perm, TO_CHANNELS_FIRST)) {
                    return Optional.of(new Evidence(DataLayout.NHWC, what + " right after the input moves its "
                            + "channels first (perm [0, 3, 1, 2]): the input is channels last"));
                }
                return Optional.empty();
            }
            if (FORMATTED.contains(d.getOp())) {
                DataLayout l = dataFormat(d);
                return Optional.of(new Evidence(l, what + " takes the input with data_format " + l));
            }
            long fromInput = view.dataInputs(n).stream().filter(t -> carrying.contains(t.node())).count();
            if (!INPUT_PASS.contains(d.getOp()) || fromInput != 1) {
                return Optional.empty();
            }
            carrying.add(n);
            todo.addAll(onPath(serving, n));
        }
        return Optional.empty();
    }

    private static Optional<Evidence> fromShape(long[] shape) {
        if (shape == null || shape.length != 4) {
            return Optional.empty();
        }
        boolean firstLooksLikeChannels = isChannelCount(shape[1]);
        boolean lastLooksLikeChannels = isChannelCount(shape[3]);
        if (firstLooksLikeChannels == lastLooksLikeChannels) {
            return Optional.empty();
        }
        String s = Arrays.toString(shape);
        return Optional.of(firstLooksLikeChannels
                ? new Evidence(DataLayout.NCHW, "the input shape " + s + " has " + shape[1] + " channels first")
                : new Evidence(DataLayout.NHWC, "the input shape " + s + " has " + shape[3] + " channels last"));
    }

    private static boolean isChannelCount(long d) {
        return d == 1 || d == 3 || d == 4;
    }

    /**
     * The layout of every node on the serving path (meaningful for its 4-D outputs), in topological order from the
     * input, which has {@code input}.
     */
    public static Map<String, DataLayout> featureMaps(ServingGraph serving, List<String> order, DataLayout input) {
        GraphView view = serving.view();
        Map<String, DataLayout> layouts = new HashMap<>();
        layouts.put(serving.input().node(), input);
        for (String n : order) {
            if (!n.equals(serving.input().node())) {
                layouts.put(n, of(serving, view.node(n), layouts));
            }
        }
        return layouts;
    }

    private static DataLayout of(ServingGraph serving, NodeDef d, Map<String, DataLayout> known) {
        String op = d.getOp();
        if (FORMATTED.contains(op) || d.containsAttr("data_format")) {
            return dataFormat(d);
        }
        List<TensorName> inputs = serving.view().dataInputs(d.getName());
        if (op.equals("Transpose")) {
            int[] perm = intConstant(serving.view(), inputs.get(1));
            if (Arrays.equals(perm, new int[] {0, 1, 2, 3})) {
                return known.getOrDefault(inputs.get(0).node(), DataLayout.NHWC);
            }
            return Arrays.equals(perm, TO_CHANNELS_FIRST) ? DataLayout.NCHW : DataLayout.NHWC;
        }
        boolean keeps = KEEP_LAYOUT.contains(op) || REDUCTIONS.contains(op) && d.containsAttr("keep_dims")
                && d.getAttrOrThrow("keep_dims").getB();
        if (keeps) {
            for (TensorName t : inputs) {
                if (known.get(t.node()) == DataLayout.NCHW && isRank4(serving, t)) {
                    return DataLayout.NCHW;
                }
            }
        }
        return DataLayout.NHWC;
    }

    /** Whether {@code node} is a Transpose moving channels first (NHWC → NCHW, perm {@code [0, 3, 1, 2]}). */
    static boolean movesChannelsFirst(GraphView view, String node) {
        NodeDef d = view.node(node);
        return d != null && d.getOp().equals("Transpose")
                && Arrays.equals(intConstant(view, view.dataInputs(node).get(1)), TO_CHANNELS_FIRST);
    }

    private static DataLayout dataFormat(NodeDef d) {
        return d.containsAttr("data_format") && d.getAttrOrThrow("data_format").getS().toStringUtf8().startsWith("NC")
                ? DataLayout.NCHW : DataLayout.NHWC;
    }

    private static boolean isRank4(ServingGraph serving, TensorName t) {
        Shape s = serving.tensor(t).shape();
        return s.isUnknown() || s.numDimensions() == 4;
    }

    private static List<String> onPath(ServingGraph serving, String node) {
        return serving.view().consumers(node).stream().filter(serving.path()::contains).toList();
    }

    /** The values of a small integer {@code Const} (through identities), else null. */
    static int[] intConstant(GraphView view, TensorName t) {
        NodeDef d = view.node(t.node());
        for (int i = 0; d != null && i < 8 && d.getOp().equals("Identity"); i++) {
            List<TensorName> in = view.dataInputs(d.getName());
            d = in.isEmpty() ? null : view.node(in.get(0).node());
        }
        if (d == null || !d.getOp().equals("Const") || !d.containsAttr("value")) {
            return null;
        }
        TensorProto p = d.getAttrOrThrow("value").getTensor();
        long n = 1;
        for (var dim : p.getTensorShape().getDimList()) {
            n *= dim.getSize();
        }
        if (n > 16) {
            return null;
        }
        int[] v = new int[(int) n];
        boolean wide = p.getDtype() == DataType.DT_INT64;
        if (!p.getTensorContent().isEmpty()) {
            ByteBuffer b = p.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                v[i] = wide ? (int) b.getLong() : b.getInt();
            }
            return v;
        }
        int count = wide ? p.getInt64ValCount() : p.getIntValCount();
        if (count == 0) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            int k = Math.min(i, count - 1);
            v[i] = wide ? (int) p.getInt64Val(k) : p.getIntVal(k);
        }
        return v;
    }
}
