package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.module.ModuleService;
import org.scijava.script.ScriptInfo;
import org.scijava.script.ScriptModule;
import org.scijava.script.ScriptService;

/**
 * Runs the {@code Headless_Batch.groovy} script template as Fiji does: SciJava's ScriptService parses its {@code #@} parameters,
 * fills them from a map (and {@code #@ CommandService} from the context), evaluates it as Groovy and reads
 * {@code #@output}. The Groovy language plugin is {@link TestGroovyLanguage} (groovy-jsr223), not Fiji's
 * scripting-groovy.
 */
class GroovyScriptTest {

    private static final String[] DIGITS = {"t10k_0000_label7.png", "t10k_0001_label2.png", "t10k_0002_label1.png"};

    @TempDir
    Path tmp;

    private static File script() {
        return ScriptTemplatesTest.template("Headless_Batch.groovy");
    }

    /** What the script printed, its errors, and the module. */
    private record Run(ScriptModule module, String out, String err) {}

    private static Run run(Context c, Map<String, Object> inputs) throws Exception {
        ScriptService scripts = c.service(ScriptService.class);
        ScriptInfo info = scripts.getScript(script());
        assertEquals("Groovy", scripts.getLanguageByExtension("groovy").getLanguageName());
        ScriptModule module = info.createModule();
        c.inject(module); // as ScriptService.run does
        // ScriptModule reports a failing script to its error writer (else the log) instead of throwing
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        module.setOutputWriter(out);
        module.setErrorWriter(err);
        c.service(ModuleService.class).run(module, true, inputs).get();
        return new Run(module, out.toString(), err.toString());
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> d = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                d.put(f.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return d;
    }

    /** The script's inputs for the mnist model, auto target, layer Conv2D_1 and {@code methods}. */
    private static Map<String, Object> inputs(Path in, Path out, String methods) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("input", in.toFile());
        inputs.put("output", out.toFile());
        inputs.put("model", Fixtures.mnistModel());
        inputs.put("target", "auto");
        // at the default layer (Relu_1) this model's Grad-CAM is zero for most digits; Conv2D_1 is not
        inputs.put("layer", "Conv2D_1");
        inputs.put("methods", methods);
        inputs.put("resume", false);
        return inputs;
    }

