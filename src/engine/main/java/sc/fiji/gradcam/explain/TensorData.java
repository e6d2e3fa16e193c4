package sc.fiji.gradcam.explain;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TUint8;

/** Copies between Java float arrays and native tensors of the model's input type. */
final class TensorData {

    private TensorData() {}

    /** A new tensor (the caller closes it) of {@code dtype} ({@code float}, {@code double} or {@code uint8}). */
    static Tensor tensor(float[] values, long[] shape, String dtype) {
        Shape s = Shape.of(shape);
        switch (dtype) {
            case "float":
                return TFloat32.tensorOf(s, DataBuffers.of(values, true, false));
            case "double": {
                double[] d = new double[values.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = values[i];
                }
                return TFloat64.tensorOf(s, DataBuffers.of(d, true, false));
            }
            case "uint8": {
                byte[] b = new byte[values.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Math.max(0, Math.min(255, Math.round(values[i])));
                }
                return TUint8.tensorOf(s, DataBuffers.of(b, true, false));
            }
            default:
                throw new IllegalArgumentException("The model's input type '" + dtype
                        + "' is not supported; use a model with a float32, float64 or uint8 image input.");
        }
    }

    /** The tensor's values as floats (row-major). */
    static float[] floats(Tensor t) {
        long n = t.shape().size();
        float[] out = new float[(int) n];
        if (t instanceof TFloat32 f) {
            f.asRawTensor().data().asFloats().read(out);
        } else if (t instanceof TFloat64 d) {
            double[] tmp = new double[(int) n];
            d.asRawTensor().data().asDoubles().read(tmp);
            for (int i = 0; i < tmp.length; i++) {
                out[i] = (float) tmp[i];
            }
        } else {
            throw new IllegalStateException("Unexpected tensor type " + t.dataType());
        }
        return out;
    }
}
