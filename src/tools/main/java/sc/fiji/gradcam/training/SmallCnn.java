package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Scope;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A plain VGG-style classifier: blocks of one or more conv 3x3 + BiasAdd + Relu, a 2x2 max-pool after
 * every block but the last, global average (or max, or both) pooling, a dense layer to the logits and a softmax;
 * or VGG-16's head ({@link Head#FLATTEN}): a pool after the last block too, flatten, {@code fc1} and {@code fc2}
 * (dense + ReLU), then the dense layer.
 *
 * <p>Op names in the graph (used by Grad-CAM and documented in the model READMEs):
 * {@code image} (input), {@code blockK/conv}, {@code blockK/bias_add}, {@code blockK/relu},
 * {@code blockK/pool}, {@code gap} (and/or {@code gmp}, {@code pooled}, see {@link Head}; or {@code flatten},
 * {@code fcI/matmul}, {@code fcI/bias_add}, {@code fcI/relu}), {@code dense/matmul}, {@code logits}, {@code probabilities}.
 * Variables are {@code blockK/kernel}, {@code blockK/bias}, {@code dense/kernel}, {@code dense/bias}.
 * A block with two or more convs has one sub-scope per conv: {@code blockK/convJ/conv},
 * {@code blockK/convJ/bias_add}, {@code blockK/convJ/relu}, variables {@code blockK/convJ/kernel} and
 * {@code blockK/convJ/bias} (J = 1, 2, ...), then {@code blockK/pool}.
 */
public final class SmallCnn implements ClassifierNet {

