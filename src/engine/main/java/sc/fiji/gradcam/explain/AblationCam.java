package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;

/**
 * Ablation-CAM (Desai &amp; Ramaswamy, WACV 2020), as pytorch-grad-cam's {@code AblationCAM} computes it, for one
 * image: for each channel k of the target layer, {@code A^k} is set to zero and the network is run on from that layer;
 * {@code y_c^k} is the target class score then, {@code y_c} the score of the unablated activations. The weights are
 * {@code w_k = (y_c − y_c^k) / |y_c|}, the map {@code ReLU(Σ_k w_k A^k)} (eigen_smooth: {@link GradCam#weightedMap}).
 * The score is the request's ({@link sc.fiji.gradcam.api.ScoreKind}, the logit by default).
 * <p>
 * <b>How:</b> TensorFlow can feed any tensor of a graph. Each run feeds the layer's output tensor
 * ({@link Layer#tensor()}) with copies of the image's activations, one channel zeroed in each, and the image itself,
 * repeated, as the input, and fetches the scores; TensorFlow computes only what lies downstream of the fed tensor,
 * plus what the scores also need from the input: a skip connection from before the layer keeps its unablated values,
 * as it should (the ablation is of that layer's output). The copies go in runs of {@link BatchRun#rowsPerRun()} rows,
 * each built just before its run. {@code y_c} comes from an unablated copy fed the same way in the first run (the
 * model's own score up to rounding — activations are fetched as float32 — and the same rounding then cancels in the
 * differences). A channel that is zero everywhere is not run: zeroing it changes nothing, so its weight is 0 (and it
 * adds nothing to the map whatever its weight).
 * <p>
 * Deviations from pytorch-grad-cam. <b>Division:</b> it divides by {@code y_c} itself; here by {@code |y_c|}, the same
 * for a positive score, but a negative one (a negative logit; a log-probability is always negative) flips every
 * weight's sign there, so that its map shows the channels whose removal <em>raises</em> the score. Where
 * {@code y_c = 0} (pytorch-grad-cam divides by zero: infinities and NaN) the weights are the differences
 * {@code y_c − y_c^k} themselves: any positive divisor gives the same normalised map. <b>Ablated value:</b> its
 * {@code AblationLayer} writes 0 only when the smallest activation of the layer is exactly 0 (as after a ReLU) and
 * {@code min − 1e7} otherwise; here the channel is always set to 0, the paper's ablation (the same on layers that have
 * a zero anywhere, such as a ReLU's output). <b>y_c:</b> pytorch-grad-cam runs the whole model on the input for it.
 */
final class AblationCam {

    private AblationCam() {}

    /**
     * The channel weights for row {@code row} of run {@code f} (its activations {@code fh × fw × k} per row in
     * {@code layout}); the row's model input and class are in {@code p}.
     */
    static double[] weights(Perturbation p, int row, Layer layer, BatchRun.Fetched f, int fh, int fw, int k,
            DataLayout layout) {
        int positions = fh * fw;
        int per = positions * k;
        int offset = row * per;
        int ps = layout.positionStride(positions, k);
        int cs = layout.channelStride(positions, k);
        float[] a = f.activations();
        // the copies to run: first the unablated one (-1), for y_c, then one per channel that is not all zero
        int[] jobs = new int[k + 1];
        int count = 0;
        jobs[count++] = -1;
        for (int ch = 0; ch < k; ch++) {
            if (!zero(a, offset + ch * cs, ps, positions)) {
                jobs[count++] = ch;
            }
        }
        int perInput = p.perInput();
        double[] scores = p.classScores(row, count, (start, rows) -> {
            float[] copies = new float[rows * per];
            float[] inputs = new float[rows * perInput];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(a, offset, copies, r * per, per);
                int ch = jobs[start + r];
                for (int q = 0; q < positions && ch >= 0; q++) {
                    copies[r * per + ch * cs + q * ps] = 0;
                }
                System.arraycopy(p.inputs(), row * perInput, inputs, r * perInput, perInput);
            }
            long[] shape = f.layerShape().clone();
            shape[0] = rows;
            return new Perturbation.Run(inputs, new BatchRun.LayerFeed(layer, copies, shape));
        });
        double y = scores[0];
        double divisor = y != 0 ? Math.abs(y) : 1;
        double[] weights = new double[k];
        for (int j = 1; j < count; j++) {
            weights[jobs[j]] = (y - scores[j]) / divisor;
        }
        return weights;
    }

    /** Whether the {@code positions} values at {@code base}, {@code stride} apart, are all 0. */
    private static boolean zero(float[] a, int base, int stride, int positions) {
        for (int q = 0; q < positions; q++) {
            if (a[base + q * stride] != 0) {
                return false;
            }
        }
        return true;
    }
}
