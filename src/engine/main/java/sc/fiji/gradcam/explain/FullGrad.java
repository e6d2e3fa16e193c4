package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.image.Bilinear;

/**
 * FullGrad (Srinivas &amp; Fleuret 2019, arXiv 1905.00780), as pytorch-grad-cam's {@code FullGrad} computes it:
 * <pre>
 *   S = ψ( Σ_c ψ_c(|x ⊙ ∂y_c/∂x|) + Σ_l Σ_c up(ψ_c(|b_l ⊙ ∂y_c/∂z_l|)) )
 * </pre>
 * over the input x and every bias-carrying layer l ({@link sc.fiji.gradcam.graph.BiasLayers}: a convolution's bias,
 * a batch norm's {@code β − μγ/√(σ² + ε)}) with output z_l and bias b_l broadcast over its channels; ψ_c scales one
 * channel to [0, 1] at its own resolution ({@code (m − min) / (max − min + 1e-7)}, the peer's
 * {@code scale_cam_image}), {@code up} resizes it bilinearly to the input with pixel centres aligned (as
 * {@code cv2.resize} does; {@link Bilinear#resize}), and the outer ψ scales the sum the same way. The input term is
 * at the input's resolution already. The map has one value per input pixel and lies in [0, 1].
 */
final class FullGrad {

    /** The peer's {@code scale_cam_image} guard: a constant channel scales to 0. */
    static final double EPS = 1e-7;

    private FullGrad() {}

    /**
     * The FullGrad map of row {@code row} of a run ({@code h × w} values), from the input {@code x} (this row's,
     * NHWC, {@code c} channels) and the run's FullGrad fetches.
     */
    static float[] map(float[] x, int row, int h, int w, int c, BatchRun.FullGradValues v) {
        double[] sum = new double[h * w];
        int per = h * w * c;
        float[] term = new float[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                term[i] = (float) Math.abs((double) x[i * c + ch] * v.inputGradient()[row * per + i * c + ch]);
            }
            add(sum, scaled(term));
        }
        for (int l = 0; l < v.layers().size(); l++) {
            DataLayout layout = v.layers().get(l).layout();
            long[] s = layout.toNhwc(v.layerShapes().get(l));
            int lh = (int) s[1];
            int lw = (int) s[2];
            int lc = (int) s[3];
            double[] b = v.biases().get(l);
            float[] g = v.layerGradients().get(l);
            int positions = lh * lw;
            int base = row * positions * lc;
            int ps = layout.positionStride(positions, lc);
            int cs = layout.channelStride(positions, lc);
            // Σ_c up(ψ_c(·)) = up(Σ_c ψ_c(·)): the bilinear resize is linear (fixed taps, weights summing to 1), so the
            // layer's scaled channels are summed at its own resolution and resized once, not once per channel (2,048
            // resizes to the input per layer of ResNet-50's last stage); equal up to float rounding
            float[] plane = new float[positions];
            double[] layerSum = new double[positions];
            for (int k = 0; k < lc; k++) {
                double bk = b.length == 1 ? b[0] : b[k];
                for (int p = 0; p < positions; p++) {
                    plane[p] = (float) Math.abs(bk * g[base + p * ps + k * cs]);
                }
                add(layerSum, scaled(plane));
            }
            float[] layerMap = new float[positions];
            for (int p = 0; p < positions; p++) {
                layerMap[p] = (float) layerSum[p];
            }
            add(sum, positions == h * w && lh == h ? layerMap : Bilinear.resize(layerMap, lw, lh, w, h));
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double s : sum) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        float[] out = new float[h * w];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((sum[i] - min) / (max - min + EPS));
        }
        return out;
    }

    /** ψ: {@code (m − min) / (max − min + 1e-7)}, in place, returned. */
    static float[] scaled(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : m) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) ((m[i] - min) / (max - min + EPS));
        }
        return m;
    }

    private static void add(double[] sum, float[] term) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += term[i];
        }
    }
}
