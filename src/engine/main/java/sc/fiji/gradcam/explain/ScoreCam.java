package sc.fiji.gradcam.explain;

import java.util.Arrays;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.image.Bilinear;

/**
 * Score-CAM (Wang et al. 2020, arXiv 1910.01279), as pytorch-grad-cam's {@code ScoreCAM} computes it, for one image:
 * each channel {@code A^k} of the target layer is upsampled to the model input, min-max scaled to a mask
 * {@code M^k = (up − min) / (max − min + 1e-8)}, the model input is multiplied by it (every input channel alike) and
 * run forward; {@code s_k} is the target class score of that masked input. The weights are
 * {@code w_k = softmax_k(s_k)}, the map {@code ReLU(Σ_k w_k A^k)} (eigen_smooth: {@link GradCam#weightedMap}).
 * Score-CAM's baseline score (of an all-black input) drops out of the softmax, which is shift-invariant.
 * <p>
 * The score is the request's ({@link sc.fiji.gradcam.api.ScoreKind}, the logit by default, as for Grad-CAM;
 * pytorch-grad-cam's {@code ClassifierOutputTarget} takes the raw model output, a logit for a PyTorch classifier).
 * The K masked inputs (K forward passes of the whole model per image and class) go through the model in runs of
 * {@link BatchRun#rowsPerRun()} rows, each run's inputs built just before it and dropped after, so memory stays at
 * one run's worth whatever K is. A channel that is constant over the feature map gets the mask 0 (its min-max range is
 * 0: {@code 0 / 1e-8}, as in pytorch-grad-cam wherever its upsampling keeps the constant exact), so all such channels
 * share the score of one all-zero input, run once.
 * <p>
 * Two deviations from pytorch-grad-cam. <b>Upsampling:</b> it uses {@code UpsamplingBilinear2d} (align corners:
 * the corner pixels of the feature map land on the corner pixels of the input); here the feature map is resampled
 * with pixel centres aligned ({@link Bilinear#resize}, edges clamped), the same mapping by which every CAM map is
 * brought back onto the image ({@link sc.fiji.gradcam.api.image.MapResampler}). <b>Masked values:</b> it multiplies the
 * tensor it is given, normalised outside the model; here the values fed to the model (after range mapping) are
 * multiplied: the same where the model normalises outside its graph or only scales inside it, not where the graph
 * subtracts an offset (a mask of 0 is then the input value 0, not the mean); a uint8 input is rounded.
 */
final class ScoreCam {

    /** pytorch-grad-cam's {@code 1e-8} in the denominator of the min-max scaling. */
    static final double EPS = 1e-8;

    private ScoreCam() {}

    /**
     * The channel weights {@code softmax_k(s_k)} for row {@code row} of a run: its activations are in {@code a}
     * ({@code fh × fw × k} per row, in {@code layout}), its model input and class in {@code p}.
     */
    static double[] weights(Perturbation p, int row, float[] a, int fh, int fw, int k, DataLayout layout) {
        int positions = fh * fw;
        int offset = row * positions * k;
        int ps = layout.positionStride(positions, k);
        int cs = layout.channelStride(positions, k);
        // the channels that get a mask of their own, then (-1) the all-zero mask all constant channels share
        int[] jobs = new int[k + 1];
        int count = 0;
        for (int ch = 0; ch < k; ch++) {
            if (!constant(a, offset + ch * cs, ps, positions)) {
                jobs[count++] = ch;
            }
        }
        boolean anyConstant = count < k;
        if (anyConstant) {
            jobs[count++] = -1;
        }
        int per = p.perInput();
        float[] plane = new float[positions];
        double[] jobScores = p.classScores(row, count, (start, rows) -> {
            float[] masked = new float[rows * per];
            for (int r = 0; r < rows; r++) {
                int ch = jobs[start + r];
                if (ch >= 0) {
                    for (int q = 0; q < positions; q++) {
                        plane[q] = a[offset + ch * cs + q * ps];
                    }
                    applyMask(p.inputs(), row * per, p.h() * p.w(), p.c(), mask(plane, fw, fh, p.w(), p.h()),
                            masked, r * per);
                }
            }
            return new Perturbation.Run(masked, null);
        });
        double[] scores = new double[k];
        if (anyConstant) {
            Arrays.fill(scores, jobScores[count - 1]);
        }
        for (int j = 0; j < count; j++) {
            if (jobs[j] >= 0) {
                scores[jobs[j]] = jobScores[j];
            }
        }
        return softmax(scores);
    }

    /** The mask of one feature-map channel ({@code fw × fh}): upsampled to {@code w × h}, min-max scaled to [0, 1]. */
    static float[] mask(float[] plane, int fw, int fh, int w, int h) {
        float[] up = Bilinear.resize(plane, fw, fh, w, h);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : up) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        for (int q = 0; q < up.length; q++) {
            up[q] = (float) ((up[q] - min) / (max - min + EPS));
        }
        return up;
    }

    /** One NHWC model input at {@code from} ({@code pixels × c}) times the mask {@code m}, written at {@code to}. */
    private static void applyMask(float[] input, int from, int pixels, int c, float[] m, float[] out, int to) {
        for (int q = 0; q < pixels; q++) {
            for (int ch = 0; ch < c; ch++) {
                out[to + q * c + ch] = input[from + q * c + ch] * m[q];
            }
        }
    }

    /** Whether the {@code positions} values at {@code base}, {@code stride} apart, are all equal. */
    private static boolean constant(float[] a, int base, int stride, int positions) {
        for (int q = 1; q < positions; q++) {
            if (a[base + q * stride] != a[base]) {
                return false;
            }
        }
        return true;
    }

    /** {@code exp(s_k) / Σ_j exp(s_j)}, computed with the maximum subtracted. */
    static double[] softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.exp(s[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < s.length; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
