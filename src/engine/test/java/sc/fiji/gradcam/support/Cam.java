package sc.fiji.gradcam.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Output;
import sc.fiji.gradcam.explain.CamVariants;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.graph.Gradients;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.graph.ServingGraph;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Class activation mapping (Zhou et al. 2016), the known answer Grad-CAM must equal on GAP + dense heads, and the
 * formulas of the Grad-CAM variants written out plainly, to check the explainer against.
 */
public final class Cam {

    private Cam() {}

    /**
     * Activations [h·w·k] (NHWC, whatever the layer's layout) of the model's default layer for an image, preprocessed
     * as the explainer does.
     */
    public static double[] defaultLayerActivations(LoadedModel m, InputImage image) {
        Layer layer = m.catalog().defaultLayer();
        double[] a = Runs.run(m, modelInput(m, image), 1, null, -1, layer.tensor()).get(0);
        return Tf.toNhwc(a, layer.layout(), (int) (layer.height() * layer.width()), (int) layer.channels());
    }

    /** The default layer's activations A and gradients G = dy_c/dA for one class, NHWC ({@code [p * k + ch]}). */
    public record LayerValues(double[] a, double[] g, int channels) {}

    /**
     * For every class c: A and G = d logit_c / dA of the model's default layer for an image (preprocessed as the
     * explainer does), fetched with a score and gradient graph of the test's own and c fed one-hot.
     */
    public static List<LayerValues> defaultLayerValuesPerClass(LoadedModel m, InputImage image) {
        Layer layer = m.catalog().defaultLayer();
        ServingGraph s = m.serving();
        ClassScore score = ClassScore.build(s, ScoreKind.LOGIT, Runs.scope("score"), m.outputUnits());
        Output<?> dA = Gradients.of(s, score.score().asOutput(), Runs.scope("grad"), s.tensor(layer.tensorName()))[0];
        double[] x = modelInput(m, image);
        int positions = (int) (layer.height() * layer.width());
        int k = (int) layer.channels();
        List<LayerValues> out = new ArrayList<>();
        for (int c = 0; c < m.classes(); c++) {
            List<double[]> fetched = Runs.run(m, x, 1, score, c, layer.tensor(), dA);
            out.add(new LayerValues(Tf.toNhwc(fetched.get(0), layer.layout(), positions, k),
                    Tf.toNhwc(fetched.get(1), layer.layout(), positions, k), k));
        }
        return out;
    }

    /** The model input for an image, preprocessed as the explainer does, in the model's input layout. */
    public static double[] modelInput(LoadedModel m, InputImage image) {
        Preprocessing p = ExplainRequest.defaults().preprocessing().resolve(m);
        float[] in = m.inputLayout().layout().fromNhwc(Preprocessor.prepare(image, p).values(), 1, p.height(),
                p.width(), p.channels());
        double[] x = new double[in.length];
        for (int i = 0; i < in.length; i++) {
            x[i] = in[i];
        }
        return x;
    }

    /** CAM_c = ReLU(Σ_k W[k,c] A^k) at each position, for activations {@code a[p * k + ch]} and weights W[k][c]. */
    public static double[] of(double[] a, double[][] w, int c) {
        int k = w.length;
        double[] cam = new double[a.length / k];
        for (int p = 0; p < cam.length; p++) {
            double s = 0;
            for (int ch = 0; ch < k; ch++) {
                s += w[ch][c] * a[p * k + ch];
            }
            cam[p] = Math.max(0, s);
        }
        return cam;
    }

    /**
     * On GAP + dense, dy_c/dA^k_ij = W[k,c]/Z, so Grad-CAM = CAM/Z (Z = positions): asserts that the raw Grad-CAM of
     * {@code e} times Z equals {@code cam} (correlation above 0.9999, max error below 1e-5 of max CAM, and raw max
     * = max CAM / Z). {@code cam} must not be all zero.
     */
    public static void assertGradCamIsCamOverZ(Explanation e, double[] cam, String what) {
        float[] data = e.gradcamRaw().data();
        double[] raw = new double[data.length];
        int z = raw.length;
        double[] scaled = new double[z];
        for (int p = 0; p < z; p++) {
            raw[p] = data[p];
            scaled[p] = raw[p] * z;
        }
        double camMax = Tf.maxAbs(cam);
        double corr = Tf.correlation(raw, cam);
        double err = Tf.maxAbsDiff(scaled, cam) / camMax;
        System.out.printf("CAM %s: correlation %.8f, max |Z·GradCAM - CAM| / max CAM %.3g%n", what, corr, err);
        assertTrue(corr > 0.9999, what + ": correlation " + corr);
        assertTrue(err < 1e-5, what + ": Grad-CAM·Z differs from CAM by " + err);
        assertEquals(camMax / z, e.rawMax(), 1e-5 * camMax / z, what + ": raw max");
    }

    /**
     * As {@link #assertGradCamIsCamOverZ}, except that an all-zero {@code cam} must come with an empty Grad-CAM
     * ({@link Explanation#emptyMap()}); returns whether the maps were compared (false: both empty).
     */
    public static boolean assertGradCamIsCamOverZOrBothEmpty(Explanation e, double[] cam, String what) {
        if (Tf.maxAbs(cam) == 0) {
            assertTrue(e.emptyMap(), what + ": CAM is empty, Grad-CAM must be too");
            return false;
        }
        assertGradCamIsCamOverZ(e, cam, what);
        return true;
    }