    /** A trainable tensor: its graph name, shape and fan-in (for He initialisation; 0 = zeros). */
    public record Param(String name, long[] shape, int fanIn) {
        public int size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return Math.toIntExact(n);
        }
    }

    /** The tensors of one forward pass. */
    public record Outputs(Operand<TFloat32> lastConv, Operand<TFloat32> logits, Operand<TFloat32> probabilities) {}

    private final int size;
    private final int channels;
    private final int[] widths;
    private final int classes;
    private final int[] convs;
    private final Head head;
    private final int fcWidth;

    /**
     * How the last conv map is pooled before the dense layer: global average ({@code gap}, the classic
     * CAM architecture, where Grad-CAM equals CAM), global max ({@code gmp}), or both concatenated
     * ({@code gap} and {@code gmp} into {@code pooled}); max pooling keeps a small, local feature such as
     * a parasite from being diluted by the rest of the cell. {@code flatten} is VGG-16's head: the last block is
     * pooled too, flattened (height, width, channel order, as Keras' Flatten on NHWC) and passed through two dense
     * + ReLU layers ({@code fc1}, {@code fc2}) before the dense layer to the logits.
     */
    public enum Head {
        AVG, MAX, AVG_MAX, FLATTEN;

        /** Parses {@code avg}, {@code max} or {@code avg-max}. */
        public static Head parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "avg" -> AVG;
                case "max" -> MAX;
                case "avg-max", "avg+max" -> AVG_MAX;
                case "flatten" -> FLATTEN;
                default -> throw new IllegalArgumentException(
                        "unknown head '" + text + "': use avg, max, avg-max or flatten");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** As {@link #SmallCnn(int, int, int[], int[], int)} with one conv per block. */
    public SmallCnn(int size, int channels, int[] widths, int classes) {
        this(size, channels, widths, null, classes);
    }

    /** As {@link #SmallCnn(int, int, int[], int[], int, Head)} with global average pooling. */
    public SmallCnn(int size, int channels, int[] widths, int[] convs, int classes) {
        this(size, channels, widths, convs, classes, Head.AVG);
    }

    /**
     * @param size     input height and width
     * @param channels input channels
     * @param widths   output channels of each conv block
     * @param convs    convs per block: null or one value for all blocks, else one value per block (each ≥ 1)
     * @param classes  number of classes
     * @param head     pooling of the last conv map
     */
    public SmallCnn(int size, int channels, int[] widths, int[] convs, int classes, Head head) {
        this(size, channels, widths, convs, classes, head, head == Head.FLATTEN ? 4096 : 0);
    }

    /**
     * As {@link #SmallCnn(int, int, int[], int[], int, Head)}, with the width of the {@link Head#FLATTEN flatten}
     * head's two hidden dense layers (4096 in VGG-16; ignored by the other heads).
     */
    public SmallCnn(int size, int channels, int[] widths, int[] convs, int classes, Head head, int fcWidth) {
        if (head == Head.FLATTEN && (fcWidth < 1 || size >> widths.length < 1)) {
            throw new IllegalArgumentException("the flatten head needs fc width >= 1 and an input of at least 2^"
                    + widths.length + " pixels (got " + fcWidth + ", " + size + ")");
        }
        this.size = size;
        this.head = head;
        this.fcWidth = head == Head.FLATTEN ? fcWidth : 0;
        this.channels = channels;
        this.widths = widths.clone();
        this.classes = classes;
        this.convs = new int[widths.length];
        for (int b = 0; b < widths.length; b++) {
            int c = convs == null || convs.length == 0 ? 1 : convs.length == 1 ? convs[0] : convs[b];
            if (c < 1) {
                throw new IllegalArgumentException("convs per block must be at least 1");
            }
            this.convs[b] = c;
        }
        if (convs != null && convs.length > 1 && convs.length != widths.length) {
            throw new IllegalArgumentException("give one convs-per-block value, or one per block (" + widths.length + ")");
        }
    }

    /** Pooling of the last conv map. */
    public Head head() {
        return head;
    }

    /** Width of the flatten head's {@code fc1} and {@code fc2}; 0 for the other heads. */
    public int fcWidth() {
        return fcWidth;
    }

    /** Convs in each block. */
    public int[] convsPerBlock() {
        return convs.clone();
    }

    /** Scope of conv {@code j} (1-based) of block {@code b} (1-based): {@code blockB} or {@code blockB/convJ}. */
    private String convScope(int b, int j) {
        return convs[b - 1] == 1 ? "block" + b : "block" + b + "/conv" + j;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int classes() {
        return classes;
    }

    /** Height and width of the last conv map. */
    @Override
    public int lastConvSize() {
        return size >> (widths.length - 1);
    }

    /** Name of the op producing the last conv activation (the usual Grad-CAM target layer). */
    @Override
    public String lastConvOpName() {
        return convScope(widths.length, convs[widths.length - 1]) + "/relu";
    }

    /** The trainable tensors, in a fixed order. */
    public List<Param> params() {
        List<Param> params = new ArrayList<>();
        int in = channels;
        for (int b = 0; b < widths.length; b++) {
            for (int j = 1; j <= convs[b]; j++) {
                String scope = convScope(b + 1, j);
                params.add(new Param(scope + "/kernel", new long[] {3, 3, in, widths[b]}, 9 * in));
                params.add(new Param(scope + "/bias", new long[] {widths[b]}, 0));
                in = widths[b];
            }
        }
        int pooled = head == Head.AVG_MAX ? 2 * in : in;
        if (head == Head.FLATTEN) {
            int side = size >> widths.length;
            int flat = side * side * in;
            params.add(new Param("fc1/kernel", new long[] {flat, fcWidth}, flat));
            params.add(new Param("fc1/bias", new long[] {fcWidth}, 0));
            params.add(new Param("fc2/kernel", new long[] {fcWidth, fcWidth}, fcWidth));
            params.add(new Param("fc2/bias", new long[] {fcWidth}, 0));
            pooled = fcWidth;
        }
        params.add(new Param("dense/kernel", new long[] {pooled, classes}, pooled));
        params.add(new Param("dense/bias", new long[] {classes}, 0));
        return params;
    }

    /** He-normal weights (Glorot-like scale for the dense layer), zero biases. */
    public static float[] initialValue(Param p, Random random) {
        float[] v = new float[p.size()];
        if (p.fanIn() > 0) {
            double std = Math.sqrt((p.name().startsWith("dense") ? 1.0 : 2.0) / p.fanIn());
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * std);
            }
        }
        return v;
    }

    /** Creates the tensor holding a weight, named {@code param}'s last path element within {@code scope}. */
    @FunctionalInterface
    public interface Weights {
        Operand<TFloat32> create(Ops scope, Param param);
    }

    /**
     * A 2x2 {@code MaxPool} (the V1 op with the window as attributes, as Keras writes it; Ops'
     * {@code nn.maxPool} would emit {@code MaxPoolV2} with the window as tensor inputs).
     */
    private static Operand<TFloat32> maxPool2x2(Ops named, Operand<TFloat32> x) {
        Scope scope = named.scope();
        OperationBuilder b = scope.opBuilder("MaxPool", "MaxPool")
                .addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, 2, 2, 1})
                .setAttr("strides", new long[] {1, 2, 2, 1})
                .setAttr("padding", "VALID");
        return b.build().<TFloat32>output(0);
    }

    private Operand<TFloat32> pool(Ops tf, Operand<TFloat32> lastConv, Weights factory) {
        Operand<org.tensorflow.types.TInt32> spatial = tf.constant(new int[] {1, 2});
        return switch (head) {
            case FLATTEN -> {
                Operand<TFloat32> pooled = maxPool2x2(tf.withSubScope("block" + widths.length).withName("pool"),
                        lastConv);
                Map<String, Param> byName = paramsByName();
                Operand<TFloat32> x = tf.withName("flatten").reshape(pooled,
                        tf.constant(new long[] {-1, byName.get("fc1/kernel").shape()[0]}));
                for (String fc : List.of("fc1", "fc2")) {
                    Ops layer = tf.withSubScope(fc);
                    Operand<TFloat32> kernel = factory.create(layer, byName.get(fc + "/kernel"));
                    Operand<TFloat32> bias = factory.create(layer, byName.get(fc + "/bias"));
                    x = layer.withName("relu").nn.relu(layer.withName("bias_add").nn.biasAdd(
                            layer.withName("matmul").linalg.matMul(x, kernel), bias));
                }
                yield x;
            }
            case AVG -> tf.withName("gap").math.mean(lastConv, spatial);
            case MAX -> tf.withName("gmp").max(lastConv, spatial);
            case AVG_MAX -> tf.withName("pooled").concat(List.of(
                    tf.withName("gap").math.mean(lastConv, spatial),
                    tf.withName("gmp").max(lastConv, spatial)), tf.constant(1));
        };
    }

    /** Builds the forward pass on {@code image} ([N, size, size, channels]), creating the weights. */
    @Override
    public Outputs build(Ops tf, Operand<TFloat32> image, Weights factory) {
        return build(tf, image, factory, x -> x);
    }

    /**
     * As {@link #build(Ops, Operand, Weights)}, with {@code features} applied to the pooled features
     * before the dense layer (the trainer puts dropout there; the exported graph has none).
     */
    public Outputs build(Ops tf, Operand<TFloat32> image, Weights factory,
            java.util.function.UnaryOperator<Operand<TFloat32>> features) {
        Operand<TFloat32> lastConv = convStack(tf, image, factory);
        Operand<TFloat32> pooled = features.apply(pool(tf, lastConv, factory));
        Outputs head = dense(tf, pooled, paramsByName()::get, factory);
        return new Outputs(lastConv, head.logits(), head.probabilities());
    }

    private Map<String, Param> paramsByName() {
        Map<String, Param> byName = new java.util.HashMap<>();
        params().forEach(p -> byName.put(p.name(), p));
        return byName;
    }

    /**
     * The conv blocks only, on {@code image}: returns the last conv activation ({@link #lastConvOpName()}
     * within {@code tf}'s scope), creating the conv weights (not the dense ones).
     */
    public Operand<TFloat32> convStack(Ops tf, Operand<TFloat32> image, Weights factory) {
        Map<String, Param> byName = paramsByName();
        java.util.function.BiFunction<Ops, String, Operand<TFloat32>> weight =
                (scope, name) -> factory.create(scope, byName.get(name));
        Operand<TFloat32> x = image;
        Operand<TFloat32> lastConv = null;
        for (int b = 1; b <= widths.length; b++) {
            Ops block = tf.withSubScope("block" + b);
            Operand<TFloat32> relu = x;
            for (int j = 1; j <= convs[b - 1]; j++) {
                Ops layer = convs[b - 1] == 1 ? block : block.withSubScope("conv" + j);
                String scope = convScope(b, j);
                Operand<TFloat32> kernel = weight.apply(layer, scope + "/kernel");
                Operand<TFloat32> bias = weight.apply(layer, scope + "/bias");
                Operand<TFloat32> conv = layer.withName("conv").nn.conv2d(relu, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
                Operand<TFloat32> biased = layer.withName("bias_add").nn.biasAdd(conv, bias);
                relu = layer.withName("relu").nn.relu(biased);
            }
            if (b < widths.length) {
                x = maxPool2x2(block.withName("pool"), relu);
            } else {
                lastConv = relu;
            }
        }
        return lastConv;
    }

    /**
     * The classifier on pooled features: {@code dense/matmul} + {@code logits} ({@code BiasAdd}) +
     * {@code probabilities} ({@code Softmax}), with the weights {@code dense/kernel} and {@code dense/bias}
     * looked up in {@code params}. The returned {@code lastConv} is null.
     */
    static Outputs dense(Ops tf, Operand<TFloat32> pooled, java.util.function.Function<String, Param> params,
            Weights factory) {
        Ops denseScope = tf.withSubScope("dense");
        Operand<TFloat32> denseKernel = factory.create(denseScope, params.apply("dense/kernel"));
        Operand<TFloat32> denseBias = factory.create(denseScope, params.apply("dense/bias"));
        Operand<TFloat32> dense = denseScope.withName("matmul").linalg.matMul(pooled, denseKernel);
        Operand<TFloat32> logits = tf.withName("logits").nn.biasAdd(dense, denseBias);
        Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
        return new Outputs(null, logits, probabilities);
    }
}
