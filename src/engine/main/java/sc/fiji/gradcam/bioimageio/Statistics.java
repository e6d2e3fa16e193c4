package sc.fiji.gradcam.bioimageio;

import java.util.Arrays;

/** Per-group statistics of an {@link NdArray}, as numpy computes them (exact, in double precision). */
final class Statistics {

    private Statistics() {}

    /** The values of each group (see {@link NdArray#groupOf}). */
    static float[][] split(NdArray x, boolean[] keep) {
        int[] group = x.groupOf(keep);
        int groups = x.groups(keep);
        int per = x.data().length / Math.max(1, groups);
        float[][] out = new float[groups][per];
        int[] fill = new int[groups];
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            out[group[i]][fill[group[i]]++] = v[i];
        }
        return out;
    }

    /** {@code [lo percentiles per group, hi percentiles per group]}. */
    static double[][] percentiles(NdArray x, boolean[] keep, double lo, double hi) {
        float[][] groups = split(x, keep);
        double[][] out = new double[2][groups.length];
        for (int g = 0; g < groups.length; g++) {
            float[] s = groups[g];
            Arrays.sort(s);
            out[0][g] = percentile(s, lo);
            out[1][g] = percentile(s, hi);
        }
        return out;
    }

    /** numpy's {@code percentile(v, p)} (method "linear") of sorted values. */
    static double percentile(float[] sorted, double p) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        double pos = p / 100.0 * (n - 1);
        int i = (int) Math.floor(pos);
        if (i >= n - 1) {
            return sorted[n - 1];
        }
        double a = sorted[i];
        double b = sorted[i + 1];
        double t = pos - i;
        // numpy's _lerp: from the nearer end, so that t = 1 gives b exactly
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    }

    /** {@code [means per group, population standard deviations per group]}. */
    static double[][] meanStd(NdArray x, boolean[] keep) {
        int[] group = x.groupOf(keep);
        int groups = x.groups(keep);
        double[] sum = new double[groups];
        long[] count = new long[groups];
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            sum[group[i]] += v[i];
            count[group[i]]++;
        }
        double[] mean = new double[groups];
        for (int g = 0; g < groups; g++) {
            mean[g] = sum[g] / count[g];
        }
        double[] sq = new double[groups];
        for (int i = 0; i < v.length; i++) {
            double d = v[i] - mean[group[i]];
            sq[group[i]] += d * d;
        }
        double[] std = new double[groups];
        for (int g = 0; g < groups; g++) {
            std[g] = Math.sqrt(sq[g] / count[g]);
        }
        return new double[][] {mean, std};
    }
}