    /**
     * The raw map of a Grad-CAM variant written out from its paper's formula, over NHWC activations {@code a[p * k + ch]}
     * and gradients {@code g} in the same order: Grad-CAM++, XGrad-CAM, LayerCAM and HiResCAM the ReLU of the channel
     * sum of their {@link #weightedActivations}; EigenCAM and EigenGrad-CAM the ReLU of the {@link DenseProjection} of A
     * and of G ⊙ A.
     */
    public static double[] variant(Method method, double[] a, double[] g, int k) {
        if (method == Method.EIGENCAM || method == Method.EIGENGRADCAM) {
            double[] x = a.clone();
            for (int i = 0; method == Method.EIGENGRADCAM && i < x.length; i++) {
                x[i] *= g[i];
            }
            return relu(DenseProjection.of(x, k));
        }
        double[] x = weightedActivations(method, a, g, k);
        double[] map = new double[a.length / k];
        for (int p = 0; p < map.length; p++) {
            for (int ch = 0; ch < k; ch++) {
                map[p] += x[p * k + ch];
            }
        }
        return relu(map);
    }

    /**
     * pytorch-grad-cam's {@code eigen_smooth} written out: the ReLU of the {@link DenseProjection} of the method's
     * {@link #weightedActivations} (EigenCAM and EigenGrad-CAM: their own map, {@link #variant}).
     */
    public static double[] eigenSmoothed(Method method, double[] a, double[] g, int k) {
        if (method == Method.EIGENCAM || method == Method.EIGENGRADCAM) {
            return variant(method, a, g, k);
        }
        return relu(DenseProjection.of(weightedActivations(method, a, g, k), k));
    }

    /**
     * What a CAM method sums over the channels, per position and channel, for NHWC activations {@code a[p * k + ch]}
     * and gradients {@code g} in the same order: Grad-CAM {@code w_k A} with {@code w_k} the mean of G over the
     * positions (the counterfactual {@code -w_k A}); Grad-CAM++ {@code w_k A} with {@code w_k = Σ_p α ReLU(G)},
     * {@code α = G² / (2G² + (Σ_p A) G³ + eps)} (0 where G is 0); XGrad-CAM {@code w_k A} with {@code w_k = Σ_p G A /
     * (Σ_p A + eps)}; LayerCAM {@code ReLU(G) A}; HiResCAM {@code G A}.
     */
    public static double[] weightedActivations(Method method, double[] a, double[] g, int k) {
        int z = a.length / k;
        double[] sumA = new double[k];
        double[] weight = new double[k];
        for (int p = 0; p < z; p++) {
            for (int ch = 0; ch < k; ch++) {
                double gv = g[p * k + ch];
                double av = a[p * k + ch];
                sumA[ch] += av;
                switch (method) {
                    case GRADCAM -> weight[ch] += gv / z;
                    case COUNTERFACTUAL -> weight[ch] -= gv / z;
                    case XGRADCAM -> weight[ch] += gv * av;
                    default -> { }
                }
            }
        }
        double[] x = new double[a.length];
        for (int p = 0; p < z; p++) {
            for (int ch = 0; ch < k; ch++) {
                double gv = g[p * k + ch];
                if (method == Method.GRADCAM_PLUSPLUS) {
                    double denominator = 2 * Math.pow(gv, 2) + sumA[ch] * Math.pow(gv, 3)
                            + CamVariants.GRADCAM_PLUSPLUS_EPS;
                    weight[ch] += gv == 0 ? 0 : Math.pow(gv, 2) / denominator * Math.max(0, gv);
                }
            }
        }
        for (int p = 0; p < z; p++) {
            for (int ch = 0; ch < k; ch++) {
                int i = p * k + ch;
                x[i] = a[i] * switch (method) {
                    case GRADCAM, COUNTERFACTUAL, GRADCAM_PLUSPLUS -> weight[ch];
                    case XGRADCAM -> weight[ch] / (sumA[ch] + CamVariants.XGRADCAM_EPS);
                    case LAYERCAM -> Math.max(0, g[i]);
                    case HIRESCAM -> g[i];
                    default -> throw new IllegalArgumentException(method.title());
                };
            }
        }
        return x;
    }

    private static double[] relu(double[] v) {
        return Arrays.stream(v).map(e -> Math.max(0, e)).toArray();
    }

    /**
     * Asserts that {@code scale} times the raw map equals {@code expected} within {@code relTol} of the largest
     * expected value; {@code expected} must not be all zero.
     */
    public static void assertRawMap(double[] expected, MapImage raw, double scale, double relTol, String what) {
        float[] data = raw.data();
        assertEquals(expected.length, data.length, what + ": positions");
        double[] scaled = new double[data.length];
        for (int p = 0; p < data.length; p++) {
            scaled[p] = data[p] * scale;
        }
        double max = Tf.maxAbs(expected);
        assertTrue(max > 0, what + ": the expected map is empty, nothing is compared");
        double err = Tf.maxAbsDiff(scaled, expected) / max;
        assertTrue(err < relTol, what + ": differs by " + err + " of the expected maximum " + max);
    }
}
