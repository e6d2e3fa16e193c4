package sc.fiji.gradcam.training;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What the SavedModel writer and the exported-model checks need of a network: its input, its classes,
 * the Grad-CAM layer and the inference graph. Implemented by {@link SmallCnn} and {@link CnnEnsemble}.
 */
public interface ClassifierNet {

    /** Input height and width. */
    int size();

    /** Input channels. */
    int channels();

    /** Output classes. */
    int classes();

    /** Height and width of the map at {@link #lastConvOpName()}. */
    int lastConvSize();

    /** Name of the op whose output is the Grad-CAM layer (written as {@code layer=} in gradcam.properties). */
    String lastConvOpName();

    /** Builds the inference graph on {@code image} ([N, size, size, channels]), creating the weights. */
    SmallCnn.Outputs build(Ops tf, Operand<TFloat32> image, SmallCnn.Weights factory);
}
