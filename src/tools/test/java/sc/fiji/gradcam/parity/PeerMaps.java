package sc.fiji.gradcam.parity;

import java.util.List;

/**
 * A net's peer maps turned into what docs/methods.md says this project computes instead (the documented deviations
 * from pytorch-grad-cam), and the small array helpers the comparisons need.
 */
final class PeerMaps {

    final PeerFixture f;
    final List<String> featureNames;
    final PeerFixture.Array feature;
    final PeerFixture.Array activations;
    final PeerFixture.Array gradients;

    PeerMaps(PeerFixture f) {
        this.f = f;
        featureNames = f.names("feature");
        feature = f.array("feature");
        activations = f.array("activations");
        gradients = f.array("gradients");
    }

    double[] pre(String name, int i, int c) {
        int j = featureNames.indexOf(name);
        if (j < 0) {
            throw new IllegalArgumentException("no peer map " + name);
        }
        return feature.slice(j, i, c);
    }

    /**
     * ReLU of the peer's pre-ReLU map, negated for Ablation-CAM where y_c &lt; 0, and for a projection signed to
     * correlate with the channel sum of what is projected (A, G ⊙ A, or the weighted activations, whose channel sum
     * is the method's unsmoothed map).
     */
    double[] expectedFeature(String name, int i, int c) {
        double[] map = signed(name, i, c);
        relu(map);
        return map;
    }

    private double[] signed(String name, int i, int c) {
        String method = base(name);
        double[] map = pre(name, i, c);
        if (method.equals("ablationcam") && f.logits.at(i, c) < 0) {
            negate(map);
        }
        if (method.equals("eigencam")) {
            signLike(map, channelSum(activations.slice(i), null, activations.shape()[1]));
        } else if (method.equals("eigengradcam")) {
            signLike(map, channelSum(activations.slice(i), gradients.slice(i, c), activations.shape()[1]));
        } else if (name.endsWith("+eigen")) {
            signLike(map, signed(name.substring(0, name.length() - "+eigen".length()), i, c));
        }
        return map;
    }

    /** Whether the peer's own map has the sign this project's has (no documented sign deviation applies). */
    boolean sameSignAsPeer(String name, int i, int c) {
        double[] ours = signed(name, i, c);
        double[] theirs = pre(name, i, c);
        return Agreement.maxAbs(theirs) == 0 || ours[argmaxAbs(theirs)] == theirs[argmaxAbs(theirs)];
    }

    /** Per position, Σ_k A (or Σ_k G·A) of NCHW values {@code [k, h, w]}. */
    static double[] channelSum(double[] a, double[] g, int k) {
        int positions = a.length / k;
        double[] out = new double[positions];
        for (int ch = 0; ch < k; ch++) {
            for (int p = 0; p < positions; p++) {
                int q = ch * positions + p;
                out[p] += g == null ? a[q] : g[q] * a[q];
            }
        }
        return out;
    }

    static String base(String name) {
        return name.replace("+eigen", "").replace("@centres", "");
    }

    static void signLike(double[] map, double[] reference) {
        double mm = 0;
        double mr = 0;
        for (int p = 0; p < map.length; p++) {
            mm += map[p] / map.length;
            mr += reference[p] / map.length;
        }
        double cov = 0;
        for (int p = 0; p < map.length; p++) {
            cov += (map[p] - mm) * (reference[p] - mr);
        }
        if (cov < 0) {
            negate(map);
        }
    }

    static void negate(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = -v[i];
        }
    }

    static void relu(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, v[i]);
        }
    }

    static double[] mirror(double[] map, int w) {
        double[] out = new double[map.length];
        for (int p = 0; p < map.length; p++) {
            out[p] = map[p - p % w + (w - 1 - p % w)];
        }
        return out;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    static int argmaxAbs(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = Math.abs(v[i]) > Math.abs(v[best]) ? i : best;
        }
        return best;
    }

    /** NCHW {@code [K, h, w]} values position-major, {@code [p * K + k]} (the NHWC order the support helpers use). */
    static double[] nchwToPositionMajor(double[] v, int k) {
        int positions = v.length / k;
        double[] out = new double[v.length];
        for (int ch = 0; ch < k; ch++) {
            for (int p = 0; p < positions; p++) {
                out[p * k + ch] = v[ch * positions + p];
            }
        }
        return out;
    }

    /** One image's HWC values ({@code shape}'s last three axes) planar, {@code [c][y][x]} like {@code MapImage}. */
    static double[] planar(double[] hwc, int[] shape) {
        int h = shape[shape.length - 3];
        int w = shape[shape.length - 2];
        int c = shape[shape.length - 1];
        double[] out = new double[hwc.length];
        for (int p = 0; p < h * w; p++) {
            for (int ch = 0; ch < c; ch++) {
                out[ch * h * w + p] = hwc[p * c + ch];
            }
        }
        return out;
    }

    static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

}
