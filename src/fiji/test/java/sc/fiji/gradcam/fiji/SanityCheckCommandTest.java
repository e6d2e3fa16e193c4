package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;
import sc.fiji.gradcam.support.Shared;

/**
 * The randomisation sanity check on the default malaria model and a held-out cell: the correlations with the trained
 * maps drop once the weights are re-initialised, the table has a row per stage, the maps come as a labelled,
 * calibrated stack with a LUT and as a montage, and the model files and the cached model stay as they were.
 */
class SanityCheckCommandTest {

    @Test
    void correlationsDropForTheRandomisedModel() throws Exception {
        Path dir = Fixtures.malariaModel().toPath();
        String before = Shared.checksum(dir);
        ImagePlus cell = Fixtures.malariaCell();
        cell.getCalibration().pixelWidth = 0.25;
        cell.getCalibration().pixelHeight = 0.25;
        cell.getCalibration().setUnit("µm");
        long pixels = Fixtures.checksum(cell);
        try (Context c = new Context()) {
            var direct = c.service(ModelCache.class).explainer(Fixtures.malariaModel()).explain(
                    sc.fiji.gradcam.api.io.ImagePlusImages.plane(cell, 0), sc.fiji.gradcam.api.ExplainRequest
                            .defaults()).get(0);
            Module m = Fixtures.run(c, SanityCheckCommand.class, "image", cell, "model", Fixtures.malariaModel(),
                    "seed", 3L);
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            double gcTop = (double) m.getOutput("gradcam_rho_top");
            double gcAll = (double) m.getOutput("gradcam_rho_all");
            double gbTop = (double) m.getOutput("guided_backprop_rho_top");
            double gbAll = (double) m.getOutput("guided_backprop_rho_all");
            assertTrue(gcAll < SanityCheckCommand.DEPENDS, "Grad-CAM ρ after all layers: " + gcAll);
            assertTrue(gcTop < 0.9, "Grad-CAM ρ after the top layer: " + gcTop);
            assertTrue(gbAll < 0.9 && gbTop < 0.99, "Guided Backprop ρ: " + gbTop + " / " + gbAll);

            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals(3, rt.size());
            assertEquals(List.of("trained", "top layer re-initialised", "all layers re-initialised"),
                    List.of(rt.getStringValue("Stage", 0), rt.getStringValue("Stage", 1), rt.getStringValue("Stage", 2)));
            assertEquals("none", rt.getStringValue("Layers re-initialised", 0));
            assertEquals("dense", rt.getStringValue("Layers re-initialised", 1));
            assertEquals("all (5)", rt.getStringValue("Layers re-initialised", 2));
            assertEquals(1.0, rt.getValue("Grad-CAM rho", 0), 1e-9);
            assertEquals(1.0, rt.getValue("Guided Backprop rho", 0), 1e-9);
            assertEquals(gcAll, rt.getValue("Grad-CAM rho", 2), 1e-9);
            assertEquals(gbTop, rt.getValue("Guided Backprop rho", 1), 1e-9);
            assertEquals(direct.predicted().label(), rt.getStringValue("Predicted", 0));
            assertEquals(direct.target().probability(), rt.getValue("Target probability", 0), 1e-6);

            ImagePlus maps = (ImagePlus) m.getOutput("maps");
            assertEquals(6, maps.getStackSize());
            assertEquals(cell.getWidth(), maps.getWidth());
            assertEquals("Grad-CAM, trained", maps.getStack().getSliceLabel(1));
            assertEquals("Guided Backprop, all layers re-initialised", maps.getStack().getSliceLabel(6));
            assertEquals(0.25, maps.getCalibration().pixelWidth, 1e-12);
            assertEquals("µm", maps.getCalibration().getUnit());
            assertEquals(ImagePlus.GRAY32, maps.getType());
            assertTrue(maps.getProcessor().isColorLut() || maps.getProcessor().getLut().getRed(255) != 0,
                    "a colour LUT");
            float[] trainedCam = (float[]) maps.getStack().getPixels(1);
            assertEquals(direct.maps().get(sc.fiji.gradcam.api.Method.GRADCAM).data()[trainedCam.length / 2],
                    trainedCam[trainedCam.length / 2], 1e-6f);
            ImagePlus montage = (ImagePlus) m.getOutput("montage");
            assertNotNull(montage);
            assertTrue(montage.getWidth() >= 3 * cell.getWidth() && montage.getHeight() >= 2 * cell.getHeight());

            String summary = (String) m.getOutput("summary");
            assertTrue(summary.startsWith("Grad-CAM depends on the weights (ρ = "), summary);
            assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "%.2f", gcAll)), summary);

            // the same seed gives the same numbers; the cached trained model was not changed by the check
            Module again = Fixtures.run(c, SanityCheckCommand.class, "image", cell, "model", Fixtures.malariaModel(),
                    "seed", 3L);
            assertEquals(gcAll, (double) again.getOutput("gradcam_rho_all"), 1e-9);
            var after = c.service(ModelCache.class).explainer(Fixtures.malariaModel()).explain(
                    sc.fiji.gradcam.api.io.ImagePlusImages.plane(cell, 0), sc.fiji.gradcam.api.ExplainRequest
                            .defaults()).get(0);
            assertEquals(direct.target().probability(), after.target().probability(), 1e-9);
            assertEquals(1, c.service(ModelCache.class).loads(), "the copies are not cached");
        }
        assertEquals(pixels, Fixtures.checksum(cell), "input pixels unchanged");
        assertEquals(before, Shared.checksum(dir), "model files unchanged");
    }

    @Test
    void theReadingSaysWhatTheNumbersMean() {
        assertEquals("Grad-CAM depends on the weights (ρ = 0.12 after re-initialising all layers): the map is not an "
                + "edge detector; Guided Backprop stays at ρ = 0.71, so its fine detail shows the image more than the "
                + "model.", SanityCheckCommand.reading(0.12, 0.71, false));
        assertTrue(SanityCheckCommand.reading(0.8, 0.1, false).startsWith("Warning: Grad-CAM barely changes"));
        assertTrue(SanityCheckCommand.reading(0.8, 0.1, false).contains("Guided Backprop decorrelates too (ρ = 0.10)"));
        assertTrue(SanityCheckCommand.reading(0, 0, true).contains("empty"));
    }

    /** A TF2 export (resource variables) is checked too; no image is one user error, no exception. */
    @Test
    void aTf2ModelIsCheckedAndNoImageIsAUserError() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, SanityCheckCommand.class, "image", Fixtures.mnist(0), "model",
                    Fixtures.mnistModel(), "layer", "Conv2D_1");
            // mnist_tfmodule keeps its weights as resource variables: the check runs
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            assertEquals(3, ((ResultsTable) m.getOutput("results")).size());
            Module badSize = Fixtures.run(c, SanityCheckCommand.class, "image", Fixtures.mnist(0), "model",
                    Fixtures.mnistModel(), "size", "32x32");
            assertTrue(Fixtures.canceled(badSize));
            assertTrue(Fixtures.reason(badSize).contains("does not fit the model's input 28x28"),
                    Fixtures.reason(badSize));
            Module none = Fixtures.run(c, SanityCheckCommand.class, "model", Fixtures.mnistModel());
            assertTrue(Fixtures.canceled(none));
            assertTrue(Fixtures.reason(none).contains("No image is open"), Fixtures.reason(none));
        }
    }
}
