package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ImageProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.cli.CliTest.Run;
import sc.fiji.gradcam.support.Shared;

/**
 * {@code explain --planes all}: every plane of a stack is a JSON entry, a CSV row and a slice of the map TIFFs, with
 * the same result as the plane saved on its own; the default explains the first plane only.
 */
class ExplainPlanesTest {

    /** Three different digits (7, 2, 0): the planes' predictions differ. */
    private static final String[] DIGITS = {"t10k_0000_label7.png", "t10k_0001_label2.png", "t10k_0003_label0.png"};
    private static final String[] LABELS = {"7", "2", "0"};

    @TempDir
    Path dir;

    private static String model() {
        return Shared.model("mnist_tfmodule").toString();
    }

    /** The digits' processors, converted to the given bit depth (8 or 32). */
    private static List<ImageProcessor> planes(int bitDepth) {
        List<ImageProcessor> list = new ArrayList<>();
        for (String d : DIGITS) {
            ImagePlus imp = IJ.openImage(Shared.images("mnist_tfmodule").resolve(d).toString());
            assertEquals(8, imp.getBitDepth(), d);
            list.add(bitDepth == 32 ? imp.getProcessor().convertToFloat() : imp.getProcessor());
        }
        return list;
    }

    /** The planes as one multi-page TIFF, written by ImageJ's FileSaver.saveAsTiffStack. */
    private static Path stack(Path file, List<ImageProcessor> planes) {
        ImageStack s = new ImageStack(planes.get(0).getWidth(), planes.get(0).getHeight());
        planes.forEach(p -> s.addSlice(p));
        assertTrue(new FileSaver(new ImagePlus("digits", s)).saveAsTiffStack(file.toString()));
        assertEquals(3, IJ.openImage(file.toString()).getStackSize());
        return file;
    }

