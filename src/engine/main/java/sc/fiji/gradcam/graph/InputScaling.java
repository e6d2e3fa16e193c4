package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TUint8;

/**
 * The value range a model's image input expects, when its graph says so: an integer input (uint8 pixels), or
 * scaling that the model does itself right after the input — Keras {@code Rescaling(1./255)} (a {@code Mul} by
 * 0.00392), {@code x / 127.5 - 1}, {@code preprocess_input}'s mean subtraction. Such a model wants raw 0..255
 * pixels; fed 0..1 it silently predicts nonsense.
 *
 * <p>The serving path is followed from the input placeholder through ops that keep values (identities, casts,
 * reshapes, resizes, pads, slices, channel reorders) to the first arithmetic ops with a constant operand
 * (constants, or variables read through {@code ReadVariableOp}, evaluated in the model's session). A scale of
 * at most 1/100, a divisor of at least 100, or an offset of at least 50 in magnitude means 0:255. Anything else
 * — a convolution first, a small offset, an unknown op — is no evidence, and nothing is detected.
 *
 * @param min the value the image's low end should map to (0)
 * @param max the value the image's high end should map to (255)
 * @param reason what in the graph says so, naming the op
 */
public record InputScaling(double min, double max, String reason) {

    /** Ops that move, copy or resample values without changing their range. */
    private static final Set<String> VALUE_PRESERVING = Set.of("Identity", "Snapshot", "StopGradient", "EnsureShape",
            "CheckNumerics", "Cast", "Reshape", "ExpandDims", "Squeeze", "Transpose", "ResizeBilinear",
            "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea", "ScaleAndTranslate", "CropAndResize", "Pad", "PadV2",
            "MirrorPad", "Slice", "StridedSlice", "ReverseV2", "ConcatV2", "Pack", "Unpack", "Split", "SplitV",
            "GatherV2");

    /** Ops that read only the input's shape (dynamic resizes and reshapes): no evidence either way. */
    private static final Set<String> SHAPE_ONLY = Set.of("Shape", "ShapeN", "Size", "Rank");

    /** Ops whose operands may make up a constant (a Keras weight read, a broadcast mean). */
    private static final Set<String> CONSTANT_OPS = Set.of("Const", "Identity", "Cast", "ReadVariableOp",
            "VarHandleOp", "Reshape", "ExpandDims", "Squeeze", "Fill", "BroadcastTo", "Sqrt", "Rsqrt", "Reciprocal",
            "Neg", "Maximum", "Minimum", "Mul", "RealDiv", "Div", "Sub", "AddV2", "Add", "Pack", "ConcatV2");

    private static final Set<String> INTEGER_TYPES = Set.of("DT_UINT8", "DT_INT8", "DT_UINT16", "DT_INT16",
            "DT_INT32", "DT_INT64");

    /** Steps through value-preserving ops before giving up (they come first; the rest of the model is far). */
    private static final int MAX_STEPS = 200;
    /** Largest constant read (a per-channel mean is 3 values; an image-sized constant is not a scale). */
    private static final long MAX_CONSTANT_SIZE = 4096;

    /** What the serving graph says about its input range; empty when it says nothing conclusive. */
    public static Optional<InputScaling> detect(ServingGraph serving) {
        String type = serving.tensor(serving.input()).dataType().name();
        if (INTEGER_TYPES.contains(type)) {
            return Optional.of(new InputScaling(0, 255, "the image input " + serving.input().node() + " is "
                    + type.substring(3).toLowerCase(Locale.ROOT) + ": integer pixel values 0..255"));
        }
        return new Walk(serving).run();
    }

    /** One breadth-first walk from the input to the first ops that change values. */
    private static final class Walk {
        private final ServingGraph serving;
        private final GraphView view;
        /** Nodes whose outputs still hold the input's values (up to moves and resampling). */
        private final Set<String> carrying = new HashSet<>();

        Walk(ServingGraph serving) {
            this.serving = serving;
            this.view = serving.view();
        }

        Optional<InputScaling> run() {
            String input = serving.input().node();
            carrying.add(input);
            ArrayDeque<String> todo = new ArrayDeque<>(onPath(input));
            Set<String> seen = new HashSet<>();
            InputScaling found = null;
            int steps = 0;
            while (!todo.isEmpty()) {
                String n = todo.poll();
                if (!seen.add(n)) {
                    continue;
                }
                if (++steps > MAX_STEPS) {
                    return Optional.empty();
                }
                Verdict v = judge(n);
                switch (v.kind) {
                    case UNKNOWN:
                        return Optional.empty();
                    case PASS:
                        carrying.add(n);
                        todo.addAll(onPath(n));
                        break;
                    case SCALES:
                        found = found == null ? v.scaling : found;
                        break;
                    default:
                        break;
                }
            }
            return Optional.ofNullable(found);
        }

        private List<String> onPath(String node) {
            return view.consumers(node).stream().filter(serving.path()::contains).toList();
        }

