package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A small 2-D U-Net (Ronneberger et al. 2015) for pixel classes, built as Keras writes one: per level two conv 3×3 +
 * BiasAdd + ReLU, a 2×2 max-pool down, nearest-neighbour upsampling ×2 ({@code ResizeNearestNeighbor} with the size
 * computed from the tensor's shape, like {@code UpSampling2D}), concatenation with the encoder's skip, two convs, and
 * a 1×1 conv to the class logits with a softmax over the last axis. Any height and width that is a multiple of
 * {@link #step()} goes through (the placeholder is {@code [-1, -1, -1, C]}).
 *
 * <p>Op names: {@code image} (input), {@code downL/convJ/{conv,bias_add,relu}}, {@code downL/pool},
 * {@code bottleneck/convJ/...}, {@code upL/upsample}, {@code upL/concat}, {@code upL/convJ/...}, {@code head/conv},
 * {@code logits}, {@code probabilities} (L = 1 at full resolution; J = 1, 2). Variables {@code .../kernel},
 * {@code .../bias}.
 */
public final class UNet {

    /** The tensors of one forward pass. */
    public record Outputs(Operand<TFloat32> bottleneck, Operand<TFloat32> logits, Operand<TFloat32> probabilities) {}

    private final int channels;
    private final int[] widths;
    private final int classes;

    /**
     * @param channels input channels
     * @param widths   channels of each level, full resolution first; the last is the bottleneck (≥ 2 levels)
     * @param classes  pixel classes (softmax channels)
     */
    public UNet(int channels, int[] widths, int classes) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("a U-Net needs at least two levels (widths), got " + widths.length);
        }
        this.channels = channels;
        this.widths = widths.clone();
        this.classes = classes;
    }

    public int channels() {
        return channels;
    }

    public int classes() {
        return classes;
    }

    public int[] widths() {
        return widths.clone();
    }

    /** Height and width must be multiples of this: 2^(levels − 1). */
    public int step() {
        return 1 << (widths.length - 1);
    }

    /** The bottleneck's last ReLU (the dense default layer of the explainer, checked by the tests). */
    public String bottleneckOpName() {
        return "bottleneck/conv2/relu";
    }

    /**
     * Receptive-field radius of an output pixel in input pixels (half the receptive field of the deepest path, rounded
     * up): what tiles must overlap by, the BioImage.IO halo.
     */
    public int radius() {
        int field = 1;
        int jump = 1;
        for (int l = 0; l < widths.length - 1; l++) {
            field += 4 * jump + jump; // two 3×3 convs, then the 2×2 pool
            jump *= 2;
        }
        field += 4 * jump; // the bottleneck's two convs
        for (int l = 0; l < widths.length - 1; l++) {
            jump /= 2; // nearest upsampling
            field += 4 * jump; // two convs
        }
        return (field + 1) / 2;
    }

    /** The trainable tensors, in the order {@link #build} creates them. */
    public List<SmallCnn.Param> params() {
        List<SmallCnn.Param> p = new ArrayList<>();
        int in = channels;
        for (int l = 0; l < widths.length - 1; l++) {
            in = convPair(p, "down" + (l + 1), in, widths[l]);
        }
        in = convPair(p, "bottleneck", in, widths[widths.length - 1]);
        for (int l = widths.length - 2; l >= 0; l--) {
            in = convPair(p, "up" + (l + 1), in + widths[l], widths[l]);
        }
        p.add(new SmallCnn.Param("head/kernel", new long[] {1, 1, in, classes}, in));
        p.add(new SmallCnn.Param("head/bias", new long[] {classes}, 0));
        return p;
    }

    private static int convPair(List<SmallCnn.Param> p, String scope, int in, int out) {
        p.add(new SmallCnn.Param(scope + "/conv1/kernel", new long[] {3, 3, in, out}, 9 * in));
        p.add(new SmallCnn.Param(scope + "/conv1/bias", new long[] {out}, 0));
        p.add(new SmallCnn.Param(scope + "/conv2/kernel", new long[] {3, 3, out, out}, 9 * out));
        p.add(new SmallCnn.Param(scope + "/conv2/bias", new long[] {out}, 0));
        return out;
    }

    /** Builds the forward pass on {@code image} ([N, H, W, channels]), creating the weights with {@code factory}. */
    public Outputs build(Ops tf, Operand<TFloat32> image, SmallCnn.Weights factory) {
        Map<String, SmallCnn.Param> byName = new java.util.HashMap<>();
        params().forEach(q -> byName.put(q.name(), q));
        Operand<TFloat32> x = image;
        List<Operand<TFloat32>> skips = new ArrayList<>();
        for (int l = 0; l < widths.length - 1; l++) {
            Ops level = tf.withSubScope("down" + (l + 1));
            x = convPair(level, x, "down" + (l + 1), byName, factory);
            skips.add(x);
            x = maxPool2x2(level.withName("pool"), x);
        }
        Operand<TFloat32> bottleneck = convPair(tf.withSubScope("bottleneck"), x, "bottleneck", byName, factory);
        x = bottleneck;
        for (int l = widths.length - 2; l >= 0; l--) {
            Ops level = tf.withSubScope("up" + (l + 1));
            Operand<TInt32> size = level.math.mul(level.stridedSlice(level.shape(x), level.constant(new int[] {1}),
                    level.constant(new int[] {3}), level.constant(new int[] {1})), level.constant(new int[] {2, 2}));
            Operand<TFloat32> up = level.withName("upsample").image.resizeNearestNeighbor(x, size);
            x = level.withName("concat").concat(List.of(skips.get(l), up), level.constant(-1));
            x = convPair(level, x, "up" + (l + 1), byName, factory);
        }
        Ops head = tf.withSubScope("head");
        Operand<TFloat32> kernel = factory.create(head, byName.get("head/kernel"));
        Operand<TFloat32> bias = factory.create(head, byName.get("head/bias"));
        Operand<TFloat32> conv = head.withName("conv").nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
        Operand<TFloat32> logits = tf.withName("logits").nn.biasAdd(conv, bias);
        Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
        return new Outputs(bottleneck, logits, probabilities);
    }

    private static Operand<TFloat32> convPair(Ops level, Operand<TFloat32> x, String scope,
            Map<String, SmallCnn.Param> byName, SmallCnn.Weights factory) {
        Operand<TFloat32> y = x;
        for (int j = 1; j <= 2; j++) {
            Ops layer = level.withSubScope("conv" + j);
            Operand<TFloat32> kernel = factory.create(layer, byName.get(scope + "/conv" + j + "/kernel"));
            Operand<TFloat32> bias = factory.create(layer, byName.get(scope + "/conv" + j + "/bias"));
            Operand<TFloat32> conv = layer.withName("conv").nn.conv2d(y, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
            y = layer.withName("relu").nn.relu(layer.withName("bias_add").nn.biasAdd(conv, bias));
        }
        return y;
    }

    /** A 2×2 {@code MaxPool} (V1, window as attributes, as Keras writes it). */
    private static Operand<TFloat32> maxPool2x2(Ops named, Operand<TFloat32> x) {
        Scope scope = named.scope();
        return scope.opBuilder("MaxPool", "MaxPool").addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, 2, 2, 1}).setAttr("strides", new long[] {1, 2, 2, 1})
                .setAttr("padding", "VALID").build().<TFloat32>output(0);
    }
}
