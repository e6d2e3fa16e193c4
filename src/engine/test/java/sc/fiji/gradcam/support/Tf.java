package sc.fiji.gradcam.support;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import sc.fiji.gradcam.api.DataLayout;

/** Tensor helpers for tests: doubles in and out, in the model's float type. */
public final class Tf {

    private Tf() {}

    /** A new tensor of {@code dtype} ({@code float} or {@code double}, as in {@code TensorInfo.dtype()}). */
    public static Tensor tensor(double[] values, long[] shape, String dtype) {
        if (dtype.equals("double")) {
            return TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(f, true, false));
    }

    public static Tensor tensor(float[] values, long[] shape, String dtype) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return tensor(d, shape, dtype);
    }

    /** The values of a float or double tensor as doubles (row-major). */
    public static double[] doubles(Tensor t) {
        int n = (int) t.shape().size();
        double[] out = new double[n];
        if (t instanceof TFloat64 d) {
            d.asRawTensor().data().asDoubles().read(out);
        } else if (t instanceof TFloat32 f) {
            float[] tmp = new float[n];
            f.asRawTensor().data().asFloats().read(tmp);
            for (int i = 0; i < n; i++) {
                out[i] = tmp[i];
            }
        } else {
            throw new IllegalArgumentException("not a float tensor: " + t.dataType());
        }
        return out;
    }

    /** {@code f} as doubles. */
    public static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** One image's values in {@code layout} ({@code positions} = h·w, {@code k} channels) reordered to NHWC. */
    public static double[] toNhwc(double[] a, DataLayout layout, int positions, int k) {
        return reorder(a, layout, positions, k, true);
    }

    /** One image's NHWC values reordered to {@code layout}. */
    public static double[] fromNhwc(double[] nhwc, DataLayout layout, int positions, int k) {
        return reorder(nhwc, layout, positions, k, false);
    }

    private static double[] reorder(double[] v, DataLayout layout, int positions, int k, boolean toNhwc) {
        int ps = layout.positionStride(positions, k);
        int cs = layout.channelStride(positions, k);
        double[] out = new double[v.length];
        for (int p = 0; p < positions; p++) {
            for (int c = 0; c < k; c++) {
                if (toNhwc) {
                    out[p * k + c] = v[p * ps + c * cs];
                } else {
                    out[p * ps + c * cs] = v[p * k + c];
                }
            }
        }
        return out;
    }

    /** Copies {@code x} {@code times} times along a new leading batch axis. */
    public static double[] repeat(double[] x, int times) {
        double[] out = new double[x.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(x, 0, out, i * x.length, x.length);
        }
        return out;
    }

    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    public static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Pearson correlation ({@link sc.fiji.gradcam.api.RankCorrelation#pearson}). */
    public static double correlation(double[] a, double[] b) {
        return sc.fiji.gradcam.api.RankCorrelation.pearson(a, b);
    }
}
