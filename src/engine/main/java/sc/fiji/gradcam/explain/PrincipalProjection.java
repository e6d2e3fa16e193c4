package sc.fiji.gradcam.explain;

import java.util.Arrays;
import java.util.Random;

/**
 * pytorch-grad-cam's {@code get_2d_projection}, the core of EigenCAM and EigenGrad-CAM ({@link CamVariants}): one
 * image's values as a matrix X [positions, channels] (position-major, {@code x[p * channels + c]}), each channel's
 * mean over the positions subtracted (centred columns), projected on the first principal axis v, the first right
 * singular vector of the centred X: {@code p = X_c v}, one value per position.
 * <p>
 * v comes from power iteration on {@code X_cᵀ X_c} without forming it ({@code X_c v}, then {@code X_cᵀ (X_c v)},
 * normalised), in double precision, from a fixed pseudo-random start, until no component of v moves by more than
 * {@value #CONVERGED} or after {@value #MAX_ITERATIONS} steps.
 * <p>
 * Two deviations from pytorch-grad-cam. <b>Sign:</b> an SVD leaves it open (pytorch-grad-cam keeps its SVD's, so its
 * maps are sometimes inverted); here the projection is turned to correlate positively with the channel sum
 * {@code Σ_k X_pk} of the uncentred values (left as it comes when that correlation is exactly 0). <b>Constant
 * channels:</b> a channel whose centred values are all within {@value #CONSTANT} of its largest |value| is constant
 * up to the rounding of its mean and is centred to exactly 0, so that values equal at every position give a zero
 * projection rather than a map of rounding noise.
 */
public final class PrincipalProjection {

    /** Power iteration stops when no component of the unit vector v moves by more than this. */
    public static final double CONVERGED = 1e-12;
    /** Power iteration stops after this many steps at the latest. */
    public static final int MAX_ITERATIONS = 1000;
    /** Relative spread below which a channel counts as constant (see the class comment). */
    public static final double CONSTANT = 1e-10;

    private static final long START_SEED = 20080299L;

    private PrincipalProjection() {}

    /**
     * The projection of the centred {@code x} ({@code positions × channels}, position-major) on its first principal
     * axis, signed to correlate positively with the per-position channel sums of {@code x}; all zeros when every
     * channel is constant.
     */
    public static double[] of(double[] x, int positions, int channels) {
        double[] centred = centred(x, positions, channels);
        double[] v = firstAxis(centred, positions, channels);
        double[] projection = times(centred, v, positions, channels);
        double[] sums = times(x, ones(channels), positions, channels);
        double meanSum = 0;
        for (double s : sums) {
            meanSum += s / positions;
        }
        double covariance = 0;
        for (int p = 0; p < positions; p++) {
            covariance += projection[p] * (sums[p] - meanSum);
        }
        if (covariance < 0) {
            for (int p = 0; p < positions; p++) {
                projection[p] = -projection[p];
            }
        }
        return projection;
    }

    /** {@code x} with each column's mean subtracted; constant columns (see the class comment) become exactly 0. */
    static double[] centred(double[] x, int positions, int channels) {
        double[] centred = new double[x.length];
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            double largest = 0;
            for (int p = 0; p < positions; p++) {
                mean += x[p * channels + c];
                largest = Math.max(largest, Math.abs(x[p * channels + c]));
            }
            mean /= positions;
            double spread = 0;
            for (int p = 0; p < positions; p++) {
                centred[p * channels + c] = x[p * channels + c] - mean;
                spread = Math.max(spread, Math.abs(centred[p * channels + c]));
            }
            if (spread <= CONSTANT * largest) {
                for (int p = 0; p < positions; p++) {
                    centred[p * channels + c] = 0;
                }
            }
        }
        return centred;
    }

    /** The unit first right singular vector of {@code centred} by power iteration; zeros when it is all zero. */
    static double[] firstAxis(double[] centred, int positions, int channels) {
        Random random = new Random(START_SEED);
        double[] v = new double[channels];
        for (int c = 0; c < channels; c++) {
            v[c] = random.nextGaussian();
        }
        v = unit(v);
        for (int step = 0; step < MAX_ITERATIONS && v != null; step++) {
            double[] next = unit(transposeTimes(centred, times(centred, v, positions, channels), positions, channels));
            if (next == null || maxAbsDiff(next, v) <= CONVERGED) {
                v = next;
                break;
            }
            v = next;
        }
        return v == null ? new double[channels] : v;
    }

    /** {@code X v}: one value per position. */
    private static double[] times(double[] x, double[] v, int positions, int channels) {
        double[] out = new double[positions];
        for (int p = 0; p < positions; p++) {
            double s = 0;
            for (int c = 0; c < channels; c++) {
                s += x[p * channels + c] * v[c];
            }
            out[p] = s;
        }
        return out;
    }

    /** {@code Xᵀ u}: one value per channel. */
    private static double[] transposeTimes(double[] x, double[] u, int positions, int channels) {
        double[] out = new double[channels];
        for (int p = 0; p < positions; p++) {
            for (int c = 0; c < channels; c++) {
                out[c] += x[p * channels + c] * u[p];
            }
        }
        return out;
    }

    /** {@code v} scaled to length 1, or null when it is zero. */
    private static double[] unit(double[] v) {
        double norm = 0;
        for (double e : v) {
            norm += e * e;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) {
            return null;
        }
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / norm;
        }
        return u;
    }

    private static double[] ones(int n) {
        double[] v = new double[n];
        Arrays.fill(v, 1);
        return v;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
