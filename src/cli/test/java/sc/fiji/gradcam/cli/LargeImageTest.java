package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory bounded by design (issue H.2), in a JVM with a small heap: a 6000 × 6000 8-bit image is explained with the
 * default methods in 400 MB of heap, where holding its maps as floats (input, Grad-CAM, three-channel Guided
 * Grad-CAM and Guided Backprop, the overlay's RGB) would take over 1.2 GB; an image that cannot be done in that heap
 * is one error entry with a one-line reason, before any work on it, and the batch goes on.
 */
class LargeImageTest {

    @TempDir
    Path dir;

    private static void gray(Path file, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                px[y * size + x] = (byte) (128 + 100 * Math.sin(x / 90.0) * Math.cos(y / 70.0));
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void aLargeImageIsExplainedInASmallHeapAndATooLargeOneIsOneErrorEntry() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        gray(in.resolve("a-large.png"), 6000);
        gray(in.resolve("b-too-large.png"), 9000);
        Files.copy(Paths.get(System.getProperty("gradcam.home"), "test-images").resolve(first()),
                in.resolve("c-cell.png"));
        Path out = dir.resolve("out");
        List<String> cmd = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx400m",
                "-Djava.awt.headless=true", "-Dgradcam.home=" + System.getProperty("gradcam.home"),
                "-Dorg.slf4j.simpleLogger.logFile=System.err", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "explain", "--image", in.toString(), "--out", out.toString(), "--quiet",
                "--json");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve("err.log").toFile());
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        assertEquals(1, exit, "one image not explained: exit 1\n" + Files.readString(dir.resolve("err.log")));
        JsonArray images = JsonParser.parseString(stdout).getAsJsonObject().getAsJsonArray("images");
        assertEquals(3, images.size(), images::toString);
        Map<String, JsonObject> byName = new HashMap<>();
        images.forEach(e -> byName.put(Paths.get(e.getAsJsonObject().get("image").getAsString()).getFileName()
                .toString(), e.getAsJsonObject()));
        JsonObject large = byName.get("a-large.png");
        assertFalse(large.has("error") && !large.get("error").isJsonNull(), large::toString);
        ImagePlus cam = IJ.openImage(out.resolve("a-large.gradcam.tif").toString());
        assertEquals(6000, cam.getWidth());
        assertEquals(32, cam.getBitDepth());
        ImagePlus ggc = IJ.openImage(out.resolve("a-large.guided-gradcam.tif").toString());
        assertEquals(3, ggc.getNChannels(), "three channels, written one slice at a time");
        assertEquals(6000, ggc.getHeight());
        assertTrue(Files.size(out.resolve("a-large.gradcam-overlay.png")) > 0);
        String error = byName.get("b-too-large.png").get("error").getAsString();
        assertTrue(error.contains("9000×9000") && error.contains("Fix:") && !error.contains("\n"), error);
        assertFalse(Files.exists(out.resolve("b-too-large.gradcam.tif")));
        assertFalse(byName.get("c-cell.png").has("error") && !byName.get("c-cell.png").get("error").isJsonNull());
        assertTrue(Files.exists(out.resolve("c-cell.gradcam.tif")), "the batch went on");
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".part")), "no partial files");
        }
    }

    private static String first() throws IOException {
        try (var s = Files.list(Paths.get(System.getProperty("gradcam.home"), "test-images"))) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().findFirst()
                    .orElseThrow();
        }
    }
}
