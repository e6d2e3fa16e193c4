package sc.fiji.gradcam.testmodels;

import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Output;

/**
 * Full-depth, ImageNet-shaped classifiers with random (seeded) weights, for benchmarks: the layer structure
 * of VGG-16, ResNet-50 and MobileNetV2 at 224×224×3 with Keras' layer names. Widths can be scaled down to
 * keep a benchmark short on a small machine; depth, strides and op types stay those of the real networks.
 *
 * <pre>{@code
 * TestModel m = BenchmarkModels.build(BenchmarkModels.Kind.RESNET50, 0.5, 1000, SaveStyle.FUNCTION_CALL, dir);
 * }</pre>
 *
 * <p>The returned {@link TestModel#spec()} has the input size, classes and style; its architecture field is
 * the nearest small {@link Architecture} and says nothing about these layers.
 */
public final class BenchmarkModels {

    /** The three network structures. */
    public enum Kind {
        /** 13 conv3×3+bias+ReLU in 5 blocks with 2×2 max pools (224 → 7), flatten, fc1, fc2 (ReLU), predictions. */
        VGG16(Architecture.VGG),
        /** conv7×7/2, max pool 3×3/2, 3+4+6+3 bottleneck blocks (1×1, 3×3, 1×1 conv + batch norm, projection
         * shortcut in each stage's first block, AddV2 skip), strides to 7×7, global average pool, predictions. */
        RESNET50(Architecture.RESIDUAL),
        /** conv3×3/2, 17 inverted residual blocks (1×1 expand ×6, depthwise 3×3, ReLU6, linear 1×1 project,
         * AddV2 skip where shapes match), strides to 7×7, 1×1 conv to 1280, global average pool, predictions. */
        MOBILENETV2(Architecture.MOBILENET);

        private final Architecture nearest;

        Kind(Architecture nearest) {
            this.nearest = nearest;
        }

        /** Short lower-case name, e.g. {@code resnet50}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private BenchmarkModels() {}

    /**
     * Builds {@code kind} for 224×224×3 input into {@code dir}.
     *
     * @param width width multiplier: 1.0 gives the real channel counts (64 first filters for VGG-16 and
     *     ResNet-50, alpha 1.0 for MobileNetV2), 0.5 half as many channels everywhere, and so on
     * @param classes output classes (1000 for ImageNet)
     */
    public static TestModel build(Kind kind, double width, int classes, SaveStyle style, Path dir) {
        return build(kind, width, 224, classes, style, 1L, dir);
    }

    /** Same with a square input of {@code size} (at least 32) and a seed. */
    public static TestModel build(Kind kind, double width, int size, int classes, SaveStyle style, long seed,
            Path dir) {
        if (!(width > 0) || size < 32) {
            throw new IllegalArgumentException("width must be > 0 and size >= 32: " + width + ", " + size);
        }
        TestModelSpec spec = TestModelSpec.of(kind.nearest, style).withInput(size, size, 3).withClasses(classes)
                .withFilters(scaled(64, width)).withSeed(seed);
        return TestModels.build(spec, dir, (net, s, image) -> {
            switch (kind) {
                case VGG16: return vgg16(net, s, image, width);
                case RESNET50: return resnet50(net, s, image, width);
                case MOBILENETV2: return mobilenetV2(net, s, image, width);
                default: throw new AssertionError(kind);
            }
        });
    }

    /** Channels scaled by {@code width}, rounded to a multiple of 8 (as Keras' MobileNet does), at least 8. */
    static int scaled(int channels, double width) {
        int c = Math.max(8, (int) (channels * width + 4) / 8 * 8);
        if (c < 0.9 * channels * width) {
            c += 8;
        }
        return c;
    }

    private static long out(long size, int stride) {
        return (size + stride - 1) / stride;
    }

    private static Bodies.Body head(Net n, TestModelSpec s, Output<?> last, long[] lastShape, Output<?> features,
            long in) {
        Output<?> logits = n.dense("predictions", features, in, s.classes());
        Output<?> out = n.activation("predictions", logits, s.activation());
        return new Bodies.Body(out, last, lastShape, "predictions");
    }

    // ---- VGG-16 ---------------------------------------------------------------------------------------------

    private static Bodies.Body vgg16(Net n, TestModelSpec s, Output<?> x, double width) {
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        long in = s.channels();
        long h = s.height();
        long w = s.width();
        Output<?> last = null;
        for (int b = 0; b < blocks.length; b++) {
            for (int c = 0; c < blocks[b].length; c++) {
                String name = "block" + (b + 1) + "_conv" + (c + 1);
                long outCh = scaled(blocks[b][c], width);
                x = n.relu(name, n.conv(name, x, 3, in, outCh, 1, true));
                in = outCh;
                last = x;
            }
            x = n.maxPool("block" + (b + 1) + "_pool", x);
            h /= 2;
            w /= 2;
        }
        // Grad-CAM's usual target is block5_conv3 (before the pool), 14×14 at 224
        long[] lastShape = {h * 2, w * 2, in};
        long flat = h * w * in;
        long fc = scaled(4096, width);
        x = n.flatten("flatten", x, flat);
        x = n.relu("fc1", n.dense("fc1", x, flat, fc));
        x = n.relu("fc2", n.dense("fc2", x, fc, fc));
        return head(n, s, last, lastShape, x, fc);
    }

