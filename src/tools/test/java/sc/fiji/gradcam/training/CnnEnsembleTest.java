package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.Tf;

/**
 * The trainer's ensemble export, checked against its members exported one by one: the ensemble's logits are the
 * mean of the members' logits, its Grad-CAM layer is the members' last conv maps side by side, Grad-CAM · Z there
 * equals the CAM of the stacked dense weights (the ReLU of the mean of the members' pre-ReLU CAMs), and
 * {@link MemberAverage} (how the trainer scores an average of separate members) gives the ensemble graph's
 * probabilities.
 */
class CnnEnsembleTest {

    private static final int MEMBERS = 3;
    private static final int K = 6;

    @TempDir
    static Path tmp;

    private static final SmallCnn NET = new SmallCnn(16, 3, new int[] {4, K}, 2);
    private static final List<Map<String, float[]>> WEIGHTS = new ArrayList<>();
    private static CnnEnsemble ensemble;
    private static Map<String, float[]> merged;

    @BeforeAll
    static void export() throws Exception {
        TensorFlowRuntime.engine();
        Random random = new Random(5);
        for (int i = 0; i < MEMBERS; i++) {
            Map<String, float[]> w = RandomCnn.weights(NET, random);
            WEIGHTS.add(w);
            SavedModelExport.export(NET, w, tmp.resolve("member" + i));
            ExportedModel.writeMetadata(tmp.resolve("member" + i), NET, List.of("a", "b"), "member");
        }
        ensemble = new CnnEnsemble(NET, MEMBERS);
        merged = ensemble.merge(WEIGHTS);
        SavedModelExport.export(ensemble, merged, tmp.resolve("ensemble"));
        ExportedModel.writeMetadata(tmp.resolve("ensemble"), ensemble, List.of("a", "b"), "ensemble");
    }

    private static InputImage image(long seed) {
        return RandomCnn.image(16, new Random(seed));
    }

    @Test
    void logitsAreTheMeanOfTheMembersAndTheLayerIsTheirMapsSideBySide() throws Exception {
        InputImage image = image(1);
        double[] meanLogits = new double[2];
        List<double[]> memberMaps = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            try (LoadedModel m = ModelLoader.load(tmp.resolve("member" + i))) {
                double[] logits = Runs.run(m, Cam.modelInput(m, image), 1, null, -1, "logits:0").get(0);
                for (int c = 0; c < 2; c++) {
                    meanLogits[c] += logits[c] / MEMBERS;
                }
                memberMaps.add(Cam.defaultLayerActivations(m, image));
            }
        }
        try (LoadedModel m = ModelLoader.load(tmp.resolve("ensemble"))) {
            assertEquals(CnnEnsemble.FEATURES, m.catalog().defaultLayer().tensorName().node());
            assertEquals(MEMBERS * K, (int) m.catalog().defaultLayer().channels());
            double[] logits = Runs.run(m, Cam.modelInput(m, image), 1, null, -1, "logits:0").get(0);
            for (int c = 0; c < 2; c++) {
                assertEquals(meanLogits[c], logits[c], 1e-5 * Math.max(1, Math.abs(meanLogits[c])), "logit " + c);
            }
            double[] a = Cam.defaultLayerActivations(m, image);
            int z = a.length / (MEMBERS * K);
            assertEquals(NET.lastConvSize() * NET.lastConvSize(), z);
            for (int i = 0; i < MEMBERS; i++) {
                for (int p = 0; p < z; p++) {
                    for (int ch = 0; ch < K; ch++) {
                        assertEquals(memberMaps.get(i)[p * K + ch], a[p * MEMBERS * K + i * K + ch], 1e-6,
                                "member " + (i + 1) + " channel " + ch + " at " + p);
                    }
                }
            }
        }
    }

    @Test
    void gradCamAtTheFeaturesIsTheCamOfTheStackedWeights() throws Exception {
        InputImage image = image(2);
        float[] dense = merged.get("dense/kernel");
        double[][] w = new double[MEMBERS * K][2];
        for (int ch = 0; ch < MEMBERS * K; ch++) {
            for (int c = 0; c < 2; c++) {
                w[ch][c] = dense[ch * 2 + c];
                assertEquals(WEIGHTS.get(ch / K).get("dense/kernel")[(ch % K) * 2 + c] / MEMBERS, w[ch][c], 1e-7);
            }
        }
        try (LoadedModel m = ModelLoader.load(tmp.resolve("ensemble")); Explainer explainer = new Explainer(m)) {
            double[] a = Cam.defaultLayerActivations(m, image);
            int checked = 0;
            for (int c = 0; c < 2; c++) {
                Explanation e = explainer.explain(image, ExplainRequest.defaults()
                        .withTargets(List.of(Integer.toString(c))).withMethods(EnumSet.of(Method.GRADCAM))).get(0);
                if (Cam.assertGradCamIsCamOverZOrBothEmpty(e, Cam.of(a, w, c), "ensemble class " + c)) {
                    checked++;
                }
            }
            assertTrue(checked > 0, "no class had a non-empty CAM");
        }
    }

    @Test
    void memberAverageGivesTheEnsembleGraphsProbabilities() {
        List<LabeledImage> items = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 5; i++) {
            float[] px = new float[16 * 16 * 3];
            for (int j = 0; j < px.length; j++) {
                px[j] = random.nextFloat();
            }
            items.add(new LabeledImage("item" + i, "g", i % 2, px));
        }
        List<float[][]> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            try (ExportedModel m = ExportedModel.load(tmp.resolve("member" + i), NET)) {
                members.add(MemberAverage.probabilities(m, NET, items));
            }
        }
        try (ExportedModel m = ExportedModel.load(tmp.resolve("ensemble"), ensemble)) {
            float[][] p = MemberAverage.probabilities(m, ensemble, items);
            for (int i = 0; i < items.size(); i++) {
                float[] expected = MemberAverage.averaged(members, i);
                for (int c = 0; c < 2; c++) {
                    assertEquals(expected[c], p[i][c], 1e-5, "item " + i + " class " + c);
                }
            }
            assertEquals(MemberAverage.confusion(List.of("a", "b"), items, members).logLoss(),
                    ClassifierTraining.evaluate(m, ensemble, List.of("a", "b"), items).logLoss(), 1e-5);
        }
    }

    @Test
    void refusesWhatItCannotAverageExactly() {
        IllegalArgumentException head = assertThrows(IllegalArgumentException.class,
                () -> new CnnEnsemble(new SmallCnn(16, 3, new int[] {4, K}, null, 2, SmallCnn.Head.AVG_MAX), 2));
        assertTrue(head.getMessage().contains("--head avg"), head.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CnnEnsemble(NET, 1));
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> ensemble.merge(WEIGHTS.subList(0, 2)));
        assertTrue(count.getMessage().contains("3 members"), count.getMessage());
    }
}
