package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.DataLayout;

/**
 * Grad-CAM (Selvaraju et al., eq. 1–2) for one image: {@code alpha_k = (1/Z) sum_ij dy/dA^k_ij} and
 * {@code L = ReLU(sum_k alpha_k A^k)}. The counterfactual map uses {@code -dy/dA^k}. Activations and
 * gradients are NHWC slices, {@code a[(i * w + j) * k + c]}, or NCHW ones, {@code a[(c * h + i) * w + j]}; the map
 * is {@code [h, w]} either way. Its per-channel sums, weighted maps and
 * position-major copies also serve {@link CamVariants}.
 * <p>
 * <b>Eigen smoothing</b> (pytorch-grad-cam's {@code eigen_smooth}, {@code BaseCAM.get_cam_image}): instead of summing
 * the weighted activations {@code alpha_k A^k} over the channels, the map is the ReLU of their projection on their first
 * principal axis ({@link PrincipalProjection}, with EigenCAM's centring and sign rule); the same for every method whose
 * map is a per-position combination of weighted activations ({@link #weightedMap}).
 */
public final class GradCam {

    private GradCam() {}

    /** The channel weights alpha_k of NHWC gradients (see the layout-aware form). */
    public static double[] weights(float[] grad, int offset, int positions, int channels, boolean counterfactual) {
        return weights(grad, offset, positions, channels, DataLayout.NHWC, counterfactual);
    }

    /** The channel weights alpha_k: the spatial mean of the gradient, negated for the counterfactual. */
    public static double[] weights(float[] grad, int offset, int positions, int channels, DataLayout layout,
            boolean counterfactual) {
        // plain stride loops on Grad-CAM's own path (no visitor): it runs on every explanation
        double[] alpha = new double[channels];
        int ps = layout.positionStride(positions, channels);
        int cs = layout.channelStride(positions, channels);
        for (int p = 0; p < positions; p++) {
            int base = offset + p * ps;
            for (int c = 0; c < channels; c++) {
                alpha[c] += grad[base + c * cs];
            }
        }
        double sign = counterfactual ? -1.0 : 1.0;
        for (int c = 0; c < channels; c++) {
            alpha[c] = sign * alpha[c] / positions;
        }
        return alpha;
    }

    /** The raw map ReLU(sum_k alpha_k A^k) at feature resolution (positions = h * w) of NHWC activations. */
    public static float[] map(float[] activations, int offset, int positions, int channels, double[] alpha) {
        return map(activations, offset, positions, channels, DataLayout.NHWC, alpha);
    }

    /** The raw map ReLU(sum_k alpha_k A^k) at feature resolution (positions = h * w). */
    public static float[] map(float[] activations, int offset, int positions, int channels, DataLayout layout,
            double[] alpha) {
        return map(activations, offset, positions, channels, layout, alpha, false);
    }