    // ---- ResNet-50 ------------------------------------------------------------------------------------------

    private static Bodies.Body resnet50(Net n, TestModelSpec s, Output<?> x, double width) {
        long c1 = scaled(64, width);
        x = n.conv("conv1_conv", x, 7, s.channels(), c1, 2, true);
        x = n.relu("conv1_relu", n.batchNorm("conv1_bn", x, c1));
        x = n.maxPool("pool1_pool", x, 3, 2, "SAME");
        long h = out(out(s.height(), 2), 2);
        long w = out(out(s.width(), 2), 2);
        long in = c1;
        int[] filters = {64, 128, 256, 512};
        int[] blocks = {3, 4, 6, 3};
        for (int stage = 0; stage < 4; stage++) {
            long f = scaled(filters[stage], width);
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                String p = "conv" + (stage + 2) + "_block" + (b + 1) + "_";
                Output<?> shortcut = x;
                if (b == 0) {
                    shortcut = n.conv(p + "0_conv", x, 1, in, 4 * f, stride, true);
                    shortcut = n.batchNorm(p + "0_bn", shortcut, 4 * f);
                }
                Output<?> y = n.conv(p + "1_conv", x, 1, in, f, stride, true);
                y = n.relu(p + "1_relu", n.batchNorm(p + "1_bn", y, f));
                y = n.conv(p + "2_conv", y, 3, f, f, 1, true);
                y = n.relu(p + "2_relu", n.batchNorm(p + "2_bn", y, f));
                y = n.conv(p + "3_conv", y, 1, f, 4 * f, 1, true);
                y = n.batchNorm(p + "3_bn", y, 4 * f, Net.Init.GAMMA_SMALL);
                x = n.relu(p + "out", n.addV2(p + "add", shortcut, y));
                in = 4 * f;
                h = out(h, stride);
                w = out(w, stride);
            }
        }
        Output<?> last = x;
        return head(n, s, last, new long[] {h, w, in}, n.globalAveragePool("avg_pool", last), in);
    }

    // ---- MobileNetV2 ----------------------------------------------------------------------------------------

    private static Bodies.Body mobilenetV2(Net n, TestModelSpec s, Output<?> x, double alpha) {
        long c = scaled(32, alpha);
        x = n.conv("Conv1", x, 3, s.channels(), c, 2, false);
        x = n.relu6("Conv1_relu", n.batchNorm("bn_Conv1", x, c));
        long h = out(s.height(), 2);
        long w = out(s.width(), 2);
        // block 0 (expanded_conv): depthwise, then linear projection to 16
        x = n.depthwise("expanded_conv_depthwise", x, 3, c, 1);
        x = n.relu6("expanded_conv_depthwise_relu", n.batchNorm("expanded_conv_depthwise_BN", x, c));
        long in = scaled(16, alpha);
        x = n.conv("expanded_conv_project", x, 1, c, in, 1, false);
        x = n.batchNorm("expanded_conv_project_BN", x, in);
        // (expansion, channels, repeats, first stride)
        int[][] cfg = {{6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        int block = 1;
        for (int[] st : cfg) {
            long outCh = scaled(st[1], alpha);
            for (int r = 0; r < st[2]; r++) {
                int stride = r == 0 ? st[3] : 1;
                String p = "block_" + block + "_";
                long e = in * st[0];
                Output<?> y = n.conv(p + "expand", x, 1, in, e, 1, false);
                y = n.relu6(p + "expand_relu", n.batchNorm(p + "expand_BN", y, e));
                y = n.depthwise(p + "depthwise", y, 3, e, stride);
                y = n.relu6(p + "depthwise_relu", n.batchNorm(p + "depthwise_BN", y, e));
                y = n.conv(p + "project", y, 1, e, outCh, 1, false);
                boolean skip = stride == 1 && in == outCh;
                y = n.batchNorm(p + "project_BN", y, outCh, skip ? Net.Init.GAMMA_SMALL : Net.Init.GAMMA);
                x = skip ? n.addV2(p + "add", x, y) : y;
                in = outCh;
                h = out(h, stride);
                w = out(w, stride);
                block++;
            }
        }
        long last = alpha > 1.0 ? scaled(1280, alpha) : 1280;
        x = n.conv("Conv_1", x, 1, in, last, 1, false);
        Output<?> features = n.relu6("out_relu", n.batchNorm("Conv_1_bn", x, last));
        return head(n, s, features, new long[] {h, w, last}, n.globalAveragePool("global_average_pooling2d", features),
                last);
    }
}
