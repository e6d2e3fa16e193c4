package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.TensorName;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.OutputActivation;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * Binary classifiers with one output unit (logit z; sigmoid or raw): two classes, 0 = negative with score -z and
 * 1 = positive with score z. Probabilities, the predicted class, the score kinds and Grad-CAM of both classes.
 */
class SingleUnitBinaryTest extends WithBuiltModels {

    /** Single-unit models of {@code a} in every save style and type, with a sigmoid and with a raw logit. */
    static Stream<TestModelSpec> singleUnit(Architecture a) {
        return Stream.of(SaveStyle.values()).flatMap(s -> Stream.of(ModelDType.values()).flatMap(d -> Stream.of(
                OutputActivation.SIGMOID, OutputActivation.NONE).map(h -> BuiltModels.singleUnit(a, s, h)
                        .withDtype(d))));
    }

    static Stream<TestModelSpec> gapSingleUnit() {
        return singleUnit(Architecture.GAP);
    }

    /** The residual net: its logit changes sign over solid colours (the GAP net's ReLU features keep it positive). */
    static Stream<TestModelSpec> residualSingleUnit() {
        return singleUnit(Architecture.RESIDUAL);
    }

    /** Solid colours (the corners of the RGB cube, at two brightnesses) and a few random images. */
    static List<InputImage> candidates() {
        List<InputImage> list = new ArrayList<>();
        for (int rgb = 0; rgb < 8; rgb++) {
            for (float level : new float[] {255, 96}) {
                float[] d = new float[16 * 16 * 3];
                for (int c = 0; c < 3; c++) {
                    if ((rgb >> c & 1) != 0) {
                        java.util.Arrays.fill(d, c * 256, (c + 1) * 256, level);
                    }
                }
                list.add(new InputImage(16, 16, 3, d, PixelKind.UINT8));
            }
        }
        for (long seed = 1; seed <= 4; seed++) {
            list.add(ExplainerTest.randomImage(16, 16, 3, seed));
        }
        return list;
    }