    @Test
    void batchScriptWritesMapsAndPredictionsForEveryImage() throws Exception {
        Path in = Files.createDirectory(tmp.resolve("in"));
        Path images = Fixtures.shared().resolve("models/mnist_tfmodule/images");
        for (String name : DIGITS) {
            Files.copy(images.resolve(name), in.resolve(name));
        }
        Files.writeString(in.resolve("notes.txt"), "not an image\n");
        Files.writeString(in.resolve("broken.png"), "not a PNG\n");
        Files.writeString(in.resolve(".hidden.png"), "ignored\n");
        Map<String, String> before = digests(in);
        Path out = tmp.resolve("out"); // does not exist yet: the script creates it

        Map<String, Object> inputs = inputs(in, out, "gradcam,guided-gradcam");

        try (Context c = new Context()) {
            Run r = run(c, inputs);
            assertEquals("", r.err(), r.err());
            assertEquals(DIGITS.length + " images explained; results in " + out.toFile(),
                    r.module().getOutput("summary"));

            // one line per image on the script's output, and the unreadable one (notes.txt is not an image file)
            List<String> lines = r.out().lines().toList();
            assertEquals(DIGITS.length + 1, lines.size(), r.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("skipped broken.png: ")), r.out());

            List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
            assertEquals("file,predicted_label,predicted_probability,target_label", csv.get(0));
            assertEquals(DIGITS.length + 2, csv.size(), String.join("\n", csv));
            assertEquals("broken.png,,,", csv.get(1), "the unreadable image's row, in file order");
            for (int i = 0; i < DIGITS.length; i++) {
                String name = DIGITS[i];
                String label = name.substring(name.indexOf("_label") + 6, name.indexOf('.'));
                String[] row = csv.get(i + 2).split(",");
                assertEquals(4, row.length, csv.get(i + 2));
                assertEquals(name, row[0]);
                assertEquals(label, row[1], "prediction of " + name);
                double p = Double.parseDouble(row[2]);
                assertTrue(p > 0.5 && p <= 1, row[2]);
                assertEquals(label, row[3], "auto target is the top-1 class");
                assertTrue(lines.contains(name + ": " + label + " (" + row[2] + ")"), r.out());

                String stem = name.substring(0, name.indexOf('.'));
                for (String method : new String[] {"gradcam", "guided-gradcam"}) {
                    File tif = out.resolve(stem + "." + method + ".tif").toFile();
                    assertTrue(tif.isFile(), tif + " missing");
                    ImagePlus map = IJ.openImage(tif.getPath());
                    assertNotNull(map, tif.getPath());
                    assertEquals(28, map.getWidth());
                    assertEquals(28, map.getHeight());
                    assertEquals(ImagePlus.GRAY32, map.getType());
                    assertTrue(map.getStatistics().max > 0, tif + " is all zero");
                }
            }
            try (Stream<Path> files = Files.list(out)) {
                // per image the two maps, the raw Grad-CAM and the overlay; the run lock is gone
                assertEquals(1 + 4 * DIGITS.length, files.count(), "only predictions.csv and each image's files");
            }
            assertEquals(before, digests(in), "input folder unchanged");
            List<String> written = List.copyOf(Files.readAllLines(out.resolve("predictions.csv")));

            // a second run into the same folder refuses to overwrite the results
            Run again = run(c, inputs);
            assertTrue(again.err().contains("already holds") && again.err().contains("Fix: resume the earlier run"),
                    again.err());
            assertNull(again.module().getOutput("summary"));
            assertEquals(written, Files.readAllLines(out.resolve("predictions.csv")));
            assertEquals(before, digests(in), "input folder unchanged");
        }
    }

    /** The script's smoothing options reach the command: its Grad-CAM TIFF is the explainer's map with both. */
    @Test
    void smoothingOptionsReachTheMaps() throws Exception {
        Path in = Files.createDirectory(tmp.resolve("in"));
        Files.copy(Fixtures.shared().resolve("models/mnist_tfmodule/images").resolve(DIGITS[1]), in.resolve(DIGITS[1]));
        Path out = tmp.resolve("out");
        Map<String, Object> inputs = inputs(in, out, "gradcam");
        inputs.put("aug_smooth", true);
        inputs.put("eigen_smooth", true);
        try (Context c = new Context()) {
            Run r = run(c, inputs);
            assertEquals("", r.err(), r.err());
            ImagePlus saved = IJ.openImage(out.resolve(DIGITS[1].replace(".png", ".gradcam.tif")).toString());
            var expected = c.service(ModelCache.class).explainer(Fixtures.mnistModel()).explain(
                    sc.fiji.gradcam.api.io.ImagePlusImages.plane(IJ.openImage(in.resolve(DIGITS[1]).toString()), 0),
                    sc.fiji.gradcam.api.ExplainRequest.defaults().withLayer("Conv2D_1").withAugSmooth(true)
                            .withEigenSmooth(true)).get(0).maps().get(sc.fiji.gradcam.api.Method.GRADCAM);
            assertArrayEquals(expected.data(), (float[]) saved.getProcessor().getPixels(), 1e-6f);
        }
    }

    @Test
    void scriptParametersAreTheOnesFijiShows() throws Exception {
        try (Context c = new Context()) {
            ScriptInfo info = c.service(ScriptService.class).getScript(script());
            assertArrayEquals(new String[] {"models", "input", "output", "model", "target", "layer", "methods",
                "aug_smooth", "eigen_smooth", "resume"},
                    java.util.stream.StreamSupport.stream(info.inputs().spliterator(), false)
                            .map(i -> i.getName()).toArray(String[]::new));
            assertEquals("auto", info.getInput("target").getDefaultValue());
            assertEquals("auto", info.getInput("layer").getDefaultValue());
            assertEquals("gradcam,guided-gradcam", info.getInput("methods").getDefaultValue());
            assertEquals(false, info.getInput("aug_smooth").getDefaultValue());
            assertEquals(false, info.getInput("eigen_smooth").getDefaultValue());
            assertEquals(false, info.getInput("resume").getDefaultValue());
            assertEquals("summary", info.outputs().iterator().next().getName());
        }
    }
}
