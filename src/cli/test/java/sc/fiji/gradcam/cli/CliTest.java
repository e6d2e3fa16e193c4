package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.Shared;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModels;

/** The command-line contract: JSON fields, files written, exit codes and one-line errors. */
class CliTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static JsonObject json(Run r) {
        assertEquals(0, r.code(), () -> "exit code, stderr: " + r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @ParameterizedTest
    @CsvSource({"mnist_tfmodule,tf2-functions,10", "potato_leaf,tf2-functions,3", "tm_eyes_tf1,tf1-graph,2"})
    void infoJsonHasTheContractFields(String name, String style, int classes) throws Exception {
        String before = Shared.checksum(Shared.model(name));
        JsonObject o = json(run("info", "--model", Shared.model(name).toString(), "--json"));
        assertEquals(style, o.get("style").getAsString());
        assertEquals("serving_default", o.get("signature").getAsString());
        assertTrue(o.getAsJsonArray("signatures").size() >= 1);
        JsonObject in = o.getAsJsonArray("inputs").get(0).getAsJsonObject();
        assertEquals(4, in.getAsJsonArray("shape").size());
        assertEquals(-1, in.getAsJsonArray("shape").get(0).getAsInt());
        assertEquals("float", in.get("dtype").getAsString());
        assertNotNull(o.getAsJsonArray("outputs").get(0).getAsJsonObject().get("name"));
        assertEquals(classes, o.getAsJsonArray("labels").size());
        assertTrue(o.get("ops").getAsInt() > 10);
        assertEquals(before, Shared.checksum(Shared.model(name)), "the model folder must not change");
    }

    @ParameterizedTest
    @CsvSource({"mnist_tfmodule,0:1,default", "potato_leaf,0:255,detected", "tm_eyes_tf1,0:1,default"})
    void infoReportsTheInputRangeAndWhereItComesFrom(String name, String range, String source) {
        JsonObject o = json(run("info", "--model", Shared.model(name).toString(), "--json"));
        assertEquals(range, o.get("input_range").getAsString());
        assertEquals(source, o.get("input_range_source").getAsString());
        assertFalse(o.get("input_range_reason").getAsString().isEmpty());
        Run text = run("info", "--model", Shared.model(name).toString());
        assertTrue(text.out().contains("Range:      " + range + " (" + source + ": "), text.out());
    }

    @Test
    void infoOfTheDefaultModelTakesTheRangeFromItsProperties() {
        JsonObject o = json(run("info", "--json"));
        assertEquals("0:1", o.get("input_range").getAsString());
        assertEquals("gradcam.properties", o.get("input_range_source").getAsString());
    }

    @Test
    void explainWithoutRangeUsesTheDetectedOneAndSaysSo(@TempDir Path out) {
        Path images = Shared.images("potato_leaf");
        JsonObject o = json(run("explain", "--model", Shared.model("potato_leaf").toString(), "--image",
                images.resolve("leaf.jpg").toString(), "--methods", "gradcam", "--out", out.toString(), "--quiet",
                "--json"));
        assertEquals("0:255", o.get("input_range").getAsString());
        assertEquals("detected", o.get("input_range_source").getAsString());
        assertTrue(o.get("input_range_reason").getAsString().contains("rescaling/mul"));
        assertTrue(o.get("preprocessing").getAsString().contains("range 0:255"));
        JsonObject predicted = o.getAsJsonArray("images").get(0).getAsJsonObject().getAsJsonObject("predicted");
        assertEquals("Potato___healthy", predicted.get("label").getAsString());
        assertTrue(predicted.get("probability").getAsDouble() > 0.995);
        JsonObject given = json(run("explain", "--model", Shared.model("potato_leaf").toString(), "--image",
                images.resolve("leaf.jpg").toString(), "--methods", "gradcam", "--range", "0:1", "--out",
                out.resolve("given").toString(), "--quiet", "--json"));
        assertEquals("option", given.get("input_range_source").getAsString());
        assertEquals("0:1", given.get("input_range").getAsString());
    }

    @ParameterizedTest
    @CsvSource({"mnist_tfmodule,Relu_1,14,32", "potato_leaf,sequential_5/conv2d_23/Relu,4,64",
        "tm_eyes_tf1,sequential_5/model2/out_relu/Relu6,7,1280"})
    void layersJsonMarksTheDefault(String name, String expected, int size, int channels) {
        JsonObject o = json(run("layers", "--model", Shared.model(name).toString(), "--json"));
        assertEquals(expected, o.get("default").getAsString());
        assertFalse(o.get("reason").getAsString().isEmpty());
        JsonObject def = null;
        for (var e : o.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            for (String f : new String[] {"name", "tensor", "op", "height", "width", "channels"}) {
                assertTrue(l.has(f), f);
            }
            if (l.get("name").getAsString().equals(expected)) {
                def = l;
            }
        }
        assertNotNull(def);
        assertEquals(size, def.get("height").getAsInt());
        assertEquals(channels, def.get("channels").getAsInt());
    }

    @ParameterizedTest
    @CsvSource({"mnist_tfmodule,0:1", "potato_leaf,0:255", "tm_eyes_tf1,-1:1"})
    void explainWritesEveryMethodAtImageSize(String name, String range, @TempDir Path out) throws Exception {
        Path images = Shared.images(name);
        String before = Shared.checksum(images);
        JsonObject o = json(run("explain", "--model", Shared.model(name).toString(), "--image", images.toString(),
                "--range", range, "--methods", "all", "--out", out.toString(), "--quiet", "--json"));
        JsonArray list = o.getAsJsonArray("images");
        assertTrue(list.size() >= 2);
        for (var e : list) {
            JsonObject img = e.getAsJsonObject();
            assertTrue(img.get("error").isJsonNull(), () -> img.toString());
            assertTrue(img.getAsJsonObject("predicted").has("probability"));
            assertTrue(img.getAsJsonArray("top5").size() >= 2);
            assertEquals("logit", img.get("score").getAsString());
            assertTrue(img.get("raw_max").getAsDouble() >= 0);
            assertTrue(img.getAsJsonObject("timings_ms").has("forward"));
            ImagePlus source = IJ.openImage(img.get("image").getAsString());
            JsonObject outputs = img.getAsJsonObject("outputs");
            for (String key : new String[] {"gradcam", "counterfactual", "gradient", "guided-backprop",
                "guided-gradcam", "gradcam-plusplus", "xgradcam", "layercam", "hirescam", "eigencam", "eigengradcam",
                "scorecam", "ablationcam", "gradcam-overlay"}) {
                Path file = Path.of(outputs.get(key).getAsString());
                assertTrue(Files.isRegularFile(file), key);
                ImagePlus map = IJ.openImage(file.toString());
                assertEquals(source.getWidth(), map.getWidth(), key);
                assertEquals(source.getHeight(), map.getHeight(), key);
            }
            for (String key : new String[] {"gradcam", "gradcam-plusplus", "xgradcam", "layercam", "hirescam",
                "eigencam", "eigengradcam", "scorecam", "ablationcam"}) {
                ImagePlus cam = IJ.openImage(outputs.get(key).getAsString());
                assertEquals(out.resolve(ImageFiles.baseName(Path.of(img.get("image").getAsString())) + "." + key
                        + ".tif"), Path.of(outputs.get(key).getAsString()), key);
                assertEquals(32, cam.getBitDepth(), key);
                assertEquals(ColorMap.FIRE.rgb(1.0), cam.getProcessor().getLut().getRGB(255) & 0xffffff, key);
                double max = cam.getProcessor().getStatistics().max;
                assertTrue(max <= 1.0 + 1e-6 && cam.getProcessor().getStatistics().min >= 0, key);
                assertTrue(img.getAsJsonObject("timings_ms").has(key), key);
            }
            ImagePlus raw = IJ.openImage(outputs.get("gradcam-raw").getAsString());
            assertEquals(img.get("raw_max").getAsDouble(), raw.getProcessor().getStatistics().max, 1e-4);
        }
        assertTrue(Files.isRegularFile(out.resolve("predictions.csv")));
        assertEquals("image,predicted_index,predicted_label,predicted_probability,target_index,target_label,raw_max,"
                + "error,plane", Files.readAllLines(out.resolve("predictions.csv")).get(0));
        assertEquals(list.size() + 1, Files.readAllLines(out.resolve("predictions.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));
        assertEquals(before, Shared.checksum(images), "the input images must not change");
    }

    /** {@code explain --help} names every method id. */
    @Test
    void explainHelpListsEveryMethod() {
        Run r = run("explain", "--help");
        assertEquals(0, r.code());
        String help = r.out().replaceAll("\\s+", " ");
        for (sc.fiji.gradcam.api.Method m : sc.fiji.gradcam.api.Method.values()) {
            assertTrue(help.contains(m.id()), m.id() + " missing from: " + help);
        }
    }

    /**
     * A binary classifier with one raw-logit output unit, z = mean(red) - mean(green) in the range 0:1: each solid
     * colour image's predicted label and probability follow from z; {@code info} says it is a one-unit model.
     */
    @Test
    void explainJsonOnASingleUnitBinaryModel(@TempDir Path dir, @TempDir Path out) throws Exception {
        Path model = TinyModels.redVersusGreen(dir.resolve("model"), "");
        Files.writeString(model.resolve("labels.txt"), "uninfected\nparasitized\n");
        JsonObject info = json(run("info", "--model", model.toString(), "--json"));
        assertEquals(2, info.get("classes").getAsInt());
        assertEquals(1, info.get("output_units").getAsInt());
        assertTrue(info.get("binary_single_output").getAsBoolean());
        assertEquals(2, info.getAsJsonArray("labels").size());
        assertEquals(0, info.getAsJsonArray("warnings").size());

        Path images = Files.createDirectories(dir.resolve("images"));
        int[][] colours = {{200, 40}, {30, 220}};
        for (int i = 0; i < colours.length; i++) {
            BufferedImage b = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 20; x++) {
                    b.setRGB(x, y, colours[i][0] << 16 | colours[i][1] << 8);
                }
            }
            ImageIO.write(b, "png", images.resolve("colour" + i + ".png").toFile());
        }
        JsonArray list = json(run("explain", "--model", model.toString(), "--image", images.toString(), "--out",
                out.toString(), "--methods", "gradcam", "--quiet", "--json")).getAsJsonArray("images");
        assertEquals(2, list.size());
        for (int i = 0; i < colours.length; i++) {
            JsonObject img = list.get(i).getAsJsonObject();
            double z = (colours[i][0] - colours[i][1]) / 255.0;
            int cls = z > 0 ? 1 : 0;
            JsonObject predicted = img.getAsJsonObject("predicted");
            assertEquals(cls, predicted.get("index").getAsInt(), img.toString());
            assertEquals(cls == 1 ? "parasitized" : "uninfected", predicted.get("label").getAsString());
            assertEquals(1 / (1 + Math.exp(-Math.abs(z))), predicted.get("probability").getAsDouble(), 1e-6);
            assertEquals(cls, img.getAsJsonObject("target").get("index").getAsInt());
            JsonArray top = img.getAsJsonArray("top5");
            assertEquals(2, top.size());
            assertEquals(1.0, top.get(0).getAsJsonObject().get("probability").getAsDouble()
                    + top.get(1).getAsJsonObject().get("probability").getAsDouble(), 1e-9);
        }
    }

    /**
     * {@code --aug-smooth} and {@code --eigen-smooth} reach the engine and the JSON: the run and each entry report
     * {@code aug_smooth} and {@code eigen_smooth} (false without the flags), and the raw Grad-CAM TIFF and
     * {@code raw_max} are the explainer's with both, unlike the run without them.
     */
    @Test
    void smoothingFlagsReachTheMapsAndTheJson(@TempDir Path dir, @TempDir Path out) throws Exception {
        Path model = TestModels.build(BuiltModels.small(Architecture.VGG, SaveStyle.FUNCTION_CALL), dir.resolve("vgg"))
                .dir();
        BufferedImage b = new BufferedImage(20, 18, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(5);
        for (int i = 0; i < 20 * 18; i++) {
            b.setRGB(i % 20, i / 20, r.nextInt(1 << 24));
        }
        Path image = dir.resolve("noise.png");
        ImageIO.write(b, "png", image.toFile());
        String[] common = {"explain", "--model", model.toString(), "--image", image.toString(), "--methods", "gradcam",
            "--quiet", "--json", "--out"};
        JsonObject plain = json(run(concat(common, out.resolve("plain").toString())));
        JsonObject smooth = json(run(concat(common, out.resolve("smooth").toString(), "--aug-smooth",
                "--eigen-smooth")));
        JsonObject plainEntry = plain.getAsJsonArray("images").get(0).getAsJsonObject();
        JsonObject smoothEntry = smooth.getAsJsonArray("images").get(0).getAsJsonObject();
        for (JsonObject o : new JsonObject[] {plain, plainEntry}) {
            assertFalse(o.get("aug_smooth").getAsBoolean(), o.toString());
            assertFalse(o.get("eigen_smooth").getAsBoolean(), o.toString());
        }
        for (JsonObject o : new JsonObject[] {smooth, smoothEntry}) {
            assertTrue(o.get("aug_smooth").getAsBoolean(), o.toString());
            assertTrue(o.get("eigen_smooth").getAsBoolean(), o.toString());
        }
        assertEquals(plainEntry.keySet(), smoothEntry.keySet());
        try (Explainer explainer = new Explainer(ModelLoader.load(model))) {
            InputImage input = ImagePlusImages.plane(ImageFiles.open(image), 0);
            for (boolean smoothed : new boolean[] {false, true}) {
                Explanation e = explainer.explain(input, ExplainRequest.defaults().withMethods(Method.parseList(
                        "gradcam")).withAugSmooth(smoothed).withEigenSmooth(smoothed)).get(0);
                JsonObject entry = smoothed ? smoothEntry : plainEntry;
                assertEquals(e.rawMax(), entry.get("raw_max").getAsDouble(), 1e-9);
                ImagePlus raw = IJ.openImage(entry.getAsJsonObject("outputs").get("gradcam-raw").getAsString());
                float[] pixels = (float[]) raw.getProcessor().getPixels();
                assertArrayEquals(e.gradcamRaw().data(), pixels, 1e-7f, "smoothed " + smoothed);
            }
        }
        assertTrue(Math.abs(plainEntry.get("raw_max").getAsDouble() - smoothEntry.get("raw_max").getAsDouble())
                > 1e-6, "the flags changed nothing");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void unreadableFileIsReportedAndTheRunGoesOn(@TempDir Path dir, @TempDir Path out) throws Exception {
        Files.copy(Shared.images("mnist_tfmodule").resolve("t10k_0000_label7.png"), dir.resolve("a.png"));
        Files.write(dir.resolve("b.png"), new byte[] {1, 2, 3, 4});
        Run r = run("explain", "--model", Shared.model("mnist_tfmodule").toString(), "--image", dir.toString(),
                "--out", out.toString(), "--quiet", "--json");
        assertEquals(1, r.code(), r.err());
        JsonArray list = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("images");
        assertEquals(2, list.size());
        assertTrue(list.get(0).getAsJsonObject().get("error").isJsonNull());
        assertFalse(list.get(1).getAsJsonObject().get("error").isJsonNull());
    }

    /** Rows of predictions.csv and JSON entries follow the files, also when the first file of a batch fails. */
    @Test
    void csvRowsFollowTheFileOrder(@TempDir Path dir, @TempDir Path out) throws Exception {
        Files.write(dir.resolve("a.png"), new byte[] {1, 2, 3, 4});
        Files.copy(Shared.images("mnist_tfmodule").resolve("t10k_0000_label7.png"), dir.resolve("b.png"));
        Files.copy(Shared.images("mnist_tfmodule").resolve("t10k_0001_label2.png"), dir.resolve("c.png"));
        Run r = run("explain", "--model", Shared.model("mnist_tfmodule").toString(), "--image", dir.toString(),
                "--methods", "gradcam", "--out", out.toString(), "--quiet", "--json");
        assertEquals(1, r.code(), r.err());
        JsonArray list = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("images");
        assertFalse(list.get(0).getAsJsonObject().get("error").isJsonNull());
        java.util.List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals(4, csv.size(), csv.toString());
        String failed = dir.resolve("a.png") + ",,,,,,,";
        assertTrue(csv.get(1).startsWith(failed) && csv.get(1).length() > failed.length(), "an error: " + csv.get(1));
        assertTrue(csv.get(1).endsWith(","), "an unreadable file has no plane: " + csv.get(1));
        assertTrue(csv.get(2).startsWith(dir.resolve("b.png") + ",7,7,"), csv.get(2));
        assertTrue(csv.get(3).startsWith(dir.resolve("c.png") + ",2,2,"), csv.get(3));
        assertTrue(csv.get(3).endsWith(",,1"), "no error, plane 1: " + csv.get(3));
    }

    @Test
    void aFolderOfHundredsOfImagesIsProcessedInOneRun(@TempDir Path dir, @TempDir Path out) throws Exception {
        Path digit = Shared.images("mnist_tfmodule").resolve("t10k_0001_label2.png");
        int n = 300;
        for (int i = 0; i < n; i++) {
            Files.copy(digit, dir.resolve(String.format("digit-%04d.png", i)));
        }
        Run r = run("explain", "--model", Shared.model("mnist_tfmodule").toString(), "--image", dir.toString(),
                "--methods", "gradcam", "--out", out.toString(), "--quiet", "--json");
        JsonObject o = json(r);
        JsonArray list = o.getAsJsonArray("images");
        assertEquals(n, list.size());
        for (int i = 0; i < n; i++) {
            JsonObject img = list.get(i).getAsJsonObject();
            assertTrue(img.get("image").getAsString().endsWith(String.format("digit-%04d.png", i)), "file order");
            assertEquals("2", img.getAsJsonObject("predicted").get("label").getAsString());
        }
        try (var files = Files.list(out)) {
            assertEquals(3L * n + 3, files.count(), "3 files per image plus predictions.csv, predictions.jsonl and "
                    + "summary.json");
        }
        assertEquals(n + 1, Files.readAllLines(out.resolve("predictions.csv")).size());
    }

    @Test
    void anOpTheRuntimeLacksIsNamedWithTheFix(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        Path source = Shared.model("mnist_tfmodule");
        try (var files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path target = model.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        var saved = org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")));
        var meta = saved.getMetaGraphs(0).toBuilder();
        meta.getGraphDefBuilder().addNode(org.tensorflow.proto.NodeDef.newBuilder().setName("custom")
                .setOp("GradcamNoSuchOp"));
        Files.write(model.resolve("saved_model.pb"), saved.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
        Run r = run("info", "--model", model.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'GradcamNoSuchOp'") && r.err().contains("Fix:"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void existingOutputsAreKeptWithoutOverwrite(@TempDir Path out) throws Exception {
        String image = Shared.images("mnist_tfmodule").resolve("t10k_0002_label1.png").toString();
        String model = Shared.model("mnist_tfmodule").toString();
        assertEquals(0, run("explain", "--model", model, "--image", image, "--out", out.toString(), "--quiet").code());
        Path cam = out.resolve("t10k_0002_label1.gradcam.tif");
        long stamp = Files.getLastModifiedTime(cam).toMillis();
        byte[] csv = Files.readAllBytes(out.resolve("predictions.csv"));
        byte[] summary = Files.readAllBytes(out.resolve("summary.json"));
        // the run's own files exist: the whole run is refused before anything is written
        Run again = run("explain", "--model", model, "--image", image, "--out", out.toString(), "--quiet", "--json");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--overwrite") && again.err().contains("already holds"), again.err());
        assertEquals(stamp, Files.getLastModifiedTime(cam).toMillis());
        assertArrayEquals(csv, Files.readAllBytes(out.resolve("predictions.csv")));
        assertArrayEquals(summary, Files.readAllBytes(out.resolve("summary.json")));
        // only the per-image files exist (the summaries were moved away): still refused as a whole, exit 2
        Files.move(out.resolve("predictions.csv"), out.resolve("old-predictions.csv"));
        Files.move(out.resolve("summary.json"), out.resolve("old-summary.json"));
        Files.move(out.resolve("predictions.jsonl"), out.resolve("old-predictions.jsonl"));
        Run perImage = run("explain", "--model", model, "--image", image, "--out", out.toString(), "--quiet", "--json");
        assertEquals(2, perImage.code(), perImage.err());
        assertTrue(perImage.err().contains("--overwrite") && perImage.err().contains("t10k_0002_label1"),
                perImage.err());
        assertFalse(Files.exists(out.resolve("predictions.csv")));
        assertEquals(stamp, Files.getLastModifiedTime(cam).toMillis());
        assertEquals(0, run("explain", "--model", model, "--image", image, "--out", out.toString(), "--quiet",
                "--overwrite").code());
    }

    @Test
    void badInputsGiveOneLineErrorsAndExitCode2(@TempDir Path tmp) throws Exception {
        String mnist = Shared.model("mnist_tfmodule").toString();
        String image = Shared.images("mnist_tfmodule").resolve("t10k_0000_label7.png").toString();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Files.write(corrupt.resolve("saved_model.pb"), junk);
        Object[][] cases = {
            {new String[] {"info", "--model", tmp.resolve("missing").toString()}, "does not exist"},
            {new String[] {"info", "--model", empty.toString()}, "no saved_model.pb"},
            {new String[] {"info", "--model", corrupt.toString()}, "damaged"},
            {new String[] {"info", "--model", mnist, "--tags", "train"}, "tagged"},
            {new String[] {"info", "--model", mnist, "--signature", "nope"}, "no signature 'nope'"},
            {new String[] {"explain", "--model", mnist, "--image", image, "--layer", "nope", "--out",
                tmp.resolve("o").toString()}, "Valid layers"},
            {new String[] {"explain", "--model", mnist, "--image", image, "--class", "12", "--out",
                tmp.resolve("o").toString()}, "out of range"},
            {new String[] {"explain", "--model", mnist, "--image", image, "--class", "cat", "--out",
                tmp.resolve("o").toString()}, "Unknown class"},
            {new String[] {"explain", "--model", mnist, "--image", image, "--range", "1:x"}, "Invalid range"},
            {new String[] {"explain", "--model", mnist, "--image", image, "--methods", "magic"}, "Unknown method"},
        };
        for (Object[] c : cases) {
            Run r = run((String[]) c[0]);
            assertEquals(2, r.code(), () -> String.join(" ", (String[]) c[0]) + " → " + r.err());
            assertTrue(r.err().contains((String) c[1]), () -> "expected '" + c[1] + "' in: " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
            assertTrue(r.err().contains("Fix:") || r.err().contains("Valid") || r.err().contains("Write it"),
                    () -> "the error must say the fix: " + r.err());
        }
        assertNull(null);
    }
}
