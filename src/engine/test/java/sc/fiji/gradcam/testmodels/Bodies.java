package sc.fiji.gradcam.testmodels;

import org.tensorflow.Output;

/** The four architectures, written once against {@link Net} so every save style gets the same ops. */
final class Bodies {

    /** What a body built: its output and where the Grad-CAM target and the final dense layer are. */
    static final class Body {
        final Output<?> output;
        final Output<?> lastConv;
        final long[] lastConvShape;
        final String denseLayer;

        Body(Output<?> output, Output<?> lastConv, long[] lastConvShape, String denseLayer) {
            this.output = output;
            this.lastConv = lastConv;
            this.lastConvShape = lastConvShape;
            this.denseLayer = denseLayer;
        }
    }

    private Bodies() {}

    static Body build(Net n, TestModelSpec s, Output<?> image) {
        if (s.layout() == Layout.ONNX_TF) {
            return s.architecture() == Architecture.VGG ? vggChannelsFirst(n, s, image) : gapChannelsFirst(n, s, image);
        }
        if (s.layout() == Layout.NCHW_INPUT) {
            image = n.transpose("transpose", image, 0, 2, 3, 1);
        }
        switch (s.architecture()) {
            case VGG: return vgg(n, s, image);
            case GAP: return gap(n, s, image);
            case RESIDUAL: return residual(n, s, image);
            case MOBILENET: return mobilenet(n, s, image);
            default: throw new AssertionError(s.architecture());
        }
    }

    private static Output<?> head(Net n, TestModelSpec s, Output<?> features, long in) {
        Output<?> logits = n.dense("dense", features, in, s.classes());
        return n.activation("dense", logits, s.activation());
    }

    private static Body vgg(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        x = n.relu("conv2d", n.conv("conv2d", x, 3, s.channels(), f, 1, true));
        x = n.relu("conv2d_1", n.conv("conv2d_1", x, 3, f, f, 1, true));
        x = n.maxPool("max_pooling2d", x);
        long h = s.height() / 2;
        long w = s.width() / 2;
        Output<?> last = n.relu("conv2d_2", n.conv("conv2d_2", x, 3, f, 2L * f, 1, true));
        long flat = h * w * 2L * f;
        Output<?> out = head(n, s, n.flatten("flatten", last, flat), flat);
        return new Body(out, last, new long[] {h, w, 2L * f}, "dense");
    }

    private static Body gap(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        x = n.relu("conv2d", n.conv("conv2d", x, 3, s.channels(), f, 1, true));
        x = n.relu("conv2d_1", n.conv("conv2d_1", x, 3, f, 2L * f, 1, true));
        Output<?> last = n.relu("conv2d_2", n.conv("conv2d_2", x, 3, 2L * f, 2L * f, 1, true));
        Output<?> out = head(n, s, n.globalAveragePool("global_average_pooling2d", last), 2L * f);
        return new Body(out, last, new long[] {s.height(), s.width(), 2L * f}, "dense");
    }

    /** {@link #gap} as onnx-tf writes it ({@link Layout#ONNX_TF}): NCHW activations, BiasAdd(data_format NCHW). */
    private static Body gapChannelsFirst(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        x = n.relu("conv2d", n.convChannelsFirst("conv2d", x, 3, s.channels(), f, false));
        x = n.relu("conv2d_1", n.convChannelsFirst("conv2d_1", x, 3, f, 2L * f, false));
        Output<?> last = n.relu("conv2d_2", n.convChannelsFirst("conv2d_2", x, 3, 2L * f, 2L * f, false));
        Output<?> pooled = n.globalAveragePoolChannelsFirst("global_average_pooling2d", last, 2L * f);
        Output<?> out = head(n, s, pooled, 2L * f);
        return new Body(out, last, new long[] {s.height(), s.width(), 2L * f}, "dense");
    }

    /** {@link #vgg} as onnx-tf writes it ({@link Layout#ONNX_TF}): biases as AddV2 of [C, 1, 1], CHW flattening. */
    private static Body vggChannelsFirst(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        x = n.relu("conv2d", n.convChannelsFirst("conv2d", x, 3, s.channels(), f, true));
        x = n.relu("conv2d_1", n.convChannelsFirst("conv2d_1", x, 3, f, f, true));
        x = n.maxPoolChannelsFirst("max_pooling2d", x);
        long h = s.height() / 2;
        long w = s.width() / 2;
        Output<?> last = n.relu("conv2d_2", n.convChannelsFirst("conv2d_2", x, 3, f, 2L * f, true));
        long flat = h * w * 2L * f;
        Output<?> logits = n.denseChannelMajor("dense", n.flatten("flatten", last, flat), 2L * f, h, w, s.classes());
        Output<?> out = n.activation("dense", logits, s.activation());
        return new Body(out, last, new long[] {h, w, 2L * f}, "dense");
    }

    private static Body residual(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        x = n.conv("conv2d", x, 3, s.channels(), f, 1, false);
        x = n.relu("activation", n.batchNorm("batch_normalization", x, f));
        Output<?> skip = x;
        Output<?> y = n.conv("conv2d_1", x, 3, f, f, 1, false);
        y = n.relu("activation_1", n.batchNorm("batch_normalization_1", y, f));
        y = n.conv("conv2d_2", y, 3, f, f, 1, false);
        y = n.batchNorm("batch_normalization_2", y, f);
        Output<?> last = n.relu("activation_2", n.addV2("add", skip, y));
        Output<?> out = head(n, s, n.globalAveragePool("global_average_pooling2d", last), f);
        return new Body(out, last, new long[] {s.height(), s.width(), f}, "dense");
    }

    private static Body mobilenet(Net n, TestModelSpec s, Output<?> x) {
        int f = s.filters();
        long h = (s.height() + 1) / 2;
        long w = (s.width() + 1) / 2;
        x = n.conv("Conv1", x, 3, s.channels(), f, 2, false);
        x = n.relu6("Conv1_relu", n.batchNorm("bn_Conv1", x, f));
        // block 0: depthwise + linear pointwise projection
        x = n.depthwise("expanded_conv_depthwise", x, 3, f, 1);
        x = n.relu6("expanded_conv_depthwise_relu", n.batchNorm("expanded_conv_depthwise_BN", x, f));
        x = n.conv("expanded_conv_project", x, 1, f, f, 1, false);
        x = n.batchNorm("expanded_conv_project_BN", x, f);
        // block 1: inverted residual (expand ×4, depthwise, project) with AddV2 skip
        Output<?> skip = x;
        long e = 4L * f;
        Output<?> y = n.conv("block_1_expand", x, 1, f, e, 1, false);
        y = n.relu6("block_1_expand_relu", n.batchNorm("block_1_expand_BN", y, e));
        y = n.depthwise("block_1_depthwise", y, 3, e, 1);
        y = n.relu6("block_1_depthwise_relu", n.batchNorm("block_1_depthwise_BN", y, e));
        y = n.conv("block_1_project", y, 1, e, f, 1, false);
        y = n.batchNorm("block_1_project_BN", y, f);
        x = n.addV2("block_1_add", skip, y);
        // head conv
        x = n.conv("Conv_1", x, 1, f, 2L * f, 1, false);
        Output<?> last = n.relu6("out_relu", n.batchNorm("Conv_1_bn", x, 2L * f));
        Output<?> out = head(n, s, n.globalAveragePool("global_average_pooling2d", last), 2L * f);
        return new Body(out, last, new long[] {h, w, 2L * f}, "dense");
    }
}
