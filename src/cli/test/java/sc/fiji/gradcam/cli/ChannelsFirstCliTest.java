package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.gradcam.cli.CliTest.json;
import static sc.fiji.gradcam.cli.CliTest.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.cli.CliTest.Run;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/** The command line on an onnx-tf-like channels-first model, against its NHWC twin (the same weights). */
class ChannelsFirstCliTest {

    @TempDir
    static Path tmp;
    static String nchw;
    static String twin;
    static Path images;

    @BeforeAll
    static void build() throws Exception {
        TestModelSpec spec = BuiltModels.small(Architecture.GAP, SaveStyle.FUNCTION_CALL).withLayout(Layout.ONNX_TF);
        nchw = TestModels.buildIn(spec, tmp).dir().toString();
        twin = TestModels.buildIn(spec.withLayout(Layout.NHWC), tmp).dir().toString();
        images = Files.createDirectories(tmp.resolve("images"));
        Random r = new Random(5);
        for (int i = 0; i < 2; i++) {
            BufferedImage b = new BufferedImage(20 + 4 * i, 24, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < b.getHeight(); y++) {
                for (int x = 0; x < b.getWidth(); x++) {
                    b.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(b, "png", images.resolve("random" + i + ".png").toFile());
        }
    }

    @Test
    void infoReportsTheLayoutNextToTheContractFields() {
        JsonObject o = json(run("info", "--model", nchw, "--json"));
        for (String field : List.of("model", "style", "signatures", "signature", "inputs", "outputs", "labels", "ops",
                "image_input", "class_output", "classes", "output_units", "binary_single_output", "properties",
                "natives", "warnings", "input_range", "input_range_source", "input_range_reason")) {
            assertTrue(o.has(field), field);
        }
        assertEquals("[-1,3,16,16]", o.getAsJsonArray("inputs").get(0).getAsJsonObject().get("shape").toString());
        assertEquals("nchw", o.get("input_layout").getAsString());
        assertEquals("detected", o.get("input_layout_source").getAsString());
        assertTrue(o.get("input_layout_reason").getAsString().contains("[0, 2, 3, 1]"), o.toString());
        assertTrue(run("info", "--model", nchw).out().contains("Layout:     nchw (detected: "));
        assertEquals("nhwc", json(run("info", "--model", twin, "--json")).get("input_layout").getAsString());
        JsonObject forced = json(run("info", "--model", nchw, "--layout", "nhwc", "--json"));
        assertEquals("nhwc", forced.get("input_layout").getAsString());
        assertEquals("option", forced.get("input_layout_source").getAsString());
        Run bad = run("info", "--model", nchw, "--layout", "chw");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--layout chw") && bad.err().contains("Fix:"), bad.err());
    }

    @Test
    void layersJsonHasTheTwinsHeightsWidthsAndChannels() {
        JsonObject o = json(run("layers", "--model", nchw, "--json"));
        JsonObject t = json(run("layers", "--model", twin, "--json"));
        assertEquals(t.get("default").getAsString(), o.get("default").getAsString());
        Map<String, JsonObject> twinLayers = new HashMap<>();
        t.getAsJsonArray("layers").forEach(e -> twinLayers.put(e.getAsJsonObject().get("name").getAsString(),
                e.getAsJsonObject()));
        int matched = 0;
        JsonObject def = null;
        for (JsonElement e : o.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            JsonObject same = twinLayers.get(l.get("name").getAsString());
            if (same != null) {
                matched++;
                for (String f : List.of("height", "width", "channels")) {
                    assertEquals(same.get(f).getAsInt(), l.get(f).getAsInt(), l + " vs " + same);
                }
            }
            if (l.get("default").getAsBoolean()) {
                def = l;
            }
        }
        assertTrue(matched >= 7, "layers found in the twin: " + matched);
        assertNotNull(def);
        assertEquals("nchw", def.get("layout").getAsString());
        assertEquals(List.of(16, 16, 8), List.of(def.get("height").getAsInt(), def.get("width").getAsInt(),
                def.get("channels").getAsInt()));
    }

    /** Same predictions, raw maxima and map files as the twin; forced to NHWC, the run fails on the channels. */
    @Test
    void explainJsonOnAChannelsFirstModel(@TempDir Path out) {
        JsonObject o = json(run("explain", "--model", nchw, "--image", images.toString(), "--methods", "all", "--out",
                out.resolve("nchw").toString(), "--quiet", "--json"));
        JsonObject t = json(run("explain", "--model", twin, "--image", images.toString(), "--methods", "all", "--out",
                out.resolve("nhwc").toString(), "--quiet", "--json"));
        assertEquals(t.get("layer").getAsString(), o.get("layer").getAsString());
        JsonArray mine = o.getAsJsonArray("images");
        JsonArray theirs = t.getAsJsonArray("images");
        assertEquals(2, mine.size());
        for (int i = 0; i < mine.size(); i++) {
            JsonObject a = mine.get(i).getAsJsonObject();
            JsonObject b = theirs.get(i).getAsJsonObject();
            assertTrue(a.get("error").isJsonNull(), a.toString());
            assertEquals(b.getAsJsonObject("predicted").get("index").getAsInt(),
                    a.getAsJsonObject("predicted").get("index").getAsInt());
            assertEquals(b.getAsJsonObject("predicted").get("probability").getAsDouble(),
                    a.getAsJsonObject("predicted").get("probability").getAsDouble(), 1e-5);
            double rawMax = b.get("raw_max").getAsDouble();
            assertTrue(rawMax > 0, b.toString());
            assertEquals(rawMax, a.get("raw_max").getAsDouble(), 1e-5 * rawMax);
            for (String key : List.of("gradcam", "gradient", "guided-backprop", "guided-gradcam")) {
                ImagePlus x = IJ.openImage(a.getAsJsonObject("outputs").get(key).getAsString());
                ImagePlus y = IJ.openImage(b.getAsJsonObject("outputs").get(key).getAsString());
                assertEquals(y.getStackSize(), x.getStackSize(), key);
                assertEquals(List.of(y.getWidth(), y.getHeight()), List.of(x.getWidth(), x.getHeight()), key);
                for (int s = 1; s <= y.getStackSize(); s++) {
                    float[] p = (float[]) x.getStack().getProcessor(s).getPixels();
                    float[] q = (float[]) y.getStack().getProcessor(s).getPixels();
                    double max = 0;
                    double diff = 0;
                    for (int j = 0; j < q.length; j++) {
                        max = Math.max(max, Math.abs(q[j]));
                        diff = Math.max(diff, Math.abs(p[j] - q[j]));
                    }
                    assertTrue(diff <= 1e-5 * max, key + " slice " + s + ": differs by " + diff + " of " + max);
                }
            }
        }
        Run forced = run("explain", "--model", nchw, "--layout", "nhwc", "--image", images.toString(), "--methods",
                "gradcam", "--out", out.resolve("forced").toString(), "--quiet", "--json");
        assertNotEquals(0, forced.code());
        assertTrue((forced.out() + forced.err()).contains("expects 16"), forced.out() + forced.err());
    }
}
