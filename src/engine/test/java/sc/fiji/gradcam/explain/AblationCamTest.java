package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.PerturbationCams;
import sc.fiji.gradcam.support.PerturbationCams.Sample;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * Ablation-CAM: the analytic answer on global-average-pooling heads, the explainer against ablated activations the
 * test feeds at the layer itself ({@link PerturbationCams#ablationCamWeights}), a skip connection from before the
 * layer, scores of zero and negative scores, and a graph that refuses the fed activations.
 */
class AblationCamTest extends WithBuiltModels {

    /**
     * On GAP + dense, {@code y_c = Σ_k W[k,c] mean(A^k) + b_c}, and zeroing A^k takes {@code W[k,c] mean(A^k)} off it:
     * {@code w_k = W[k,c] mean(A^k) / |y_c|}, the map {@code ReLU(Σ_k w_k A^k)} = CAM / |y_c|, for every class, every
     * save style and type and the channels-first models (the activations read in NHWC order).
     */
    @ParameterizedTest
    @MethodSource("sc.fiji.gradcam.explain.ExplainerTest#gapModels")
    void onGapHeadsTheWeightsAreTheDenseWeightsTimesTheChannelMeans(TestModelSpec spec) {
        Built b = models.get(spec);
        LoadedModel m = b.loaded();
        InputImage image = ExplainerTest.randomImage(16, 16, 3, 4);
        double[] a = Cam.defaultLayerActivations(m, image);
        double[][] w = b.model().denseWeightsAsDouble();
        double[] bias = b.model().denseBiasAsDouble();
        int k = w.length;
        int z = a.length / k;
        double[] means = new double[k];
        for (int i = 0; i < a.length; i++) {
            means[i % k] += a[i] / z;
        }
        Explainer explainer = new Explainer(m);
        double tolerance = spec.dtype() == ModelDType.FLOAT64 ? 1e-6 : 1e-4;
        int compared = 0;
        for (int c = 0; c < m.classes(); c++) {
            double y = bias[c];
            for (int ch = 0; ch < k; ch++) {
                y += w[ch][c] * means[ch];
            }
            double[] weights = new double[k];
            for (int ch = 0; ch < k; ch++) {
                weights[ch] = w[ch][c] * means[ch] / Math.abs(y);
            }
            double[] expected = Cam.of(a, column(weights), 0);
            Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withMethods(EnumSet.of(Method.ABLATIONCAM))).get(0);
            String what = spec.name() + " class " + c;
            if (Tf.maxAbs(expected) > 0) {
                Cam.assertRawMap(expected, e.rawMaps().get(Method.ABLATIONCAM), 1, tolerance, what);
                compared++;
            } else {
                assertEquals(0, e.rawMaps().get(Method.ABLATIONCAM).max(), what + ": expected an empty map");
            }
        }
        assertTrue(compared > 0, spec.name() + ": every class's expected map was empty");
    }

    private static double[][] column(double[] v) {
        double[][] out = new double[v.length][1];
        for (int i = 0; i < v.length; i++) {
            out[i][0] = v[i];
        }
        return out;
    }

    /**
     * A VGG-like model (flatten head) channels last and channels first, float64, and a residual one with function
     * calls (inlined) at its default layer and at {@code activation_1} inside the block, whose output is added to a
     * skip connection from before it.
     */
    static Stream<Object[]> modelsAndLayers() {
        TestModelSpec vgg = BuiltModels.small(Architecture.VGG, SaveStyle.FUNCTION_CALL).withDtype(ModelDType.FLOAT64);
        TestModelSpec residual = BuiltModels.small(Architecture.RESIDUAL, SaveStyle.FUNCTION_CALL);
        return Stream.of(new Object[] {vgg, "auto"}, new Object[] {vgg.withLayout(Layout.ONNX_TF), "auto"},
                new Object[] {residual, "auto"}, new Object[] {residual, "activation_1"},
                new Object[] {residual.withDtype(ModelDType.FLOAT64), "activation_1"});
    }

    /**
     * For every class: the test zeroes each channel of the layer's activations itself, feeds the K copies at the
     * layer's tensor with the input repeated beside them, and takes {@code (y_c − y_c^k) / |y_c|} of the logits; the
     * explainer's raw map is ReLU(Σ w_k A^k) of those, and with eigen_smooth the ReLU of the dense projection of
     * w_k A^k. With the score {@code log-probability} (always negative) the map is that of log-softmax scores.
     */
    @ParameterizedTest
    @MethodSource("modelsAndLayers")
    void ablationCamIsTheRelativeScoreDropOfEachZeroedChannel(TestModelSpec spec, String layerName) {
        LoadedModel m = models.get(spec).loaded();
        Layer layer = m.catalog().find(layerName);
        InputImage image = ExplainerTest.randomImage(20, 18, 3, 7);
        Sample s = PerturbationCams.sample(m, image, layer);
        Explainer explainer = new Explainer(m);
        // relative to the size of the terms of Σ w_k A^k (the explainer's activations are float32)
        double tolerance = spec.dtype() == ModelDType.FLOAT64 ? 1e-5 : 1e-4;
        int compared = 0;
        for (int c = 0; c < m.classes(); c++) {
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withLayer(layerName).withMethods(EnumSet.of(Method.ABLATIONCAM));
            String what = spec.name() + " " + layerName + " class " + c;
            double[] weights = PerturbationCams.ablationCamWeights(m, s, layer, c, ScoreKind.LOGIT);
            double scale = PerturbationCams.termScale(s, weights);
            compared += PerturbationCams.assertRawMap(PerturbationCams.map(s, weights), explainer.explain(image,
                    request).get(0).rawMaps().get(Method.ABLATIONCAM), scale, tolerance, what);
            if (c == 0) {
                PerturbationCams.assertRawMap(PerturbationCams.eigenSmoothedMap(s, weights), explainer.explain(image,
                        request.withEigenSmooth(true)).get(0).rawMaps().get(Method.ABLATIONCAM), scale, tolerance,
                        what + " eigen_smooth");
                double[] byLogProbability = PerturbationCams.ablationCamWeights(m, s, layer, c,
                        ScoreKind.LOG_PROBABILITY);
                PerturbationCams.assertRawMap(PerturbationCams.map(s, byLogProbability), explainer.explain(image,
                        request.withScore(ScoreKind.LOG_PROBABILITY)).get(0).rawMaps().get(Method.ABLATIONCAM),
                        PerturbationCams.termScale(s, byLogProbability), tolerance, what + " log-probability");
            }
        }
        assertTrue(compared > 0, spec.name() + ": every class's expected map was empty");
    }

    /**
     * Only the layer's output is replaced; a skip connection from before it keeps its values. Model: B = ReLU(1×1 conv
     * picking red and green) ({@code before}), L = ReLU(B·diag(1, 2)) ({@code layer}), logits GAP(L + B)·[[1, −1],
     * [−1, 1]]. Zeroing L^k takes {@code W[k,c]·mean(L^k)} off y_c and leaves B's share: w_k = W[k,c] mean(L^k) /
     * |y_c| with {@code y_c = Σ_k W[k,c] (mean L^k + mean B^k)}. Were B zeroed with it (the ablation of the wrong
     * tensor), the drops would be {@code W[k,c] (mean L^k + mean B^k)}.
     */
    @Test
    void aSkipConnectionFromBeforeTheLayerKeepsItsValues() {
        Path dir = TinyModels.write(tmp.resolve("skip"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    Operand<TFloat32> before = tf.withName("before").nn.relu(tf.nn.conv2d(x,
                            tf.constant(new float[][][][] {{{{1, 0}, {0, 1}, {0, 0}}}}), List.of(1L, 1L, 1L, 1L),
                            "SAME"));
                    Operand<TFloat32> layer = tf.withName("layer").nn.relu(tf.nn.conv2d(before,
                            tf.constant(new float[][][][] {{{{1, 0}, {0, 2}}}}), List.of(1L, 1L, 1L, 1L), "SAME"));
                    Operand<TFloat32> sum = tf.math.add(layer, before);
                    return tf.linalg.matMul(tf.math.mean(sum, tf.constant(new int[] {1, 2})),
                            tf.constant(new float[][] {{1, -1}, {-1, 1}}));
                });
        InputImage image = ExplainerTest.randomImage(8, 8, 3, 3);
        try (LoadedModel m = ModelLoader.load(dir)) {
            double[] meanR = new double[1];
            double[] meanG = new double[1];
            for (int p = 0; p < 64; p++) {
                meanR[0] += image.data()[p] / 255.0 / 64;
                meanG[0] += image.data()[64 + p] / 255.0 / 64;
            }
            double[] meanL = {meanR[0], 2 * meanG[0]};
            double[] meanB = {meanR[0], meanG[0]};
            double[][] w = {{1, -1}, {-1, 1}};
            Explainer explainer = new Explainer(m);
            for (int c = 0; c < 2; c++) {
                double y = 0;
                for (int k = 0; k < 2; k++) {
                    y += w[k][c] * (meanL[k] + meanB[k]);
                }
                double[] expected = new double[64];
                for (int p = 0; p < 64; p++) {
                    double[] l = {image.data()[p] / 255.0, 2 * image.data()[64 + p] / 255.0};
                    for (int k = 0; k < 2; k++) {
                        expected[p] += w[k][c] * meanL[k] / Math.abs(y) * l[k];
                    }
                    expected[p] = Math.max(0, expected[p]);
                }
                Explanation e = explainer.explain(image, ExplainRequest.defaults().withLayer("layer")
                        .withTargets(List.of(String.valueOf(c))).withMethods(EnumSet.of(Method.ABLATIONCAM))).get(0);
                assertEquals("layer", e.layer().name());
                Cam.assertRawMap(expected, e.rawMaps().get(Method.ABLATIONCAM), 1, 1e-4, "class " + c);
            }
        }
    }

    /**
     * Known answers where pytorch-grad-cam's {@code / y_c} breaks down. Model: logits [mean red − mean green, the
     * reverse] of the ReLU'd red and green channels ({@code features}). Equal red and green means: y_c = 0, and
     * the weights are the score drops themselves ({@code mean green}, {@code −mean red} for class red), no NaN. A red
     * square of 16 pixels and a green one of 4: the green class's logit is negative; divided by |y_c| its map lights
     * the green square (divided by y_c it would light the red one).
     */
    @Test
    void zeroAndNegativeScores() {
        Path dir = TinyModels.write(tmp.resolve("red-minus-green"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                AblationCamTest::redMinusGreen);
        try (LoadedModel m = ModelLoader.load(dir)) {
            Explainer explainer = new Explainer(m);
            ExplainRequest request = ExplainRequest.defaults().withMethods(EnumSet.of(Method.ABLATIONCAM));
            // red and green 3×3 squares of 255 (1 after the range 0:1): equal means 9/64, y = 0 exactly for both
            float[] equal = squares(3, 3, 255);
            Explanation e = explainer.explain(new InputImage(8, 8, 3, equal, PixelKind.UINT8),
                    request.withTargets(List.of("0"))).get(0);
            double mean = 9 / 64.0;
            double[] expected = new double[64];
            for (int p = 0; p < 64; p++) {
                expected[p] = Math.max(0, mean * equal[p] / 255.0 - mean * equal[64 + p] / 255.0);
            }
            assertFalse(Float.isNaN(e.rawMaps().get(Method.ABLATIONCAM).max()));
            Cam.assertRawMap(expected, e.rawMaps().get(Method.ABLATIONCAM), 1, 1e-5, "y_c = 0");
            // a 4×4 red square and a 2×2 green one: the green class's logit is (4 − 16)/64 < 0
            float[] unequal = squares(4, 2, 255);
            Explanation green = explainer.explain(new InputImage(8, 8, 3, unequal, PixelKind.UINT8),
                    request.withTargets(List.of("1"))).get(0);
            MapImage map = green.maps().get(Method.ABLATIONCAM);
            assertEquals(1f, map.get(7, 7, 0), 1e-6, "the green square");
            assertEquals(0f, map.get(0, 0, 0), "the red square");
            double y = (4 - 16) / 64.0;
            assertEquals(4 / 64.0 / Math.abs(y), green.rawMaps().get(Method.ABLATIONCAM).max(), 1e-5, "raw maximum");
        }
    }

    /** A {@code red × red} red square at the top left and a {@code green × green} green one at the bottom right. */
    private static float[] squares(int red, int green, float value) {
        float[] data = new float[8 * 8 * 3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                data[y * 8 + x] = x < red && y < red ? value : 0;
                data[64 + y * 8 + x] = x >= 8 - green && y >= 8 - green ? value : 0;
            }
        }
        return data;
    }

    /** Logits [mean red − mean green, the reverse] of ReLU(red, green) ({@code features}). */
    private static Operand<TFloat32> redMinusGreen(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> a = tf.withName("features").nn.relu(tf.nn.conv2d(x,
                tf.constant(new float[][][][] {{{{1, 0}, {0, 1}, {0, 0}}}}), List.of(1L, 1L, 1L, 1L), "SAME"));
        return tf.linalg.matMul(tf.math.mean(a, tf.constant(new int[] {1, 2})),
                tf.constant(new float[][] {{1, -1}, {-1, 1}}));
    }

    /**
     * A graph that refuses the fed activations (an assertion that the layer's sum equals the same conv recomputed from
     * the input, which ablation breaks): Ablation-CAM fails with a message naming the layer and what to try instead,
     * not a TensorFlow stack trace; Score-CAM and Grad-CAM, which feed the input only, work on it.
     */
    @Test
    void aGraphThatRefusesTheFedLayerNamesTheLayerAndTheAlternatives() {
        Path dir = TinyModels.write(tmp.resolve("refuses-feeding"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    float[][][][] kernel = {{{{1, 0}, {0, 1}, {0, 0}}}};
                    Operand<TFloat32> again = tf.nn.relu(tf.nn.conv2d(x, tf.constant(kernel), List.of(1L, 1L, 1L, 1L),
                            "SAME"));
                    Operand<TFloat32> features = tf.withName("features").nn.relu(tf.nn.conv2d(x, tf.constant(kernel),
                            List.of(1L, 1L, 1L, 1L), "SAME"));
                    AssertThat check = tf.assertThat(tf.math.equal(tf.reduceSum(features, tf.constant(new int[] {0, 1,
                        2, 3})), tf.reduceSum(again, tf.constant(new int[] {0, 1, 2, 3}))), List.of(tf.constant(0f)));
                    Ops head = tf.withControlDependencies(List.of(check));
                    return head.linalg.matMul(tf.math.mean(features, tf.constant(new int[] {1, 2})),
                            tf.constant(new float[][] {{1, -1}, {-1, 1}}));
                });
        try (LoadedModel m = ModelLoader.load(dir)) {
            Explainer explainer = new Explainer(m);
            InputImage image = ExplainerTest.randomImage(8, 8, 3, 5);
            Explanation ok = explainer.explain(image, ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM,
                    Method.SCORECAM))).get(0);
            assertTrue(ok.rawMaps().get(Method.SCORECAM).max() > 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> explainer.explain(image,
                    ExplainRequest.defaults().withMethods(EnumSet.of(Method.ABLATIONCAM))));
            String layer = m.catalog().defaultLayer().name();
            assertTrue(e.getMessage().contains("layer '" + layer + "'") && e.getMessage().contains("another layer")
                    && e.getMessage().contains("Score-CAM"), e.getMessage());
        }
    }
}