    /**
     * Reported probabilities are [sigmoid(-z), sigmoid(z)] of the logit z fetched from the graph (a sigmoid model's
     * output is sigmoid(z)), sum to 1, and the predicted (and auto target) class is 1 exactly where z &gt; 0; the
     * images give both signs.
     */
    @ParameterizedTest
    @MethodSource("residualSingleUnit")
    void probabilitiesAreTheSigmoidOfTheLogitAndThePredictionFollowsItsSign(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        assertTrue(m.singleUnitBinary());
        assertEquals(1, m.outputUnits());
        assertEquals(2, m.classes());
        String[] activation = new String[1];
        TensorName logit = ClassScore.findLogits(m.serving(), activation);
        assertEquals(spec.activation() == OutputActivation.SIGMOID ? "Sigmoid" : "", activation[0]);
        List<InputImage> images = candidates();
        // one call: the images go through the graph as one batch (the output is read with one value per image)
        List<List<Explanation>> all = new Explainer(m).explain(images,
                ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM)));
        // the logits and outputs of the same batch, fetched from the graph
        int n = images.size();
        double[] x = new double[n * Runs.inputSize(m)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(Cam.modelInput(m, images.get(i)), 0, x, i * Runs.inputSize(m), Runs.inputSize(m));
        }
        boolean sigmoid = spec.activation() == OutputActivation.SIGMOID;
        List<double[]> r = sigmoid ? Runs.run(m, x, n, null, -1, logit, m.serving().output())
                : Runs.run(m, x, n, null, -1, logit);
        // the explainer reads the logit in single precision
        double tol = 1e-7;
        int positive = 0;
        int negative = 0;
        for (int i = 0; i < n; i++) {
            Explanation e = all.get(i).get(0);
            double z = r.get(0)[i];
            double p1 = 1 / (1 + Math.exp(-z));
            int expected = z > 0 ? 1 : 0;
            positive += expected;
            negative += 1 - expected;
            String what = spec.name() + " image " + i + " z=" + z;
            assertEquals(expected, e.predicted().index(), what);
            assertEquals(m.label(expected), e.predicted().label(), what);
            assertEquals(expected, e.target().index(), what + ": the auto target is the predicted class");
            assertEquals(2, e.top5().size());
            assertEquals(1 - expected, e.top5().get(1).index());
            double[] p = new double[2];
            e.top5().forEach(q -> p[q.index()] = q.probability());
            assertEquals(p1, p[1], tol, what);
            assertEquals(1.0, p[0] + p[1], 1e-12, what);
            if (sigmoid) {
                // the model's own output is the positive class's probability
                assertEquals(r.get(1)[i], p[1], tol, what);
            }
        }
        System.out.printf("single unit %s: %d positive, %d negative images%n", spec.name(), positive, negative);
        assertTrue(positive > 0 && negative > 0, "the candidate images should give both signs of z");
    }

    /**
     * On GAP + dense(1), d(±z)/dA^k = ±w_k/Z, so Z·Grad-CAM is ReLU(Σ w_k A^k) for class 1 and ReLU(Σ -w_k A^k)
     * for class 0: the CAM of the two-column weights [-w, w].
     */
    @ParameterizedTest
    @MethodSource("gapSingleUnit")
    void gradCamOfBothClassesIsTheCamOfPlusAndMinusTheWeights(TestModelSpec spec) {
        Built b = models.get(spec);
        LoadedModel m = b.loaded();
        double[][] w = b.model().denseWeightsAsDouble();
        double[][] signed = new double[w.length][];
        for (int k = 0; k < w.length; k++) {
            assertEquals(1, w[k].length);
            signed[k] = new double[] {-w[k][0], w[k][0]};
        }
        InputImage image = ExplainerTest.randomImage(16, 16, 3, 4);
        double[] a = Cam.defaultLayerActivations(m, image);
        Explainer explainer = new Explainer(m);
        for (int c = 0; c < 2; c++) {
            Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(Integer.toString(c)))
                    .withMethods(EnumSet.of(Method.GRADCAM, Method.COUNTERFACTUAL))).get(0);
            assertEquals(c, e.target().index());
            double[] cam = Cam.of(a, signed, c);
            assertTrue(Tf.maxAbs(cam) > 0, "this image should give evidence for both classes");
            Cam.assertGradCamIsCamOverZ(e, cam, spec.name() + " class " + c);
        }
    }

    /**
     * The per-class scores of every kind, for logits fed straight into the graph (the extremes included):
     * [-z, z], [sigmoid(-z), sigmoid(z)], [log sigmoid(-z), log sigmoid(z)] (finite where sigmoid underflows), and
     * the default one-hot target is class 1 exactly where z &gt; 0.
     */
    @ParameterizedTest
    @MethodSource("gapSingleUnit")
    void scoreKindsFollowTheLogitEvenAtTheExtremes(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        double[] z = {-800, -30, -2.5, -1e-3, 0, 1e-3, 0.75, 30, 800};
        for (ScoreKind kind : ScoreKind.values()) {
            ClassScore score = ClassScore.build(m.serving(), kind, Runs.scope("kind"), m.outputUnits());
            double[][] r = feedLogits(m, score, z);
            double[] s = r[0];
            double[] onehot = r[1];
            for (int i = 0; i < z.length; i++) {
                for (int c = 0; c < 2; c++) {
                    double signed = c == 1 ? z[i] : -z[i];
                    double expected = switch (kind) {
                        case LOGIT -> signed;
                        case PROBABILITY -> 1 / (1 + Math.exp(-signed));
                        case LOG_PROBABILITY -> -(Math.max(-signed, 0) + Math.log1p(Math.exp(-Math.abs(signed))));
                    };
                    double tol = spec.dtype() == ModelDType.FLOAT64 ? 1e-12 : 1e-6;
                    assertEquals(expected, s[2 * i + c], tol * Math.max(1, Math.abs(expected)),
                            kind + " class " + c + " z=" + z[i]);
                }
                assertArrayEquals(z[i] > 0 ? new double[] {0, 1} : new double[] {1, 0},
                        new double[] {onehot[2 * i], onehot[2 * i + 1]}, "top-1 at z=" + z[i]);
            }
        }
    }

    /** Feeds z as the logits [n, 1] and fetches the per-class scores and the default one-hot target. */
    private static double[][] feedLogits(LoadedModel m, ClassScore score, double[] z) {
        try (Tensor t = Tf.tensor(z, new long[] {z.length, 1}, m.input().dtype());
                Result r = m.serving().session().runner().feed(score.logits().toString(), t).fetch(score.scores())
                        .fetch(score.onehot()).run()) {
            return new double[][] {Tf.doubles(r.get(0)), Tf.doubles(r.get(1))};
        }
    }

    // ---- a hand-made model with a known logit: z = mean(red) - mean(green) ---------------------------------

    static InputImage twoSquares(int redSize, int greenSize) {
        int w = 32;
        float[] d = new float[w * w * 3];
        for (int y = 0; y < w; y++) {
            for (int x = 0; x < w; x++) {
                if (x < redSize && y < redSize) {
                    d[y * w + x] = 255;
                }
                if (x >= w - greenSize && y >= w - greenSize) {
                    d[w * w + y * w + x] = 255;
                }
            }
        }
        return new InputImage(w, w, 3, d, PixelKind.UINT8);
    }

    /** Labels by name, the known logit's probability, and the map of each class on its own square. */
    @Test
    void knownLogitGivesLabelsProbabilityAndEachClassItsSquare() throws Exception {
        Path dir = TinyModels.redVersusGreen(tmp.resolve("red-vs-green"), "Sigmoid");
        Files.writeString(dir.resolve("labels.txt"), "parasitized\n");
        try (LoadedModel m = ModelLoader.load(dir)) {
            Explainer explainer = new Explainer(m);
            // red 16×16, green 8×8 of 32×32: z = (256 - 64) / 1024 (the stretch to 16×16 keeps the areas' shares)
            InputImage image = twoSquares(16, 8);
            double z = Runs.run(m, Cam.modelInput(m, image), 1, null, -1, "logit:0").get(0)[0];
            assertEquals((256 - 64) / 1024.0, z, 0.02);
            List<Explanation> es = explainer.explain(image, ExplainRequest.defaults()
                    .withTargets(List.of("auto", "not parasitized")).withMethods(EnumSet.of(Method.GRADCAM)));
            Explanation positive = es.get(0);
            Explanation negative = es.get(1);
            assertEquals("parasitized", positive.predicted().label());
            assertEquals(1 / (1 + Math.exp(-z)), positive.predicted().probability(), 1e-7);
            assertEquals("parasitized", positive.target().label());
            assertEquals(0, negative.target().index());
            assertEquals(1 / (1 + Math.exp(z)), negative.target().probability(), 1e-7);
            MapImage pos = positive.maps().get(Method.GRADCAM);
            MapImage neg = negative.maps().get(Method.GRADCAM);
            assertTrue(pos.get(4, 4, 0) > 0.9 && pos.get(28, 28, 0) < 0.05, "class 1 map on the red square");
            assertTrue(neg.get(28, 28, 0) > 0.9 && neg.get(4, 4, 0) < 0.05, "class 0 map on the green square");
        }
    }
}
