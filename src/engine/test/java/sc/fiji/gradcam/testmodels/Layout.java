package sc.fiji.gradcam.testmodels;

/**
 * Where a test model keeps its channels: in the image input, and in its feature maps.
 *
 * <p>Every layout of a spec gets the same weights (drawn in the same order) and computes the same function of the
 * image, so an NCHW model's predictions and maps can be checked against its NHWC twin.
 */
public enum Layout {
    /** Input {@code [N, H, W, C]}, feature maps NHWC: what Keras writes by default. */
    NHWC,
    /**
     * Input {@code [N, C, H, W]} followed by {@code Transpose(perm [0, 2, 3, 1])} to NHWC (named {@code transpose}),
     * then the NHWC body: a Keras {@code channels_first} input permuted once. Every architecture.
     */
    NCHW_INPUT,
    /**
     * What onnx-tf writes on a CPU for a model converted from PyTorch: input {@code [N, C, H, W]}, every conv wrapped
     * as {@code Transpose(NCHW→NHWC)} → {@code Conv2D} (NHWC) → {@code Transpose(NHWC→NCHW)}, its bias and ReLU in
     * NCHW, max pooling wrapped the same way, global average pooling as {@code Mean} over axes 2, 3 keeping them
     * ({@code [N, C, 1, 1]}) and a {@code Reshape}. {@link Architecture#GAP} adds its conv biases with
     * {@code BiasAdd(data_format NCHW)}; {@link Architecture#VGG} with {@code AddV2} of the bias reshaped to
     * {@code [C, 1, 1]} (onnx-tf's own form) and flattens in channel-major order, its dense kernel rows permuted to
     * match. Only these two architectures.
     */
    ONNX_TF;

    /** Whether the image input is {@code [N, C, H, W]}. */
    public boolean channelsFirstInput() {
        return this != NHWC;
    }
}
