package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;

/** The sliding window in Fiji: a 2 × 2 mosaic of malaria cells gives maps of the image's size, calibrated, untouched. */
class SlidingWindowCommandTest {

    @Test
    void mapsAndTable() throws Exception {
        ImagePlus cell = Fixtures.malariaCell();
        ColorProcessor mosaic = new ColorProcessor(192, 192);
        for (int q = 0; q < 4; q++) {
            mosaic.insert(cell.getProcessor().convertToRGB().resize(96, 96), (q % 2) * 96, (q / 2) * 96);
        }
        ImagePlus imp = new ImagePlus("mosaic", mosaic);
        imp.getCalibration().pixelWidth = 0.25;
        imp.getCalibration().setUnit("µm");
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, SlidingWindowCommand.class, "image", imp, "model", Fixtures.malariaModel(),
                    "window", 96, "stride", 96);
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            ImagePlus p = (ImagePlus) m.getOutput("probability_map");
            ImagePlus g = (ImagePlus) m.getOutput("gradcam_map");
            assertEquals(192, p.getWidth());
            assertEquals(0.25, g.getCalibration().pixelWidth, 1e-12);
            // four identical windows: one probability everywhere
            assertEquals(p.getProcessor().getf(10, 10), p.getProcessor().getf(150, 150), 1e-6);
            assertEquals(4, ((ResultsTable) m.getOutput("windows")).size());
            assertTrue(g.getStatistics().max <= 1.0 + 1e-6);
        }
        assertEquals(before, Fixtures.checksum(imp));
    }
}