        private Verdict judge(String n) {
            NodeDef d = view.node(n);
            String op = d.getOp();
            if (VALUE_PRESERVING.contains(op)) {
                return Verdict.PASS;
            }
            if (SHAPE_ONLY.contains(op)) {
                return Verdict.SHAPE;
            }
            List<TensorName> in = view.dataInputs(n);
            if (in.size() != 2) {
                return Verdict.UNKNOWN;
            }
            boolean first = carrying.contains(in.get(0).node());
            if (first == carrying.contains(in.get(1).node())) {
                return Verdict.UNKNOWN;
            }
            double[] c = constant(in.get(first ? 1 : 0));
            if (c == null || c.length == 0) {
                return Verdict.UNKNOWN;
            }
            String name = serving.readableName(n) + " (" + op + ")";
            switch (op) {
                case "Mul":
                    if (all(c, x -> x == 1)) {
                        return Verdict.PASS;
                    }
                    return all(c, x -> x != 0 && Math.abs(x) <= 0.01)
                            ? Verdict.of(name + " multiplies the input by " + values(c, true)) : Verdict.UNKNOWN;
                case "RealDiv":
                case "Div":
                    if (!first) {
                        return Verdict.UNKNOWN;
                    }
                    if (all(c, x -> x == 1)) {
                        return Verdict.PASS;
                    }
                    return all(c, x -> Math.abs(x) >= 100)
                            ? Verdict.of(name + " divides the input by " + values(c, false)) : Verdict.UNKNOWN;
                case "Sub":
                case "AddV2":
                case "Add":
                case "BiasAdd":
                    if (op.equals("Sub") && !first) {
                        return Verdict.UNKNOWN;
                    }
                    if (all(c, x -> x == 0)) {
                        return Verdict.PASS;
                    }
                    return all(c, x -> Math.abs(x) >= 50)
                            ? Verdict.of(name + (op.equals("Sub") ? " subtracts " : " adds ") + values(c, false)
                                    + (op.equals("Sub") ? " from" : " to") + " the input (mean pixel values of 0..255 images)")
                            : Verdict.UNKNOWN;
                default:
                    return Verdict.UNKNOWN;
            }
        }

        /** The values of {@code t} when it is a small constant (no input, no placeholder upstream), else null. */
        private double[] constant(TensorName t) {
            Set<String> upstream = view.ancestors(List.of(t.node()));
            if (upstream.size() > 64) {
                return null;
            }
            for (String a : upstream) {
                if (carrying.contains(a) || !CONSTANT_OPS.contains(view.node(a).getOp())) {
                    return null;
                }
            }
            try (Result r = serving.session().runner().fetch(t.node(), t.index()).run()) {
                return doubles(r.get(0));
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** What one op on the walk means: values pass on, only the shape is read, no evidence, or a scaling. */
    private record Verdict(Kind kind, InputScaling scaling) {
        enum Kind { PASS, SHAPE, UNKNOWN, SCALES }

        static final Verdict PASS = new Verdict(Kind.PASS, null);
        static final Verdict SHAPE = new Verdict(Kind.SHAPE, null);
        static final Verdict UNKNOWN = new Verdict(Kind.UNKNOWN, null);

        static Verdict of(String what) {
            return new Verdict(Kind.SCALES, new InputScaling(0, 255, what + ": the model takes raw 0..255 pixels"));
        }
    }

    /** The values of a small numeric tensor, else null. */
    private static double[] doubles(Tensor t) {
        long n = t.shape().size();
        if (n > MAX_CONSTANT_SIZE || !(t instanceof NdArray<?> array)) {
            return null;
        }
        double[] v = new double[(int) n];
        int i = 0;
        for (NdArray<?> s : array.scalars()) {
            Object x = s.getObject();
            if (!(x instanceof Number number)) {
                return null;
            }
            v[i++] = t instanceof TUint8 ? number.byteValue() & 0xff : number.doubleValue();
        }
        return v;
    }

    private static boolean all(double[] values, java.util.function.DoublePredicate p) {
        for (double x : values) {
            if (!p.test(x)) {
                return false;
            }
        }
        return true;
    }

    /** {@code 0.00392 (1/255)}, {@code 127.5} or {@code [103.9, 116.8, 123.7]} (distinct values, at most 3). */
    private static String values(double[] c, boolean reciprocal) {
        double[] distinct = java.util.Arrays.stream(c).distinct().limit(4).toArray();
        if (distinct.length > 1) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < Math.min(3, distinct.length); i++) {
                b.append(i > 0 ? ", " : "").append(number(distinct[i]));
            }
            return b.append(distinct.length > 3 ? ", …]" : "]").toString();
        }
        double x = distinct[0];
        String s = number(x);
        double inverse = 1 / x;
        if (reciprocal && Math.abs(inverse - Math.rint(inverse * 2) / 2) < 1e-3 * Math.abs(inverse)) {
            s += " (1/" + number(Math.rint(inverse * 2) / 2) + ")";
        }
        return s;
    }

    /** Four significant digits, no trailing zeros: {@code 0.003922}, {@code 127.5}, {@code -103.9}. */
    private static String number(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
