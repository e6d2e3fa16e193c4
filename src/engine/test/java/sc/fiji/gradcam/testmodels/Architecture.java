package sc.fiji.gradcam.testmodels;

/** The small image-classifier topologies {@link TestModels} can build. */
public enum Architecture {
    /** conv+BiasAdd+Relu ×2, MaxPool, conv+Relu, Flatten (Reshape), dense MatMul+BiasAdd, Softmax. */
    VGG,
    /** conv+Relu ×3, global average pool (Mean over H,W), dense MatMul+BiasAdd, Softmax: the CAM topology. */
    GAP,
    /** conv+BN+Relu, then a residual block (conv+BN+Relu, conv+BN, AddV2 skip, Relu), GAP, dense. */
    RESIDUAL,
    /** conv(stride 2)+BN+Relu6, depthwise+BN+Relu6, pointwise+BN, an inverted residual with AddV2 skip,
     * 1×1 conv+BN+Relu6, GAP, dense. */
    MOBILENET
}
