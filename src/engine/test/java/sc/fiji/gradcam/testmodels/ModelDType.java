package sc.fiji.gradcam.testmodels;

import org.tensorflow.proto.DataType;

/** Element type of the model input, weights and output. */
public enum ModelDType {
    FLOAT32(DataType.DT_FLOAT),
    /** Double precision, for finite-difference gradient checks; batch norm is then built unfused (Mul/Add). */
    FLOAT64(DataType.DT_DOUBLE);

    private final DataType tf;

    ModelDType(DataType tf) {
        this.tf = tf;
    }

    /** The TensorFlow data type. */
    public DataType tf() {
        return tf;
    }
}