    /** As {@link #map(float[], int, int, int, DataLayout, double[])}, eigen-smoothed when asked (see the class). */
    public static float[] map(float[] activations, int offset, int positions, int channels, DataLayout layout,
            double[] alpha, boolean eigenSmooth) {
        if (eigenSmooth) {
            return weightedMap(activations, offset, positions, channels, layout, (c, i) -> alpha[c], true);
        }
        double[] sums = new double[positions];
        int ps = layout.positionStride(positions, channels);
        int cs = layout.channelStride(positions, channels);
        for (int p = 0; p < positions; p++) {
            int base = offset + p * ps;
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += alpha[c] * activations[base + c * cs];
            }
            sums[p] = sum;
        }
        return relu(sums);
    }

    /** A value per entry of one image's feature map: channel {@code c}, array index {@code i}. */
    @FunctionalInterface
    interface EntryValue {
        double at(int c, int i);
    }

    /** One entry of one image's feature map: position {@code p} (of h * w), channel {@code c}, index {@code i}. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(int p, int c, int i);
    }

    /**
     * Visits every entry of one image's feature map at {@code offset} ({@code positions} = h * w, {@code channels}
     * deep, in {@code layout}), position by position and, within a position, channel by channel.
     */
    static void forEachEntry(int offset, int positions, int channels, DataLayout layout, EntryVisitor visitor) {
        int ps = layout.positionStride(positions, channels);
        int cs = layout.channelStride(positions, channels);
        for (int p = 0; p < positions; p++) {
            int base = offset + p * ps;
            for (int c = 0; c < channels; c++) {
                visitor.visit(p, c, base + c * cs);
            }
        }
    }

    /**
     * Per channel, the sum over the positions of {@code value} for one image's feature map at {@code offset}
     * ({@code positions} = h * w, {@code channels} deep, in {@code layout}).
     */
    static double[] channelSums(int offset, int positions, int channels, DataLayout layout, EntryValue value) {
        double[] sums = new double[channels];
        forEachEntry(offset, positions, channels, layout, (p, c, i) -> sums[c] += value.at(c, i));
        return sums;
    }

    /** One image's {@code value}s position-major, {@code [p * channels + c]}, whatever {@code layout} is. */
    static double[] positionMajor(int offset, int positions, int channels, DataLayout layout, EntryValue value) {
        double[] out = new double[positions * channels];
        forEachEntry(offset, positions, channels, layout, (p, c, i) -> out[p * channels + c] = value.at(c, i));
        return out;
    }

    /**
     * Per position, ReLU(sum_k weight(k, ij) A^k_ij) for one image's activations (the map is [h, w]); with
     * {@code eigenSmooth}, the ReLU of the first principal component projection of the weighted activations
     * {@code weight(k, ij) A^k_ij} instead of their sum.
     */
    static float[] weightedMap(float[] activations, int offset, int positions, int channels, DataLayout layout,
            EntryValue weight, boolean eigenSmooth) {
        if (eigenSmooth) {
            return principalMap(offset, positions, channels, layout, (c, i) -> weight.at(c, i) * activations[i]);
        }
        double[] sums = new double[positions];
        forEachEntry(offset, positions, channels, layout, (p, c, i) -> sums[p] += weight.at(c, i) * activations[i]);
        return relu(sums);
    }

    /** ReLU of the {@link PrincipalProjection} of one image's {@code value}s: EigenCAM's map, or an eigen-smoothed one. */
    static float[] principalMap(int offset, int positions, int channels, DataLayout layout, EntryValue value) {
        double[] x = positionMajor(offset, positions, channels, layout, value);
        return relu(PrincipalProjection.of(x, positions, channels));
    }

    /** {@code max(0, v)} of each value, as floats. */
    static float[] relu(double[] values) {
        float[] map = new float[values.length];
        for (int p = 0; p < values.length; p++) {
            map[p] = (float) Math.max(0, values[p]);
        }
        return map;
    }

    /** Grad-CAM of image {@code n} of a batch of [n, h, w, k] activations and gradients. */
    public static float[] compute(float[] activations, float[] grad, int n, int h, int w, int k,
            boolean counterfactual) {
        return compute(activations, grad, n, h, w, k, DataLayout.NHWC, counterfactual);
    }

    /**
     * Grad-CAM of image {@code n} of a batch of activations and gradients in {@code layout} ([n, h, w, k] or
     * [n, k, h, w]).
     */
    public static float[] compute(float[] activations, float[] grad, int n, int h, int w, int k, DataLayout layout,
            boolean counterfactual) {
        return compute(activations, grad, n, h, w, k, layout, counterfactual, false);
    }

    /** As {@link #compute(float[], float[], int, int, int, int, DataLayout, boolean)}, eigen-smoothed when asked. */
    public static float[] compute(float[] activations, float[] grad, int n, int h, int w, int k, DataLayout layout,
            boolean counterfactual, boolean eigenSmooth) {
        int offset = n * h * w * k;
        double[] alpha = weights(grad, offset, h * w, k, layout, counterfactual);
        return map(activations, offset, h * w, k, layout, alpha, eigenSmooth);
    }
}
