package sc.fiji.gradcam.parity;

/**
 * How closely two maps agree: Pearson's correlation and the largest absolute difference relative to the peer's
 * largest absolute value. Two all-zero maps agree exactly (correlation 1, difference 0); an all-zero map against a
 * non-zero one has correlation 0.
 */
record Agreement(double pearson, double relDiff) {

    static Agreement of(double[] peer, double[] ours) {
        if (peer.length != ours.length) {
            throw new IllegalArgumentException(peer.length + " peer values, " + ours.length + " ours");
        }
        double peerMax = maxAbs(peer);
        double diff = 0;
        for (int i = 0; i < peer.length; i++) {
            diff = Math.max(diff, Math.abs(peer[i] - ours[i]));
        }
        double rel = peerMax > 0 ? diff / peerMax : diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        return new Agreement(pearson(peer, ours), rel);
    }

    /** Whether the correlation is at least {@code minPearson} and the relative difference at most {@code maxRel}. */
    boolean within(double minPearson, double maxRel) {
        return pearson >= minPearson && relDiff <= maxRel;
    }

    /** {@link sc.fiji.gradcam.api.RankCorrelation#pearson}; two constant maps agree when they are equal. */
    static double pearson(double[] a, double[] b) {
        double r = sc.fiji.gradcam.api.RankCorrelation.pearson(a, b);
        if (!Double.isNaN(r)) {
            return r;
        }
        boolean constantA = java.util.Arrays.stream(a).allMatch(v -> v == a[0]);
        boolean constantB = java.util.Arrays.stream(b).allMatch(v -> v == b[0]);
        return constantA && constantB && java.util.Arrays.equals(a, b) ? 1 : 0;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** {@code (v − min) / (max − min)}, or all zeros for a constant map: the scale-free form of a normalised map. */
    static double[] minMax(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length && hi > lo; i++) {
            out[i] = (v[i] - lo) / (hi - lo);
        }
        return out;
    }

    /** {@code v / max|v|}, or {@code v} when it is all zero. */
    static double[] byMaxAbs(double[] v) {
        double m = maxAbs(v);
        double[] out = v.clone();
        for (int i = 0; i < out.length && m > 0; i++) {
            out[i] /= m;
        }
        return out;
    }
}
