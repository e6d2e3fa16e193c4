package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slide}: the default malaria model over a 2 × 2 mosaic of held-out cells (each 96², the model's input). */
class SlideCliTest {

    @TempDir
    Path tmp;

    @Test
    void probabilityMapAndStitchedGradCam() throws Exception {
        List<Path> cells;
        try (var s = Files.list(Path.of("../../test-images"))) {
            cells = s.filter(p -> p.toString().endsWith(".png")).sorted().limit(4).toList();
        }
        assertEquals(4, cells.size());
        ColorProcessor mosaic = new ColorProcessor(192, 192);
        for (int q = 0; q < 4; q++) {
            ImagePlus cell = IJ.openImage(cells.get(q).toString());
            mosaic.insert(cell.getProcessor().convertToRGB().resize(96, 96), (q % 2) * 96, (q / 2) * 96);
        }
        Path image = tmp.resolve("mosaic.tif");
        new ij.io.FileSaver(new ImagePlus("mosaic", mosaic)).saveAsTiff(image.toString());
        CliTest.Run r = CliTest.run("slide", "--image", image.toString(), "--out", tmp.resolve("out").toString(),
                "--stride", "48", "--class", "Parasitized", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(9, o.get("windows").getAsInt());
        assertEquals(96, o.get("window").getAsInt());
        assertEquals("Parasitized", o.getAsJsonObject("target").get("label").getAsString());
        ImagePlus prob = IJ.openImage(tmp.resolve("out/mosaic.probability.tif").toString());
        assertEquals(192, prob.getWidth());
        float v = prob.getProcessor().getf(10, 10);
        assertTrue(v >= 0 && v <= 1, "probability " + v);
        ImagePlus cam = IJ.openImage(tmp.resolve("out/mosaic.gradcam.tif").toString());
        assertEquals(1.0, cam.getStatistics().max, 1e-6);
        assertEquals(10, Files.readAllLines(tmp.resolve("out/mosaic.windows.csv")).size());
        CliTest.Run bad = CliTest.run("slide", "--image", image.toString(), "--out", tmp.resolve("x").toString(),
                "--window", "500");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("larger than the image"), bad.err());
    }
}
