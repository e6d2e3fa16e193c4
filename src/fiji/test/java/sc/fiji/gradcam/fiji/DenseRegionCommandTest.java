package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;

/**
 * Grad-CAM of a real dense model (CARE) in Fiji: the image's selection is the target region, the ROI Manager gives one
 * map set per ROI named after it, the results table says which region was explained, the pixels stay untouched.
 */
class DenseRegionCommandTest {

    private static File care() {
        return Fixtures.shared().resolve("models/care_denoise2d_mito/model").toFile();
    }

    private static ImagePlus image() {
        return IJ.openImage(Fixtures.shared().resolve(
                "models/care_denoise2d_mito/images/bsubtilis_widefield_sample_input_0.tif").toString());
    }

    @Test
    void theSelectionIsTheRegion() throws Exception {
        ImagePlus imp = image();
        Roi oval = new OvalRoi(100, 80, 40, 30);
        oval.setName("cell A");
        imp.setRoi(oval);
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, GradCamCommand.class, "image", imp, "model", care(), "methods",
                    "gradcam,hirescam", "range", "0:1", "aggregate", "mean");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals("mask 'cell A'", rt.getStringValue("Region", rt.size() - 1));
            long pixels = (long) rt.getValue("Region pixels", rt.size() - 1);
            // the oval's own pixel count (ImageJ's mask)
            assertEquals(oval.getContainedPoints().length, pixels);
            assertTrue(Double.isFinite(rt.getValue("Region mean", rt.size() - 1)));
            @SuppressWarnings("unchecked")
            List<ImagePlus> maps = (List<ImagePlus>) m.getOutput("map_images");
            assertTrue(maps.get(0).getTitle().contains("cell A"), maps.get(0).getTitle());
        }
        assertEquals(before, Fixtures.checksum(imp));
    }

    @Test
    void everyRoiOfTheOverlayGetsItsMaps() throws Exception {
        ImagePlus imp = image();
        ij.gui.Overlay overlay = new ij.gui.Overlay();
        Roi a = new Roi(10, 10, 20, 20);
        a.setName("left");
        Roi b = new Roi(200, 150, 16, 16);
        b.setName("right");
        overlay.add(a);
        overlay.add(b);
        overlay.add(new ij.gui.Line(0, 0, 50, 50));
        imp.setOverlay(overlay);
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, GradCamCommand.class, "image", imp, "model", care(), "methods", "gradcam",
                    "range", "0:1", "region", "overlay");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            @SuppressWarnings("unchecked")
            List<ImagePlus> maps = (List<ImagePlus>) m.getOutput("map_images");
            assertEquals(2, maps.size());
            assertTrue(maps.get(0).getTitle().contains("left") && maps.get(1).getTitle().contains("right"),
                    maps.get(0).getTitle() + " / " + maps.get(1).getTitle());
            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals(400, (long) rt.getValue("Region pixels", rt.size() - 2));
            assertEquals(256, (long) rt.getValue("Region pixels", rt.size() - 1));
            // headless: no ROI Manager, and the message says what to do instead
            Module none = Fixtures.run(c, GradCamCommand.class, "image", imp, "model", care(), "methods", "gradcam",
                    "range", "0:1", "region", "roi_manager");
            assertTrue(Fixtures.canceled(none));
            assertTrue(Fixtures.reason(none).contains("region=overlay"), Fixtures.reason(none));
        }
    }

    @Test
    void aClassifierRefusesARegionWithTheFix() throws Exception {
        ImagePlus imp = Fixtures.mnist(0);
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, GradCamCommand.class, "image", imp, "model", Fixtures.mnistModel(), "region",
                    "0,0,5,5");
            assertTrue(Fixtures.canceled(m));
            assertTrue(Fixtures.reason(m).contains("classifier") && Fixtures.reason(m).contains("Fix"),
                    Fixtures.reason(m));
        }
    }
}
