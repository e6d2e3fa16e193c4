package sc.fiji.gradcam.evaluation;

import java.util.Arrays;
import sc.fiji.gradcam.api.RankCorrelation;

/**
 * Quality metrics for saliency maps, on plain arrays (row-major maps and masks of the same size). A map
 * that is the same everywhere (e.g. an empty Grad-CAM map) carries no location information and is treated
 * as uniform: every pixel is a maximum, and its mass is spread evenly.
 */
public final class Metrics {

    private Metrics() {}

    /**
     * Pointing game: whether the map's maximum falls inside the mask. When several pixels tie for the
     * maximum (within 1e-6 of it), the result is the fraction of them inside the mask, i.e. the expected hit
     * of a maximum picked at random among them.
     */
    public static double pointingHit(float[] map, boolean[] mask) {
        check(map.length, mask.length);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : map) {
            max = Math.max(max, v);
        }
        double tol = 1e-6 * Math.max(1.0, Math.abs(max));
        int tied = 0;
        int inside = 0;
        for (int i = 0; i < map.length; i++) {
            if (map[i] >= max - tol) {
                tied++;
                if (mask[i]) {
                    inside++;
                }
            }
        }
        return tied == 0 ? 0 : (double) inside / tied;
    }

    /**
     * Energy (mass) inside the mask: the sum of the map's positive values inside over the sum everywhere.
     * A map without positive values counts as uniform (the mask's area fraction).
     */
    public static double energy(float[] map, boolean[] mask) {
        check(map.length, mask.length);
        double in = 0;
        double all = 0;
        for (int i = 0; i < map.length; i++) {
            double v = Math.max(0, map[i]);
            all += v;
            if (mask[i]) {
                in += v;
            }
        }
        return all > 0 ? in / all : fraction(mask);
    }

    /** Mass inside {@code a} over the mass inside {@code a} or {@code b} (0.5: no preference; NaN: no mass on either). */
    public static double discrimination(float[] map, boolean[] a, boolean[] b) {
        double ea = energy(map, a);
        double eb = energy(map, b);
        return ea + eb > 0 ? ea / (ea + eb) : Double.NaN;
    }

    /** The fraction of true pixels. */
    public static double fraction(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            if (b) {
                n++;
            }
        }
        return mask.length == 0 ? 0 : (double) n / mask.length;
    }

    /**
     * Area under a curve sampled at equally spaced points from x = 0 to x = 1 (trapezoidal rule); the
     * area is in units of y, e.g. a mean probability for deletion/insertion curves.
     */
    public static double auc(double[] y) {
        if (y.length < 2) {
            throw new IllegalArgumentException("A curve needs at least 2 points, got " + y.length);
        }
        double s = 0;
        for (int i = 1; i < y.length; i++) {
            s += (y[i - 1] + y[i]) / 2;
        }
        return s / (y.length - 1);
    }

    /** Spearman's rank correlation (Pearson correlation of the ranks, ties averaged); NaN if one side is constant. */
    public static double spearman(double[] a, double[] b) {
        return RankCorrelation.spearman(a, b);
    }

    /** Spearman for float maps (a primitive sort; same result as the double version). */
    public static double spearman(float[] a, float[] b) {
        return RankCorrelation.spearman(a, b);
    }

    /** 1-based ranks of floats, ties averaged (NaN not allowed). */
    public static double[] ranks(float[] v) {
        return RankCorrelation.ranks(v);
    }

    /** Pearson's correlation; NaN if one side is constant. */
    public static double pearson(double[] a, double[] b) {
        return RankCorrelation.pearson(a, b);
    }

    /** 1-based ranks, ties get the mean of their ranks. */
    public static double[] ranks(double[] v) {
        return RankCorrelation.ranks(v);
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void check(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("Sizes differ: " + a + " vs " + b);
        }
    }
}
