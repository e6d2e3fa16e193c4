package sc.fiji.gradcam.testmodels;

import org.tensorflow.Output;

/**
 * Value scaling a model may do itself right after its image input, as Keras preprocessing layers and
 * {@code tf.keras.applications.*.preprocess_input} write it (see {@link TestModels#build(TestModelSpec,
 * java.nio.file.Path, InputOps)}).
 */
public enum InputOps {
    /** Keras {@code Rescaling(1./255)}: {@code rescaling/mul} (Mul by 1/255), {@code rescaling/add} (AddV2 0). */
    RESCALING_1_255(true),
    /** {@code x / 127.5 - 1} ({@code preprocess_input}, mode "tf"): RealDiv by 127.5, then Sub 1. */
    DIV_127_5_SUB_1(true),
    /** {@code preprocess_input}, mode "caffe": RGB to BGR (ReverseV2 on channels), BiasAdd of minus the ImageNet means. */
    CAFFE_MEANS(true),
    /** Keras {@code Normalization} adapted on 0..255 images: Sub of the mean variable, RealDiv by sqrt(variance). */
    NORMALIZATION_255(true),
    /** {@code (x - 0.5) * 2}: a model that takes 0..1 and centres it itself. */
    CENTRE_UNIT(false);

    private final boolean expects255;

    InputOps(boolean expects255) {
        this.expects255 = expects255;
    }

    /** Whether the model built with these ops takes raw 0..255 pixels (else 0..1). */
    public boolean expects255() {
        return expects255;
    }

    Output<?> apply(Net n, TestModelSpec s, Output<?> x) {
        switch (this) {
            case RESCALING_1_255: {
                Output<?> y = n.op("Mul", "rescaling/mul", x, n.constant("rescaling/Cast/x", 1.0 / 255));
                return n.op("AddV2", "rescaling/add", y, n.constant("rescaling/Cast_1/x", 0.0));
            }
            case DIV_127_5_SUB_1: {
                Output<?> y = n.op("RealDiv", "truediv", x, n.constant("truediv/y", 127.5));
                return n.op("Sub", "sub", y, n.constant("sub/y", 1.0));
            }
            case CAFFE_MEANS: {
                Output<?> bgr = n.op("ReverseV2", "strided_slice", x, n.constInt("strided_slice/axis", -1));
                return n.builder("BiasAdd", "BiasAdd", bgr, n.constant("Const", means(s.channels(), -1)))
                        .setAttr("data_format", "NHWC").build().output(0);
            }
            case NORMALIZATION_255: {
                Output<?> mean = n.fixedWeight("normalization/mean", means(s.channels(), 1), s.channels());
                double[] var = new double[s.channels()];
                java.util.Arrays.fill(var, 60.0 * 60.0);
                Output<?> variance = n.fixedWeight("normalization/variance", var, s.channels());
                Output<?> y = n.op("Sub", "normalization/sub", x, mean);
                return n.op("RealDiv", "normalization/truediv", y, n.op("Sqrt", "normalization/Sqrt", variance));
            }
            case CENTRE_UNIT: {
                Output<?> y = n.op("Sub", "sub", x, n.constant("sub/y", 0.5));
                return n.op("Mul", "mul", y, n.constant("mul/y", 2.0));
            }
            default:
                throw new AssertionError(this);
        }
    }

    /** The ImageNet BGR means (103.939, 116.779, 123.68) times {@code sign}, repeated for other channel counts. */
    private static double[] means(int channels, double sign) {
        double[] m = {103.939, 116.779, 123.68};
        double[] out = new double[channels];
        for (int i = 0; i < channels; i++) {
            out[i] = sign * m[i % 3];
        }
        return out;
    }
}
