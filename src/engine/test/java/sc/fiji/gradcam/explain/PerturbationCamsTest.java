package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
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
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;

/**
 * What Score-CAM and Ablation-CAM share: ids and aliases, batches and runs of channels, fixed-batch models,
 * augmentation smoothing, timings. (Their formulas: {@link ScoreCamTest}, {@link AblationCamTest}.)
 */
class PerturbationCamsTest extends WithBuiltModels {

    static final Set<Method> PERTURBATION = EnumSet.of(Method.SCORECAM, Method.ABLATIONCAM);

    @Test
    void idsTitlesAliasesAndAll() {
        assertEquals(List.of("scorecam", "ablationcam"), PERTURBATION.stream().map(Method::id).toList());
        assertEquals(List.of("Score-CAM", "Ablation-CAM"), PERTURBATION.stream().map(Method::title).toList());
        for (String s : List.of("scorecam", "Score-CAM", "score-cam", "ScoreCAM", "score_cam", "SCORECAM")) {
            assertEquals(Method.SCORECAM, Method.parse(s), s);
        }
        for (String s : List.of("ablationcam", "Ablation-CAM", "ablation-cam", "AblationCAM", "Ablation CAM")) {
            assertEquals(Method.ABLATIONCAM, Method.parse(s), s);
        }
        for (Method m : Method.values()) {
            assertEquals(PERTURBATION.contains(m), m.perturbs(), m.id());
        }
        for (Method m : PERTURBATION) {
            assertTrue(m.usesLayer() && m.camLike() && m.isCamVariant(), m.id());
        }
        assertTrue(Method.parseList("all").containsAll(PERTURBATION));
        assertEquals(EnumSet.of(Method.GRADCAM, Method.ABLATIONCAM), Method.parseList("gradcam, AblationCAM"));
    }

    /**
     * Three images of different sizes in one call, for the top-1 class (not the same for all three) and class 1, get
     * the maps each gets alone, on a float64 model whose layer has 20 channels (runs of 16 and 4 masked inputs or
     * ablated copies per image); the timings name both methods.
     */
    @Test
    void batchesAndRunsOfChannelsGiveEachImageItsOwnMaps() {
        LoadedModel m = models.get(BuiltModels.small(Architecture.VGG, SaveStyle.FUNCTION_CALL).withFilters(10)
                .withDtype(ModelDType.FLOAT64)).loaded();
        assertEquals(20, m.catalog().defaultLayer().channels());
        Explainer explainer = new Explainer(m);
        float[] green = new float[30 * 20 * 3];
        java.util.Arrays.fill(green, 600, 1200, 255);
        List<InputImage> images = List.of(ExplainerTest.randomImage(16, 16, 3, 1),
                new InputImage(30, 20, 3, green, PixelKind.UINT8), ExplainerTest.randomImage(12, 18, 1, 3));
        ExplainRequest request = ExplainRequest.defaults().withMethods(PERTURBATION).withTargets(List.of("auto", "1"));
        List<List<Explanation>> together = explainer.explain(images, request);
        assertTrue(together.stream().map(e -> e.get(0).target().index()).distinct().count() > 1,
                "every image has the same top-1 class: the rows of a run would not need their own class");
        for (int i = 0; i < images.size(); i++) {
            List<Explanation> alone = explainer.explain(images.get(i), request);
            for (int t = 0; t < 2; t++) {
                Explanation e = together.get(i).get(t);
                AugmentationSmoothingTest.assertRawMapsEqual(alone.get(t), e, 1e-5, "image " + i + " target " + t);
                assertTrue(e.timingsMs().keySet().containsAll(List.of("scorecam", "ablationcam")),
                        e.timingsMs().toString());
                assertEquals(PERTURBATION, e.maps().keySet());
            }
        }
    }

    /** A model with a fixed batch of one (one run per masked input or ablated copy) gets its free-batch twin's maps. */
    @Test
    void aFixedBatchModelGetsItsFreeTwinsMaps() {
        try (LoadedModel fixed = ModelLoader.load(TinyModels.write(tmp.resolve("fixed"), new long[] {1, 8, 8, 3},
                new long[] {1, 2}, AugmentationSmoothingTest.FLATTEN_HEAD));
                LoadedModel free = ModelLoader.load(TinyModels.write(tmp.resolve("free"), new long[] {-1, 8, 8, 3},
                        new long[] {-1, 2}, AugmentationSmoothingTest.FLATTEN_HEAD))) {
            List<InputImage> two = List.of(ExplainerTest.randomImage(8, 8, 3, 5), ExplainerTest.randomImage(11, 9, 3,
                    6));
            ExplainRequest request = ExplainRequest.defaults().withMethods(PERTURBATION).withTargets(List.of("0",
                    "1"));
            List<List<Explanation>> a = new Explainer(fixed).explain(two, request);
            List<List<Explanation>> b = new Explainer(free).explain(two, request);
            for (int i = 0; i < 2; i++) {
                for (int t = 0; t < 2; t++) {
                    AugmentationSmoothingTest.assertRawMapsEqual(b.get(i).get(t), a.get(i).get(t), 1e-5,
                            "image " + i + " class " + t);
                    for (Method p : PERTURBATION) {
                        assertTrue(a.get(i).get(t).rawMaps().get(p).max() > 0, p.id() + " empty");
                    }
                }
            }
        }
    }

    /**
     * aug_smooth applies: each method's smoothed raw map is the mean of the maps the test recomputes for the six
     * augmented inputs (masked inputs or ablated activations of each), each over its maximum and mirrored back, all
     * explaining the unaugmented image's top-1 class.
     */
    @Test
    void augSmoothAveragesTheSixAugmentedInputsMaps() {
        LoadedModel m = models.get(BuiltModels.small(Architecture.VGG, SaveStyle.TF1_GRAPH)).loaded();
        Layer layer = m.catalog().defaultLayer();
        InputImage image = ExplainerTest.randomImage(16, 16, 3, 9);
        Explanation e = new Explainer(m).explain(image, ExplainRequest.defaults().withMethods(PERTURBATION)
                .withAugSmooth(true)).get(0);
        int c = e.target().index();
        boolean[] mirrored = {false, false, false, true, true, true};
        double[] factors = {0.9, 1, 1.1, 0.9, 1, 1.1};
        for (Method method : PERTURBATION) {
            double[] expected = null;
            for (int j = 0; j < 6; j++) {
                double[] x = AugmentationSmoothingTest.augmentedInput(m, image, mirrored[j], factors[j]);
                Sample s = PerturbationCams.sample(m, x, 16, 16, 3, layer);
                double[] map = PerturbationCams.map(s, method == Method.SCORECAM
                        ? PerturbationCams.scoreCamWeights(m, s, c, ScoreKind.LOGIT)
                        : PerturbationCams.ablationCamWeights(m, s, layer, c, ScoreKind.LOGIT));
                double max = java.util.Arrays.stream(map).max().orElse(0);
                expected = expected == null ? new double[map.length] : expected;
                for (int p = 0; p < map.length && max > 0; p++) {
                    int to = mirrored[j] ? AugmentationSmoothingTest.mirroredPosition(p, s.fw()) : p;
                    expected[to] += map[p] / max / 6;
                }
            }
            Cam.assertRawMap(expected, e.rawMaps().get(method), 1, 1e-4, method.title() + " aug_smooth");
            assertFalse(e.rawMaps().get(method).max() > 1 + 1e-6, method.title() + ": not a mean of maps over maxima");
        }
    }
}
