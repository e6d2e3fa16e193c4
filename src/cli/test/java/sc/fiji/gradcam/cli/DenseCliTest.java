package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.process.ByteProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.support.Shared;

/** {@code explain} on real dense models: regions, masks (one per image), aggregates, graph tensors, refusals. */
class DenseCliTest {

    @TempDir
    Path tmp;

    private static String care() {
        return Shared.root().resolve("models/care_denoise2d_mito/model").toString();
    }

    private static Path careImage() {
        return Shared.root().resolve("models/care_denoise2d_mito/images/bsubtilis_widefield_sample_input_0.tif");
    }

    @Test
    void regionTargetIsInTheJson() throws Exception {
        CliTest.Run r = CliTest.run("explain", "--model", care(), "--image", careImage().toString(), "--out",
                tmp.resolve("a").toString(), "--region", "10,20,30,40", "--aggregate", "mean", "--methods",
                "gradcam,hirescam,gradient", "--quiet", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject e = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("images").get(0)
                .getAsJsonObject();
        JsonObject region = e.getAsJsonObject("region");
        assertEquals(1200, region.get("pixels").getAsLong());
        assertEquals("mean", region.get("aggregate").getAsString());
        assertEquals("10,20,30,40", region.get("asked").getAsString());
        assertTrue(e.getAsJsonObject("outputs").size() >= 3, e.toString());
    }

    @Test
    void aFolderOfMasksGivesEachImageItsOwn() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Path masks = Files.createDirectories(tmp.resolve("masks"));
        ImagePlus src = IJ.openImage(careImage().toString());
        for (String name : new String[] {"one", "two", "three"}) {
            new ij.io.FileSaver(new ImagePlus(name, src.getProcessor().duplicate())).saveAsTiff(images.resolve(name + ".tif").toString());
        }
        ByteProcessor small = new ByteProcessor(256, 256);
        small.setRoi(0, 0, 8, 8);
        small.setValue(255);
        small.fill();
        new ij.io.FileSaver(new ImagePlus("m", small)).saveAsTiff(masks.resolve("one.tif").toString());
        ByteProcessor big = new ByteProcessor(256, 256);
        big.setRoi(0, 0, 100, 50);
        big.setValue(1);
        big.fill();
        new ij.io.FileSaver(new ImagePlus("m", big)).saveAsPng(masks.resolve("two_mask.png").toString());
        CliTest.Run r = CliTest.run("explain", "--model", care(), "--image", images.toString(), "--out",
                tmp.resolve("b").toString(), "--mask", masks.toString(), "--methods", "gradcam", "--quiet", "--json");
        // "three" has no mask: its own error row (exit 1: some images failed), the other two explained
        assertEquals(1, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray list = o.getAsJsonArray("images");
        assertEquals(3, list.size(), o.toString());
        assertEquals(1, o.get("errors").getAsInt());
        java.util.Map<String, Long> pixels = new java.util.HashMap<>();
        for (var x : list) {
            JsonObject j = x.getAsJsonObject();
            if (!j.get("error").isJsonNull()) {
                assertTrue(j.get("image").getAsString().endsWith("three.tif"), j.toString());
                continue;
            }
            pixels.put(Path.of(j.get("image").getAsString()).getFileName().toString(),
                    j.getAsJsonObject("region").get("pixels").getAsLong());
        }
        assertEquals(64L, pixels.get("one.tif"));
        assertEquals(5000L, pixels.get("two.tif"));
        String csv = Files.readString(tmp.resolve("b/predictions.csv"));
        assertTrue(csv.contains("No mask for three.tif"), csv);
    }

    @Test
    void graphTensorsAndRefusals() throws Exception {
        String defcon = Shared.root().resolve("models/defcon_density_count/model").toString();
        String frame = Shared.root().resolve("models/defcon_density_count/images/test_data.tif").toString();
        CliTest.Run ok = CliTest.run("explain", "--model", defcon, "--input", "input_tensor", "--output",
                "output_tensor", "--image", frame, "--out", tmp.resolve("c").toString(), "--region", "all",
                "--quiet", "--json");
        assertEquals(0, ok.code(), ok.err());
        CliTest.Run unnamed = CliTest.run("explain", "--model", defcon, "--image", frame, "--out",
                tmp.resolve("d").toString(), "--quiet");
        assertEquals(2, unnamed.code());
        assertTrue(unnamed.err().contains("--input") && unnamed.err().strip().lines().count() == 1, unnamed.err());
        String mnist = Shared.model("mnist_tfmodule").toString();
        CliTest.Run classifier = CliTest.run("explain", "--model", mnist, "--image", Shared.images("mnist_tfmodule")
                .toString(), "--out", tmp.resolve("e").toString(), "--region", "0,0,5,5", "--quiet");
        assertEquals(2, classifier.code());
        assertTrue(classifier.err().contains("classifier"), classifier.err());
        assertTrue(Files.notExists(tmp.resolve("e/predictions.csv")), "nothing written");
        CliTest.Run both = CliTest.run("explain", "--model", care(), "--image", careImage().toString(), "--out",
                tmp.resolve("f").toString(), "--region", "1,1,2,2", "--mask", careImage().toString(), "--quiet");
        assertEquals(2, both.code());
    }

    /** This project's own BioImage.IO 0.5 package (models/malaria-unet): verify, then a channel named in the package. */
    @Test
    void theProjectsUNetPackageVerifiesAndItsChannelsHaveNames() throws Exception {
        Path pkg = Path.of(System.getProperty("gradcam.basedir", ".")).resolve(
                "models/malaria-unet/malaria-unet.bioimageio.zip");
        CliTest.Run v = CliTest.run("verify", "--model", pkg.toString(), "--cache", tmp.resolve("cache").toString());
        assertEquals(0, v.code(), v.out() + v.err());
        Path crop;
        try (var files = Files.list(Shared.root().resolve("datasets/malaria/Parasitized"))) {
            crop = files.sorted().findFirst().orElseThrow();
        }
        CliTest.Run r = CliTest.run("explain", "--model", pkg.toString(), "--image", crop.toString(), "--out",
                tmp.resolve("unet").toString(), "--class", "parasite", "--methods", "gradcam,hirescam", "--quiet",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject e = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("images").get(0)
                .getAsJsonObject();
        assertEquals("parasite", e.getAsJsonObject("target").get("label").getAsString(), e.toString());
        assertTrue(e.getAsJsonObject("region").get("pixels").getAsLong() > 0, e.toString());
        assertEquals("bottleneck/conv2/relu", e.get("layer").getAsString());
    }
}
