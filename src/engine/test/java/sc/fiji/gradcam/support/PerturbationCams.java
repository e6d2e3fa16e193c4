package sc.fiji.gradcam.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Score-CAM and Ablation-CAM written out plainly, to check the explainer against: the test builds the masked inputs or
 * the ablated activations itself, runs the model on all of them in one batch through {@link Runs} and turns the class
 * scores into the weights. Activations and inputs here are NHWC ({@code [p * k + ch]}), whatever the model's layouts.
 */
public final class PerturbationCams {

    private PerturbationCams() {}

    /** One image's model input (NHWC, as the explainer prepares it) and its activations at a layer (NHWC). */
    public record Sample(double[] input, int h, int w, int c, double[] activations, int fh, int fw, int k) {}

    /** The model input the explainer prepares for {@code image} and the activations of {@code layer} for it. */
    public static Sample sample(LoadedModel m, InputImage image, Layer layer) {
        Preprocessing p = ExplainRequest.defaults().preprocessing().resolve(m);
        return sample(m, Tf.doubles(Preprocessor.prepare(image, p).values()), p.height(), p.width(), p.channels(),
                layer);
    }

    /** {@code input} (NHWC, {@code h × w × c}) and the activations of {@code layer} for it. */
    public static Sample sample(LoadedModel m, double[] input, int h, int w, int c, Layer layer) {
        int fh = (int) layer.height();
        int fw = (int) layer.width();
        int k = (int) layer.channels();
        double[] a = Runs.run(m, toModel(m, input, h * w, c), 1, null, -1, layer.tensor()).get(0);
        return new Sample(input, h, w, c, Tf.toNhwc(a, layer.layout(), fh * fw, k), fh, fw, k);
    }