    private static List<String[]> csvRows(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("image,predicted_index,predicted_label,predicted_probability,target_index,target_label,raw_max,"
                + "error,plane", lines.get(0), "the CLI's columns, in order, plane at the end");
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    private static float[] pixels(ImagePlus imp, int slice) {
        return (float[]) imp.getStack().getProcessor(slice).convertToFloat().getPixels();
    }

    @Test
    void everyPlaneIsAnEntryARowAndASliceWithTheResultOfThePlaneAlone() throws Exception {
        List<ImageProcessor> planes = planes(8);
        Path stack = stack(Files.createDirectories(dir.resolve("stack")).resolve("digits.tif"), planes);
        Path singles = Files.createDirectories(dir.resolve("singles"));
        for (int i = 0; i < planes.size(); i++) {
            assertTrue(new FileSaver(new ImagePlus("plane", planes.get(i))).saveAsTiff(
                    singles.resolve("plane-" + (i + 1) + ".tif").toString()));
        }
        String[] common = {"explain", "--model", model(), "--layer", "Conv2D_1", "--methods", "gradcam,guided-gradcam",
            "--quiet", "--json"};
        Path alone = dir.resolve("alone");
        JsonArray single = CliTest.json(CliTest.run(concat(common, "--image", singles.toString(), "--out",
                alone.toString(), "--montage", alone.resolve("montage.png").toString()))).getAsJsonArray("images");
        assertEquals(3, single.size());

        Path out = dir.resolve("out");
        // --batch 2: the three planes take two session runs
        JsonObject o = CliTest.json(CliTest.run(concat(common, "--image", stack.toString(), "--planes", "all",
                "--batch", "2", "--out", out.toString(), "--montage", out.resolve("montage.png").toString())));
        JsonArray list = o.getAsJsonArray("images");
        assertEquals(3, list.size(), list::toString);
        for (int i = 0; i < 3; i++) {
            JsonObject img = list.get(i).getAsJsonObject();
            JsonObject own = single.get(i).getAsJsonObject();
            assertEquals(stack.toString(), img.get("image").getAsString());
            assertEquals(i + 1, img.get("plane").getAsInt());
            assertEquals(1, own.get("plane").getAsInt(), "a single image is plane 1");
            assertTrue(img.get("error").isJsonNull(), img::toString);
            JsonObject predicted = img.getAsJsonObject("predicted");
            assertEquals(LABELS[i], predicted.get("label").getAsString());
            assertEquals(own.getAsJsonObject("predicted").get("label").getAsString(),
                    predicted.get("label").getAsString());
            assertEquals(own.getAsJsonObject("predicted").get("probability").getAsDouble(),
                    predicted.get("probability").getAsDouble(), 1e-5);
            assertEquals(own.get("raw_max").getAsDouble(), img.get("raw_max").getAsDouble(), 1e-4);
            assertEquals(out.resolve("digits.gradcam.tif").toString(),
                    img.getAsJsonObject("outputs").get("gradcam").getAsString(), "every plane names the stack's files");
        }
        ImagePlus cam = IJ.openImage(out.resolve("digits.gradcam.tif").toString());
        assertEquals(3, cam.getStackSize(), "a slice per plane");
        assertEquals(3, IJ.openImage(out.resolve("digits.gradcam-raw.tif").toString()).getStackSize());
        assertEquals(3, IJ.openImage(out.resolve("digits.guided-gradcam.tif").toString()).getStackSize());
        for (int i = 0; i < 3; i++) {
            ImagePlus own = IJ.openImage(alone.resolve("plane-" + (i + 1) + ".gradcam.tif").toString());
            assertEquals(1, own.getStackSize());
            float[] expected = pixels(own, 1);
            float[] actual = pixels(cam, i + 1);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], actual[k], 1e-4, "slice " + (i + 1) + " is the map of plane " + (i + 1));
            }
        }
        assertFalse(Arrays.equals(pixels(cam, 1), pixels(cam, 2)), "the planes' maps differ");

        List<String[]> rows = csvRows(out);
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(stack.toString(), rows.get(i)[0]);
            assertEquals(LABELS[i], rows.get(i)[2]);
            assertEquals("", rows.get(i)[7], "no error");
            assertEquals(String.valueOf(i + 1), rows.get(i)[8]);
        }
        JsonArray summary = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonArray("images");
        assertEquals(list, summary, "summary.json holds the same entries");
        assertEquals(ImageIO.read(alone.resolve("montage.png").toFile()).getHeight(),
                ImageIO.read(out.resolve("montage.png").toFile()).getHeight(), "a montage row per plane");
    }

    @Test
    void planesFirstExplainsTheFirstPlaneOnly() throws Exception {
        Path stack = stack(dir.resolve("digits.tif"), planes(8));
        for (String[] planes : new String[][] {{"--planes", "first"}}) {
            Path out = dir.resolve("out" + planes.length);
            String[] args = {"explain", "--model", model(), "--image", stack.toString(), "--methods", "gradcam",
                "--out", out.toString(), "--quiet", "--json"};
            JsonArray list = CliTest.json(CliTest.run(concat(args, planes))).getAsJsonArray("images");
            assertEquals(1, list.size(), list::toString);
            JsonObject img = list.get(0).getAsJsonObject();
            assertEquals(1, img.get("plane").getAsInt());
            assertEquals(LABELS[0], img.getAsJsonObject("predicted").get("label").getAsString());
            assertEquals(1, IJ.openImage(out.resolve("digits.gradcam.tif").toString()).getStackSize());
            List<String[]> rows = csvRows(out);
            assertEquals(1, rows.size());
            assertEquals("1", rows.get(0)[8]);
        }
        // the default, as in Fiji's batch: every plane
        Path all = dir.resolve("out-default");
        JsonArray every = CliTest.json(CliTest.run("explain", "--model", model(), "--image", stack.toString(),
                "--methods", "gradcam", "--out", all.toString(), "--quiet", "--json")).getAsJsonArray("images");
        assertEquals(DIGITS.length, every.size(), every::toString);
        assertEquals(DIGITS.length, IJ.openImage(all.resolve("digits.gradcam.tif").toString()).getStackSize());
    }

    /**
     * A plane with a NaN is an error entry (and CSV row) of that plane; the other planes are written. An unreadable
     * file is one error entry without a plane; the run goes on and exits 1.
     */
    @Test
    void aPlaneThatFailsIsAnErrorOfThatPlaneAndTheOtherPlanesAreKept() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        List<ImageProcessor> planes = planes(32);
        planes.get(1).setf(3, 4, Float.NaN);
        Path stack = stack(images.resolve("a.tif"), planes);
        Files.write(images.resolve("b.tif"), new byte[] {1, 2, 3, 4});
        Path out = dir.resolve("out");
        Run r = CliTest.run("explain", "--model", model(), "--image", images.toString(), "--range",
                "0:1", "--methods", "gradcam", "--planes", "all", "--out", out.toString(), "--quiet", "--json");
        assertEquals(1, r.code(), r.err());
        JsonArray list = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("images");
        assertEquals(4, list.size(), list::toString);
        int[] planesInOrder = {1, 3, 2};
        for (int i = 0; i < 3; i++) {
            JsonObject img = list.get(i).getAsJsonObject();
            assertEquals(stack.toString(), img.get("image").getAsString());
            assertEquals(planesInOrder[i], img.get("plane").getAsInt());
            assertEquals(i == 2, !img.get("error").isJsonNull(), img::toString);
        }
        assertTrue(list.get(2).getAsJsonObject().get("error").getAsString().contains("NaN"));
        JsonObject unreadable = list.get(3).getAsJsonObject();
        assertTrue(unreadable.get("image").getAsString().endsWith("b.tif"));
        assertTrue(unreadable.get("plane").isJsonNull(), "an unreadable file has no plane");
        assertFalse(unreadable.get("error").isJsonNull());
        assertEquals(2, JsonParser.parseString(r.out()).getAsJsonObject().get("errors").getAsInt());

        assertEquals(2, IJ.openImage(out.resolve("a.gradcam.tif").toString()).getStackSize(), "planes 1 and 3");
        List<String[]> rows = csvRows(out);
        assertEquals(4, rows.size());
        String[][] expected = {{"", "1"}, {"", "3"}, {"NaN", "2"}, {"b.tif", ""}};
        for (int i = 0; i < 4; i++) {
            String[] row = rows.get(i);
            String error = String.join(",", Arrays.copyOfRange(row, 7, row.length - 1));
            assertTrue(expected[i][0].isEmpty() ? error.isEmpty() : error.contains(expected[i][0]),
                    String.join(",", row));
            assertEquals(expected[i][1], row[row.length - 1], String.join(",", row));
        }
    }

    /** With several targets, the entries go per target, then per plane; the text summary names the planes. */
    @Test
    void severalTargetsGiveAnEntryPerTargetAndPlane() throws Exception {
        Path stack = stack(dir.resolve("digits.tif"), planes(8));
        Path out = dir.resolve("out");
        JsonArray list = CliTest.json(CliTest.run("explain", "--model", model(), "--image", stack.toString(), "--class",
                "7,2", "--methods", "gradcam", "--planes", "all", "--out", out.toString(), "--quiet", "--json"))
                .getAsJsonArray("images");
        assertEquals(6, list.size());
        for (int i = 0; i < 6; i++) {
            JsonObject img = list.get(i).getAsJsonObject();
            assertEquals(i % 3 + 1, img.get("plane").getAsInt());
            assertEquals(i < 3 ? "7" : "2", img.getAsJsonObject("target").get("label").getAsString());
            assertEquals(LABELS[i % 3], img.getAsJsonObject("predicted").get("label").getAsString());
        }
        assertEquals(3, IJ.openImage(out.resolve("digits.7.gradcam.tif").toString()).getStackSize());
        assertEquals(3, IJ.openImage(out.resolve("digits.2.gradcam.tif").toString()).getStackSize());

        Run text = CliTest.run("explain", "--model", model(), "--image", stack.toString(), "--methods", "gradcam",
                "--planes", "all", "--out", dir.resolve("text").toString(), "--quiet");
        assertEquals(0, text.code(), text.err());
        for (int p = 1; p <= 3; p++) {
            assertTrue(text.out().contains("digits.tif (plane " + p + ")"), text.out());
        }
        assertTrue(text.out().contains("3 explained, 0 failed"), text.out());
    }

    @Test
    void anUnknownPlanesValueIsAOneLineErrorWithExitCode2() {
        Path out = dir.resolve("out");
        Run r = CliTest.run("explain", "--model", model(), "--image",
                Shared.images("mnist_tfmodule").resolve(DIGITS[0]).toString(), "--planes", "every", "--out",
                out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--planes 'every'") && r.err().contains("Valid: first, all"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
