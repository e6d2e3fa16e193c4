package sc.fiji.gradcam.api;

import java.util.Arrays;

/**
 * Spearman's rank correlation of two maps (and the Pearson correlation and ranks it is made of), for the
 * model-randomisation sanity check: the evaluation and the Fiji Sanity Check command compute it here.
 */
public final class RankCorrelation {

    private RankCorrelation() {}

    /** Spearman's rank correlation (Pearson correlation of the ranks, ties averaged); NaN if one side is constant. */
    public static double spearman(double[] a, double[] b) {
        check(a.length, b.length);
        return pearson(ranks(a), ranks(b));
    }

    /** Spearman for float maps (a primitive sort; same result as the double version). */
    public static double spearman(float[] a, float[] b) {
        check(a.length, b.length);
        return pearson(ranks(a), ranks(b));
    }

    /** 1-based ranks of floats, ties averaged (NaN not allowed). */
    public static double[] ranks(float[] v) {
        int n = v.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(v[i] == 0f ? 0f : v[i]);
            int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff; // order-preserving as signed int
            keys[i] = ((long) sortable << 32) | (i & 0xffffffffL);
        }
        java.util.Arrays.sort(keys);
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && (int) (keys[j + 1] >> 32) == (int) (keys[i] >> 32)) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[(int) keys[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }

    /** Pearson's correlation; NaN if one side is constant. */
    public static double pearson(double[] a, double[] b) {
        check(a.length, b.length);
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Double.NaN;
    }

    /** 1-based ranks, ties get the mean of their ranks. */
    public static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = rank;
            }
            i = j + 1;
        }
        return r;
    }

    private static void check(int a, int b) {
        if (a != b) {
            throw new IllegalArgumentException("Sizes differ: " + a + " vs " + b);
        }
    }
}
