package sc.fiji.gradcam.model;

import java.util.Arrays;

/**
 * One input or output of a signature as the SignatureDef declares it.
 *
 * @param key the signature's key for it (e.g. {@code x}, {@code output_0})
 * @param tensor the graph tensor, e.g. {@code serving_default_x:0}
 * @param shape dimensions, -1 where unknown; null for unknown rank
 * @param dtype TensorFlow's name without the prefix, e.g. {@code float}, {@code double}, {@code uint8}
 */
public record TensorInfo(String key, String tensor, long[] shape, String dtype) {

    public int rank() {
        return shape == null ? -1 : shape.length;
    }

    @Override
    public String toString() {
        return key + " (" + tensor + ") " + (shape == null ? "[?]" : Arrays.toString(shape)) + " " + dtype;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.key.equals(key) && t.tensor.equals(tensor)
                && Arrays.equals(t.shape, shape) && t.dtype.equals(dtype);
    }

    @Override
    public int hashCode() {
        return tensor.hashCode();
    }
}
