package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
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
 * Score-CAM: the explainer's raw map against the test's own masked inputs run through the model
 * ({@link PerturbationCams#scoreCamWeights}), and a model whose scores are known exactly.
 */
class ScoreCamTest extends WithBuiltModels {

    /**
     * A VGG-like model (max pooling: the 8×8 feature maps are resized to the 16×16 input) channels last and its
     * onnx-tf-like channels-first twin, float64; a residual one (function calls, inlined) and a GAP one, float32.
     */
    static Stream<TestModelSpec> models() {
        TestModelSpec vgg = BuiltModels.small(Architecture.VGG, SaveStyle.TF1_GRAPH).withDtype(ModelDType.FLOAT64);
        return Stream.of(vgg, vgg.withLayout(Layout.ONNX_TF), BuiltModels.small(Architecture.RESIDUAL,
                SaveStyle.FUNCTION_CALL), BuiltModels.small(Architecture.GAP, SaveStyle.FUNCTION_CALL));
    }

    /**
     * For every class: the weights are the softmax of the class logits of the K inputs masked by each channel's
     * resized, min-max scaled activations; the raw map is ReLU(Σ w_k A^k), and with eigen_smooth the ReLU of the
     * dense projection of w_k A^k. With the score {@code probability} the masked inputs' probabilities go into the
     * softmax instead (a different map).
     */
    @ParameterizedTest
    @MethodSource("models")
    void scoreCamIsTheSoftmaxOfTheMaskedInputsScores(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        Layer layer = m.catalog().defaultLayer();
        InputImage image = ExplainerTest.randomImage(20, 18, 3, 7);
        Sample s = PerturbationCams.sample(m, image, layer);
        Explainer explainer = new Explainer(m);
        int compared = 0;
        for (int c = 0; c < m.classes(); c++) {
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withMethods(EnumSet.of(Method.SCORECAM));
            String what = spec.name() + " class " + c;
            double[] weights = PerturbationCams.scoreCamWeights(m, s, c, ScoreKind.LOGIT);
            double scale = PerturbationCams.termScale(s, weights);
            compared += PerturbationCams.assertRawMap(PerturbationCams.map(s, weights), raw(explainer, image,
                    request), scale, 1e-5, what);
            if (c == 0) {
                PerturbationCams.assertRawMap(PerturbationCams.eigenSmoothedMap(s, weights), raw(explainer, image,
                        request.withEigenSmooth(true)), scale, 1e-5, what + " eigen_smooth");
                double[] byProbability = PerturbationCams.scoreCamWeights(m, s, c, ScoreKind.PROBABILITY);
                PerturbationCams.assertRawMap(PerturbationCams.map(s, byProbability), raw(explainer, image,
                        request.withScore(ScoreKind.PROBABILITY)), scale, 1e-5, what + " probability");
                assertTrue(Tf.maxAbsDiff(byProbability, weights) > 1e-3 * Tf.maxAbs(byProbability),
                        what + ": the score kind made no difference to the weights");
            }
        }
        assertTrue(compared > 0, spec.name() + ": every class's expected map was empty");
    }

    private static MapImage raw(Explainer explainer, InputImage image, ExplainRequest request) {
        return explainer.explain(image, request).get(0).rawMaps().get(Method.SCORECAM);
    }

    /**
     * Known scores. An 8×8 RGB model: a 1×1 conv gives the channels red, green and the constant 0.5 (ReLU), global
     * average pooling, logits {@code 4·(mean red − mean green) + 0.3} (class red) and {@code 4·(mean green − mean
     * red)} (class green); the constant channel does not reach the logits. The image: a 4×4 red square (1 after the range 0:1) and a 2×2 green
     * one on black. For class red, the red channel's mask is the red square (1 / (1 + 1e-8)), which keeps the square
     * and blacks out the green one: score 4·16/64/(1 + 1e-8) + 0.3; the green mask keeps only the green square:
     * −4·4/64/(1 + 1e-8) + 0.3; the constant channel's mask is 0: the black image scores 0.3. The bias drops out of
     * the softmax (not so if the constant channel's score were taken as 0). The map is ReLU of the softmax
     * of these times the channels: w_red on the red square, w_green on the green one, plus 0.5·w_constant everywhere —
     * Score-CAM's softmax gives every channel some weight, so the green square shows in the red class's map, unlike
     * Grad-CAM's.
     */
    @Test
    void knownScoresOfRedAndGreenSquares() {
        Path dir = TinyModels.write(tmp.resolve("red-green-constant"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    float[][][][] kernel = {{{{1, 0, 0}, {0, 1, 0}, {0, 0, 0}}}};
                    Operand<TFloat32> a = tf.withName("features").nn.relu(tf.math.add(tf.nn.conv2d(x,
                            tf.constant(kernel), List.of(1L, 1L, 1L, 1L), "SAME"), tf.constant(new float[] {0, 0,
                                0.5f})));
                    return tf.math.add(tf.linalg.matMul(tf.math.mean(a, tf.constant(new int[] {1, 2})),
                            tf.constant(new float[][] {{4, -4}, {-4, 4}, {0, 0}})), tf.constant(new float[] {0.3f, 0}));
                });
        float[] data = new float[8 * 8 * 3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                data[y * 8 + x] = x < 4 && y < 4 ? 255 : 0;
                data[64 + y * 8 + x] = x >= 6 && y >= 6 ? 255 : 0;
            }
        }
        try (LoadedModel m = ModelLoader.load(dir)) {
            Explanation e = new Explainer(m).explain(new InputImage(8, 8, 3, data, PixelKind.UINT8),
                    ExplainRequest.defaults().withTargets(List.of("0")).withMethods(EnumSet.of(Method.GRADCAM,
                            Method.SCORECAM))).get(0);
            double eps = 1e-8;
            double[] w = ScoreCam.softmax(new double[] {4 * 16 / 64.0 / (1 + eps) + 0.3, -4 * 4 / 64.0 / (1 + eps) + 0.3,
                0.3});
            double[] expected = new double[64];
            for (int p = 0; p < 64; p++) {
                double red = data[p] / 255.0;
                double green = data[64 + p] / 255.0;
                expected[p] = w[0] * red + w[1] * green + w[2] * 0.5;
            }
            Cam.assertRawMap(expected, e.rawMaps().get(Method.SCORECAM), 1, 1e-6, "known scores");
            assertTrue(e.maps().get(Method.SCORECAM).get(7, 7, 0) > 0.2f, "the green square in the red class's map");
            assertEquals(0f, e.maps().get(Method.GRADCAM).get(7, 7, 0), "Grad-CAM's red map on the green square");
        }
    }

    /** The softmax is shift-invariant and sums to one; large scores do not overflow. */
    @Test
    void softmaxOfScores() {
        double[] w = ScoreCam.softmax(new double[] {1000, 1000 + Math.log(3)});
        assertEquals(0.25, w[0], 1e-12);
        assertEquals(0.75, w[1], 1e-12);
        double[] v = ScoreCam.softmax(new double[] {-2, 0, 2});
        double[] shifted = ScoreCam.softmax(new double[] {5, 7, 9});
        for (int i = 0; i < 3; i++) {
            assertEquals(v[i], shifted[i], 1e-12);
        }
        assertEquals(1, v[0] + v[1] + v[2], 1e-12);
    }

    /**
     * The mask of a channel is its resize to the input (pixel centres aligned: a 2×2 map sampled at 4×4 puts output
     * pixel 0 on source 0 − ¼, clamped to 0, and pixel 1 on source ¼), min-max scaled; a constant channel's mask is 0.
     */
    @Test
    void masksAreResizedAndMinMaxScaled() {
        float[] mask = ScoreCam.mask(new float[] {0, 4, 8, 12}, 2, 2, 4, 4);
        double[] expected = PerturbationCams.resize(new double[] {0, 4, 8, 12}, 2, 2, 4, 4);
        assertEquals(0, expected[0]);
        assertEquals(1, expected[1]);
        for (int i = 0; i < 16; i++) {
            assertEquals(expected[i] / (12 + ScoreCam.EPS), mask[i], 1e-6, "pixel " + i);
        }
        for (float v : ScoreCam.mask(new float[] {3, 3, 3, 3}, 2, 2, 5, 3)) {
            assertEquals(0f, v);
        }
    }
}
