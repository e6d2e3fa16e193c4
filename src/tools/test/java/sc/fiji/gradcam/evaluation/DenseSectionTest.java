package sc.fiji.gradcam.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.SharedModels;

/** A reduced section 4 (2 boxes, HiResCAM) on the real CARE U-Net, and the splicing of the section into the report. */
class DenseSectionTest {

    @Test
    void hiResCamConcentratesOnTheRegionAndItsOrderMovesTheScoreFasterThanRandom() throws Exception {
        Path care = SharedModels.root().resolve("models/care_denoise2d_mito");
        Assumptions.assumeTrue(Files.isRegularFile(care.resolve("model/saved_model.pb")), "CARE model missing");
        try (LoadedModel m = ModelLoader.load(care.resolve("model")); Explainer ex = new Explainer(m)) {
            InputImage im = DenseSection.normalised(ImagePlusImages.plane(ImageFiles.open(
                    care.resolve("images/bsubtilis_widefield_sample_input_0.tif")), 0));
            List<Region> boxes = DenseSection.randomBoxes(im.width(), im.height(), 24, 2, 7);
            DenseSection s = new DenseSection(List.of(Method.HIRESCAM), 4, 1, 7);
            DenseSection.CaseResult r = s.run(new DenseSection.Case("CARE", m, ex, List.of(im), List.of(boxes), 16, 0, 0,
                    "test"), false);
            assertEquals(2, r.boxes().size());
            for (DenseSection.BoxResult b : r.boxes()) {
                double c = b.concentration().get(Method.HIRESCAM);
                // the grown box is ~5 % of the image: no preference gives 1, all mass inside gives ~21
                assertTrue(c > 5, "HiResCAM concentration " + c + " for " + b.region());
                double auc = Metrics.auc(b.deletion().get(Method.HIRESCAM));
                double random = Metrics.auc(b.random());
                assertTrue(auc > random + 0.1, "deletion AUC " + auc + " vs random " + random + " for " + b.region());
            }
        }
    }

    @Test
    void concentrationIsMassShareOverAreaShare() {
        boolean[] near = new boolean[100];
        float[] map = new float[100];
        for (int i = 0; i < 10; i++) {
            near[i] = true;
            map[i] = 1;
        }
        map[50] = 1; // 10 of 11 units on 10 % of the area
        assertEquals((10.0 / 11) / 0.1, DenseSection.concentration(map, near), 1e-9);
        assertTrue(Double.isNaN(DenseSection.concentration(new float[100], near)));
    }

    @Test
    void spliceReplacesSectionFourOrPutsItBeforeTheFooter() {
        String doc = "# E\n\n## 3. R\n\ntext\n\n---\nRun time: 1 min.\n";
        String first = DenseEvaluation.splice(doc, DenseEvaluation.HEADING + "\n\nA\n\n");
        assertTrue(first.indexOf("## 3. R") < first.indexOf("A\n") && first.indexOf("A\n") < first.indexOf("Run time"),
                first);
        String second = DenseEvaluation.splice(first, DenseEvaluation.HEADING + "\n\nB\n\n");
        assertTrue(!second.contains("\nA\n") && second.contains("\nB\n") && second.endsWith("Run time: 1 min.\n"), second);
        int first4 = second.indexOf(DenseEvaluation.HEADING);
        assertTrue(first4 >= 0 && second.indexOf(DenseEvaluation.HEADING, first4 + 1) < 0, second);
    }
}
