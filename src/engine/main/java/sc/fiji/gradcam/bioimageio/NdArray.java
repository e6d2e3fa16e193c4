package sc.fiji.gradcam.bioimageio;

import java.util.Arrays;
import java.util.List;

/**
 * An n-d float array in C (row-major) order with named axes (the description's axis ids), what the pre- and
 * postprocessing and the verify runner work on.
 */
public record NdArray(List<String> axes, int[] shape, float[] data) {

    public NdArray {
        axes = List.copyOf(axes);
        shape = shape.clone();
        if (axes.size() != shape.length) {
            throw new IllegalArgumentException("axes " + axes + " do not match the shape " + Arrays.toString(shape));
        }
        if (size(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size(shape)
                    + " values, not " + data.length);
        }
    }

    static long size(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Index of axis {@code id}, or -1. */
    public int axis(String id) {
        return axes.indexOf(id);
    }

    /** A copy holding {@code values} (same axes and shape). */
    public NdArray with(float[] values) {
        return new NdArray(axes, shape, values);
    }

    public long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    /** C-order strides in elements. */
    int[] strides() {
        int[] s = new int[shape.length];
        int st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = st;
            st *= shape[d];
        }
        return s;
    }

    /**
     * For each element, the index of its group when the axes in {@code keep} tell groups apart and all other axes
     * are pooled (groups numbered in C order over the kept axes).
     */
    int[] groupOf(boolean[] keep) {
        int n = data.length;
        int[] group = new int[n];
        int[] idx = new int[shape.length];
        int[] gstride = new int[shape.length];
        int g = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            gstride[d] = keep[d] ? g : 0;
            if (keep[d]) {
                g *= shape[d];
            }
        }
        int current = 0;
        for (int i = 0; i < n; i++) {
            group[i] = current;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d]++;
                current += gstride[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                current -= gstride[d] * idx[d];
                idx[d] = 0;
            }
        }
        return group;
    }

    /** The number of groups {@link #groupOf} forms. */
    int groups(boolean[] keep) {
        int g = 1;
        for (int d = 0; d < shape.length; d++) {
            if (keep[d]) {
                g *= shape[d];
            }
        }
        return g;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdArray a && a.axes.equals(axes) && Arrays.equals(a.shape, shape)
                && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return axes.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NdArray" + axes + Arrays.toString(shape);
    }
}