    /**
     * Score-CAM's weights: for each channel, its map resized to the input with pixel centres aligned, edges clamped,
     * scaled to {@code (v − min) / (max − min + 1e-8)}, times every channel of the input; the K masked inputs run
     * in one batch; the softmax over the channels of their class-{@code c} scores.
     */
    public static double[] scoreCamWeights(LoadedModel m, Sample s, int c, ScoreKind kind) {
        int pixels = s.h() * s.w();
        double[] batch = new double[s.k() * pixels * s.c()];
        for (int ch = 0; ch < s.k(); ch++) {
            double[] plane = new double[s.fh() * s.fw()];
            for (int p = 0; p < plane.length; p++) {
                plane[p] = s.activations()[p * s.k() + ch];
            }
            double[] up = resize(plane, s.fw(), s.fh(), s.w(), s.h());
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : up) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double[] masked = new double[pixels * s.c()];
            for (int i = 0; i < masked.length; i++) {
                masked[i] = s.input()[i] * (up[i / s.c()] - min) / (max - min + 1e-8);
            }
            System.arraycopy(toModel(m, masked, pixels, s.c()), 0, batch, ch * masked.length, masked.length);
        }
        double[] scores = classScores(m, batch, s.k(), null, c, kind);
        double sum = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (double v : scores) {
            top = Math.max(top, v);
        }
        double[] w = new double[s.k()];
        for (int ch = 0; ch < s.k(); ch++) {
            w[ch] = Math.exp(scores[ch] - top);
            sum += w[ch];
        }
        for (int ch = 0; ch < s.k(); ch++) {
            w[ch] /= sum;
        }
        return w;
    }

    /**
     * Ablation-CAM's weights {@code (y_c − y_c^k) / |y_c|}: the K copies of the activations, channel k zeroed in copy
     * k, fed at the layer's tensor in one batch (the input repeated K times beside them); {@code y_c} from the input
     * run as usual.
     */
    public static double[] ablationCamWeights(LoadedModel m, Sample s, Layer layer, int c, ScoreKind kind) {
        int positions = s.fh() * s.fw();
        double[] x = toModel(m, s.input(), s.h() * s.w(), s.c());
        double y = classScores(m, x, 1, null, c, kind)[0];
        double[] ablated = new double[s.k() * positions * s.k()];
        for (int ch = 0; ch < s.k(); ch++) {
            double[] copy = s.activations().clone();
            for (int p = 0; p < positions; p++) {
                copy[p * s.k() + ch] = 0;
            }
            System.arraycopy(Tf.fromNhwc(copy, layer.layout(), positions, s.k()), 0, ablated, ch * copy.length,
                    copy.length);
        }
        long[] shape = layer.layout().fromNhwc(new long[] {s.k(), s.fh(), s.fw(), s.k()});
        double[] scores = classScores(m, Tf.repeat(x, s.k()), s.k(), new Runs.Feed(layer.tensor(), ablated, shape), c,
                kind);
        double[] w = new double[s.k()];
        for (int ch = 0; ch < s.k(); ch++) {
            w[ch] = (y - scores[ch]) / Math.abs(y);
        }
        return w;
    }

    /** {@code ReLU(Σ_k w_k A^k)} per position. */
    public static double[] map(Sample s, double[] weights) {
        return Cam.of(s.activations(), column(weights), 0);
    }

    /**
     * The size of the terms of {@code Σ_k w_k A^k}: its largest {@code Σ_k |w_k A^k|} over the positions. Rounding
     * (the explainer's float32 activations) scales with it, not with the map, which can be small where terms cancel.
     */
    public static double termScale(Sample s, double[] weights) {
        double[] abs = new double[weights.length];
        for (int k = 0; k < abs.length; k++) {
            abs[k] = Math.abs(weights[k]);
        }
        double[] a = s.activations().clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]);
        }
        return Tf.maxAbs(Cam.of(a, column(abs), 0));
    }

    /**
     * Asserts that the raw map equals {@code expected} within {@code relTol} of {@code scale} at every position; both
     * empty counts as equal. Returns 1 if {@code expected} was not empty, else 0.
     */
    public static int assertRawMap(double[] expected, MapImage raw, double scale, double relTol, String what) {
        assertEquals(expected.length, raw.data().length, what + ": positions");
        double err = Tf.maxAbsDiff(expected, Tf.doubles(raw.data()));
        assertTrue(err <= relTol * scale, what + ": differs by " + err + ", more than " + relTol + " of " + scale);
        return Tf.maxAbs(expected) > 0 ? 1 : 0;
    }

    /** The eigen-smoothed map: the ReLU of the {@link DenseProjection} of {@code w_k A^k}. */
    public static double[] eigenSmoothedMap(Sample s, double[] weights) {
        double[] x = new double[s.activations().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = weights[i % s.k()] * s.activations()[i];
        }
        double[] p = DenseProjection.of(x, s.k());
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.max(0, p[i]);
        }
        return p;
    }

    /** The class-{@code c} scores of {@code kind} of {@code batch} model inputs (in the model's layout). */
    private static double[] classScores(LoadedModel m, double[] x, int batch, Runs.Feed feed, int c, ScoreKind kind) {
        String logits = ClassScore.findLogits(m.serving(), new String[1]).toString();
        double[] z = feed == null ? Runs.run(m, x, batch, null, -1, logits).get(0)
                : Runs.runFeeding(m, x, batch, feed, logits).get(0);
        int units = z.length / batch;
        double[] out = new double[batch];
        for (int b = 0; b < batch; b++) {
            double logSum = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int u = 0; u < units; u++) {
                top = Math.max(top, z[b * units + u]);
            }
            for (int u = 0; u < units; u++) {
                logSum += Math.exp(z[b * units + u] - top);
            }
            double logP = z[b * units + c] - top - Math.log(logSum);
            out[b] = switch (kind) {
                case LOGIT -> z[b * units + c];
                case PROBABILITY -> Math.exp(logP);
                case LOG_PROBABILITY -> logP;
            };
        }
        return out;
    }

    /**
     * A {@code fw × fh} plane resized to {@code w × h}: output pixel (x, y) samples the plane at
     * {@code ((x + ½)·fw/w − ½, (y + ½)·fh/h − ½)}, clamped to the plane, bilinearly.
     */
    public static double[] resize(double[] plane, int fw, int fh, int w, int h) {
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            double sy = Math.min(fh - 1, Math.max(0, (y + 0.5) * fh / h - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(fh - 1, y0 + 1);
            double ty = sy - y0;
            for (int x = 0; x < w; x++) {
                double sx = Math.min(fw - 1, Math.max(0, (x + 0.5) * fw / w - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(fw - 1, x0 + 1);
                double tx = sx - x0;
                out[y * w + x] = (1 - ty) * ((1 - tx) * plane[y0 * fw + x0] + tx * plane[y0 * fw + x1])
                        + ty * ((1 - tx) * plane[y1 * fw + x0] + tx * plane[y1 * fw + x1]);
            }
        }
        return out;
    }

    /** One image's NHWC values ({@code positions × c}) in the model's input layout. */
    private static double[] toModel(LoadedModel m, double[] nhwc, int positions, int c) {
        DataLayout layout = m.inputLayout().layout();
        return Tf.fromNhwc(nhwc, layout, positions, c);
    }

    /** {@code w} as the single column of a weight matrix {@code [k][1]}. */
    private static double[][] column(double[] w) {
        double[][] out = new double[w.length][1];
        for (int k = 0; k < w.length; k++) {
            out[k][0] = w[k];
        }
        return out;
    }
}
