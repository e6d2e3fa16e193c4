package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.api.io.ImagePlusImages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.module.Module;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

class GradCamCommandTest {

    @TempDir
    Path tmp;

    private static Module gradcam(Context c, ImagePlus imp, File model, Object... more) throws Exception {
        Object[] base = {"image", imp, "model", model};
        Object[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return Fixtures.run(c, GradCamCommand.class, all);
    }

    private static List<ImageRoi> heatmaps(ImagePlus imp) {
        return imp.getOverlay() == null ? List.of()
                : Arrays.stream(imp.getOverlay().toArray()).filter(r -> r instanceof ImageRoi)
                        .filter(r -> HeatmapOverlay.NAME.equals(r.getName())).map(r -> (ImageRoi) r).toList();
    }

    @Test
    void mnistDigitMapsOverlayTableAndCache() throws Exception {
        ImagePlus imp = Fixtures.mnist(0);
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            // at the default layer (Relu_1) this model's Grad-CAM is empty for most digits; Conv2D_1 is not
            Module m = gradcam(c, imp, Fixtures.mnistModel(), "methods", "gradcam,guided-gradcam", "opacity", 0.3,
                    "box", true, "layer", "Conv2D_1");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            @SuppressWarnings("unchecked")
            Img<FloatType> cam = (Img<FloatType>) m.getOutput("gradcam");
            assertArrayEquals(new long[] {28, 28}, cam.dimensionsAsLongArray());
            assertNotNull(m.getOutput("guided_gradcam"));
            assertNull(m.getOutput("gradient"));
            assertEquals("7", m.getOutput("predicted_label"));
            assertEquals("7", m.getOutput("target_label"));

            // the outputs say what the Explainer says
            ModelCache cache = c.service(ModelCache.class);
            Explanation direct = cache.explainer(Fixtures.mnistModel())
                    .explain(ImagePlusImages.plane(imp, 0), ExplainRequest.defaults().withLayer("Conv2D_1")).get(0);
            assertEquals(direct.predicted().label(), m.getOutput("predicted_label"));
            assertEquals(direct.predicted().probability(), (double) m.getOutput("predicted_probability"), 1e-6);

            List<ImageRoi> overlay = heatmaps(imp);
            assertEquals(1, overlay.size());
            assertEquals(0.3, overlay.get(0).getOpacity(), 1e-6);
            Roi box = imp.getRoi();
            assertNotNull(box, "box selected");
            assertTrue(box.getBounds().width > 0 && box.getBounds().width <= 28);

            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals(1, rt.size());
            assertEquals("7", rt.getStringValue("Predicted", 0));
            assertEquals("7", rt.getStringValue("Top1", 0));
            assertEquals(direct.layer().name(), rt.getStringValue("Layer", 0));
            assertTrue(rt.getValue("forward ms", 0) >= 0);
            assertEquals(box.getBounds().width, rt.getValue("Box width", 0), 1e-9);

            @SuppressWarnings("unchecked")
            List<ImagePlus> maps = (List<ImagePlus>) m.getOutput("map_images");
            assertEquals(2, maps.size());
            assertEquals("Grad-CAM [7] of " + imp.getTitle(), maps.get(0).getTitle());
            assertEquals(28, maps.get(0).getWidth());

            // re-run: replaced, not stacked; model not reloaded
            Module again = gradcam(c, imp, Fixtures.mnistModel(), "methods", "gradcam", "opacity", 0.7);
            assertFalse(Fixtures.canceled(again));
            assertEquals(1, heatmaps(imp).size());
            assertEquals(0.7, heatmaps(imp).get(0).getOpacity(), 1e-6);
            assertEquals(1, cache.loads());
            assertTrue(cache.hits() >= 2, "hits " + cache.hits());
        }
        assertEquals(before, Fixtures.checksum(imp), "input pixels unchanged");
    }

    @Test
    void allSlicesGiveOneMapPerSlice() throws Exception {
        ImageStack stack = new ImageStack(28, 28);
        for (int i = 0; i < 3; i++) {
            stack.addSlice(Fixtures.mnist(i).getProcessor());
        }
        ImagePlus imp = new ImagePlus("digits", stack);
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            Module m = gradcam(c, imp, Fixtures.mnistModel(), "methods", "gradcam", "slices", "all");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            @SuppressWarnings("unchecked")
            Img<FloatType> cam = (Img<FloatType>) m.getOutput("gradcam");
            assertArrayEquals(new long[] {28, 28, 3}, cam.dimensionsAsLongArray());
            @SuppressWarnings("unchecked")
            ImagePlus map = ((List<ImagePlus>) m.getOutput("map_images")).get(0);
            assertEquals(3, map.getStackSize());
            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals(3, rt.size());
            assertEquals(List.of("7", "2", "1"),
                    List.of(rt.getStringValue("Predicted", 0), rt.getStringValue("Predicted", 1),
                            rt.getStringValue("Predicted", 2)));
            List<ImageRoi> overlay = heatmaps(imp);
            assertEquals(3, overlay.size());
            assertEquals(List.of(1, 2, 3), overlay.stream().map(Roi::getPosition).toList());

            imp.setSlice(2);
            Module current = gradcam(c, imp, Fixtures.mnistModel(), "methods", "gradcam");
            assertEquals("2", current.getOutput("predicted_label"));
            assertEquals(1, heatmaps(imp).size());
        }
        assertEquals(before, Fixtures.checksum(imp));
    }

    @Test
    void rgbImageGradientChannelsAndCalibration() throws Exception {
        Path model = TestModels.build(TestModelSpec.of(Architecture.GAP, SaveStyle.FUNCTION_CALL),
                tmp.resolve("gap")).dir();
        ColorProcessor cp = new ColorProcessor(40, 30);
        for (int i = 0; i < 40 * 30; i++) {
            cp.set(i, (i * 7 % 256) << 16 | (i * 13 % 256) << 8 | (i % 256));
        }
        ImagePlus imp = new ImagePlus("rgb", cp);
        imp.getCalibration().pixelWidth = 0.5;
        imp.getCalibration().setUnit("µm");
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            Module m = gradcam(c, imp, model.toFile(), "methods", "all", "target", "2", "lut", "Turbo");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            assertEquals("class 2", m.getOutput("target_label"));
            @SuppressWarnings("unchecked")
            Img<FloatType> grad = (Img<FloatType>) m.getOutput("gradient");
            assertArrayEquals(new long[] {40, 30, 3}, grad.dimensionsAsLongArray());
            @SuppressWarnings("unchecked")
            Img<FloatType> cam = (Img<FloatType>) m.getOutput("counterfactual");
            assertArrayEquals(new long[] {40, 30}, cam.dimensionsAsLongArray());
            // the CAM variants: image-size [0, 1] outputs equal to the explainer's maps, shown with Fire like Grad-CAM
            Explanation direct = c.service(ModelCache.class).explainer(model.toFile()).explain(ImagePlusImages.plane(imp,
                    0), ExplainRequest.defaults().withTargets(List.of("2")).withMethods(Method.parseList("all"))).get(0);
            List<Method> variants = List.of(Method.GRADCAM_PLUSPLUS, Method.XGRADCAM, Method.LAYERCAM,
                    Method.HIRESCAM, Method.EIGENCAM, Method.EIGENGRADCAM, Method.SCORECAM, Method.ABLATIONCAM);
            for (Method v : variants) {
                String key = v.id().replace('-', '_');
                @SuppressWarnings("unchecked")
                Img<FloatType> img = (Img<FloatType>) m.getOutput(key);
                assertNotNull(img, key);
                assertArrayEquals(new long[] {40, 30}, img.dimensionsAsLongArray(), key);
                float[] expected = direct.maps().get(v).data();
                var cursor = img.localizingCursor();
                float max = 0;
                while (cursor.hasNext()) {
                    float value = cursor.next().get();
                    assertTrue(value >= 0 && value <= 1, key + ": " + value);
                    assertEquals(expected[cursor.getIntPosition(1) * 40 + cursor.getIntPosition(0)], value, 1e-6f, key);
                    max = Math.max(max, value);
                }
                assertTrue(max > 0, key + " is empty");
            }
            @SuppressWarnings("unchecked")
            List<ImagePlus> maps = (List<ImagePlus>) m.getOutput("map_images");
            assertEquals(Method.values().length, maps.size(), "all: 13 maps and the 6 input attributions");
            for (String title : List.of("Grad-CAM++", "XGrad-CAM", "LayerCAM", "HiResCAM", "EigenCAM",
                    "EigenGrad-CAM", "Score-CAM", "Ablation-CAM")) {
                ImagePlus map = maps.stream().filter(i -> i.getTitle().startsWith(title + " [class 2] of rgb"))
                        .findFirst().orElseThrow(() -> new AssertionError("no " + title + " map image"));
                assertEquals(32, map.getBitDepth(), title);
                assertEquals(1.0, map.getDisplayRangeMax(), 0, title);
                assertEquals(ColorMap.FIRE.rgb(1.0), map.getProcessor().getLut().getRGB(255) & 0xffffff, title);
                assertEquals(0.5, map.getCalibration().pixelWidth, 1e-12, title);
            }
            ImagePlus gradient = maps.stream().filter(i -> i.getTitle().startsWith("Gradient [class 2]")).findFirst()
                    .orElseThrow();
            assertTrue(gradient instanceof CompositeImage);
            assertEquals(3, gradient.getNChannels());
            assertEquals(0.5, gradient.getCalibration().pixelWidth, 1e-12);
            assertEquals("µm", gradient.getCalibration().getUnit());
        }
        assertEquals(before, Fixtures.checksum(imp));
    }

    /**
     * Score-CAM and Ablation-CAM run the model once per channel: before such a run the command says so in the log
     * (and the status bar), naming the methods, the layer and its channel count; a Grad-CAM run says nothing of it.
     */
    @Test
    void perturbationMethodsAnnounceTheirCost() throws Exception {
        Path model = TinyModels.redVersusGreen(tmp.resolve("red-vs-green-cost"), "Sigmoid");
        ImagePlus imp = new ImagePlus("noise", new ColorProcessor(16, 16));
        try (Context c = new Context()) {
            List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
            org.scijava.log.LogListener listener = message -> logged.add(message.text());
            c.service(org.scijava.log.LogService.class).addLogListener(listener);
            Module plain = gradcam(c, imp, model.toFile(), "methods", "gradcam");
            assertFalse(Fixtures.canceled(plain), () -> Fixtures.reason(plain));
            assertTrue(logged.stream().noneMatch(t -> t.contains("once per channel")), logged::toString);

            Module slow = gradcam(c, imp, model.toFile(), "methods", "scorecam,ablationcam", "aug_smooth", true);
            assertFalse(Fixtures.canceled(slow), () -> Fixtures.reason(slow));
            sc.fiji.gradcam.api.Layer layer = c.service(ModelCache.class).explainer(model.toFile()).info()
                    .defaultLayer();
            String said = logged.stream().filter(t -> t.contains("once per channel")).findFirst().orElse(null);
            assertNotNull(said, () -> "no cost message in " + logged);
            assertTrue(said.contains("Score-CAM and Ablation-CAM"), said);
            assertTrue(said.contains("'" + layer.name() + "' (" + layer.channels() + " channels)"), said);
            assertTrue(said.contains("aug_smooth"), said);
        }
    }

    /**
     * A one-unit sigmoid model (z = mean red - mean green) whose labels file names only the positive class: the
     * command reports the positive class and the explainer's probability, and explains either class by name.
     */
    @Test
    void singleUnitBinaryModelExplainsBothClasses() throws Exception {
        Path model = TinyModels.redVersusGreen(tmp.resolve("red-vs-green"), "Sigmoid");
        java.nio.file.Files.writeString(model.resolve("labels.txt"), "parasitized\n");
        ColorProcessor cp = new ColorProcessor(32, 32);
        cp.setColor(java.awt.Color.RED);
        cp.setRoi(0, 0, 16, 16);
        cp.fill();
        cp.setColor(java.awt.Color.GREEN);
        cp.setRoi(24, 24, 8, 8);
        cp.fill();
        cp.resetRoi();
        ImagePlus imp = new ImagePlus("two squares", cp);
        long before = Fixtures.checksum(imp);
        try (Context c = new Context()) {
            Module positive = gradcam(c, imp, model.toFile(), "methods", "gradcam");
            assertFalse(Fixtures.canceled(positive), () -> Fixtures.reason(positive));
            assertEquals("parasitized", positive.getOutput("predicted_label"));
            assertEquals("parasitized", positive.getOutput("target_label"));
            Explanation direct = c.service(ModelCache.class).explainer(model.toFile())
                    .explain(ImagePlusImages.plane(imp, 0), ExplainRequest.defaults()).get(0);
            assertEquals(1, direct.predicted().index());
            assertEquals(direct.predicted().probability(), (double) positive.getOutput("predicted_probability"), 1e-9);
            assertTrue((double) positive.getOutput("predicted_probability") > 0.5);

            Module negative = gradcam(c, imp, model.toFile(), "methods", "gradcam", "target", "not parasitized");
            assertFalse(Fixtures.canceled(negative), () -> Fixtures.reason(negative));
            assertEquals("parasitized", negative.getOutput("predicted_label"));
            assertEquals("not parasitized", negative.getOutput("target_label"));
            @SuppressWarnings("unchecked")
            Img<FloatType> forPositive = (Img<FloatType>) positive.getOutput("gradcam");
            @SuppressWarnings("unchecked")
            Img<FloatType> forNegative = (Img<FloatType>) negative.getOutput("gradcam");
            var p = forPositive.randomAccess();
            var n = forNegative.randomAccess();
            // each class's map lies on its own square: red for the positive class, green for the negative
            assertTrue(p.setPositionAndGet(6, 6).get() > 0.9 && p.setPositionAndGet(28, 28).get() < 0.05);
            assertTrue(n.setPositionAndGet(28, 28).get() > 0.9 && n.setPositionAndGet(6, 6).get() < 0.05);
            String info = c.service(ModelCache.class).explainer(model.toFile()).info().description();
            assertTrue(info.contains("[not parasitized, parasitized] from one output unit"), info);
        }
        assertEquals(before, Fixtures.checksum(imp));
    }

    @Test
    void concurrentRunsOnDifferentImagesShareOneModel() throws Exception {
        try (Context c = new Context()) {
            List<CompletableFuture<Module>> runs = List.of(3, 4, 5, 6).stream()
                    .map(i -> CompletableFuture.supplyAsync(() -> {
                        try {
                            return gradcam(c, Fixtures.mnist(i), Fixtures.mnistModel(), "methods", "gradcam");
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    })).toList();
            List<String> labels = runs.stream().map(CompletableFuture::join)
                    .map(m -> (String) m.getOutput("predicted_label")).toList();
            assertEquals(List.of("0", "4", "1", "4"), labels);
            assertEquals(1, c.service(ModelCache.class).loads());
        }
    }

    // ---- errors: a clear message, the command cancelled, the image untouched -----------------------------

    private static void assertFails(Context c, ImagePlus imp, File model, String expected, Object... more)
            throws Exception {
        long before = imp == null ? 0 : Fixtures.checksum(imp);
        Module m = gradcam(c, imp, model, more);
        assertTrue(Fixtures.canceled(m), "should fail: " + expected);
        assertTrue(Fixtures.reason(m).contains(expected), Fixtures.reason(m));
        assertNull(m.getOutput("gradcam"));
        if (imp != null) {
            assertEquals(before, Fixtures.checksum(imp));
            assertTrue(heatmaps(imp).isEmpty());
        }
    }

    @Test
    void errorsCancelWithAClearMessage() throws Exception {
        try (Context c = new Context()) {
            File mnist = Fixtures.mnistModel();
            assertFails(c, null, mnist, "image");
            File empty = tmp.resolve("not-a-model").toFile();
            empty.mkdirs();
            assertFails(c, Fixtures.mnist(0), empty, "saved_model");
            assertFails(c, Fixtures.mnist(0), mnist, "Unknown layer 'nope'", "layer", "nope");
            assertFails(c, Fixtures.mnist(0), mnist, "out of range", "target", "42");
            assertFails(c, Fixtures.mnist(0), mnist, "Unknown method", "methods", "gradcamm");
            assertFails(c, Fixtures.mnist(0), mnist, "Invalid range 'zero to one'", "range", "zero to one");
            assertFails(c, Fixtures.mnist(0), mnist, "does not fit the model's input 28x28", "size", "32x32");
            assertFails(c, Fixtures.mnist(0), mnist, "resize", "resize", "squash");

            ImagePlus hyper = ij.IJ.createHyperStack("5d", 28, 28, 2, 3, 4, 8);
            assertFails(c, hyper, mnist, "5-D hyperstack");
            ImagePlus four = ij.IJ.createHyperStack("4c", 28, 28, 4, 1, 1, 8);
            assertFails(c, four, mnist, "4 channels");

            FloatProcessor fp = (FloatProcessor) Fixtures.mnist(0).getProcessor().convertToFloat();
            fp.setf(3, 5, Float.NaN);
            assertFails(c, new ImagePlus("nan", fp), mnist, "NaN");
        }
    }

    /**
     * The preprocessing parameters reach the explainer: on potato_leaf (Rescaling(1/255) inside, detected as
     * 0:255; pic1 is 254x198 and not saturated) {@code range=auto} equals {@code range=0:255}, while {@code range=0:1} feeds a near-black image and
     * gives other probabilities; {@code resize=pad} changes them again. The input image is never changed.
     */
    @Test
    void inputRangeResizeAndSizeParametersReachTheModel() throws Exception {
        ImagePlus leaf = ij.IJ.openImage(Fixtures.shared().resolve("models/potato_leaf/images/pic1.jpeg")
                .toString());
        long before = Fixtures.checksum(leaf);
        try (Context c = new Context()) {
            File potato = Fixtures.potatoModel();
            double auto = probability(gradcam(c, leaf, potato, "methods", "gradcam"));
            double explicit = probability(gradcam(c, leaf, potato, "methods", "gradcam", "range", "0:255",
                    "size", "256x256", "resize", "stretch"));
            double unit = probability(gradcam(c, leaf, potato, "methods", "gradcam", "range", "0:1"));
            double padded = probability(gradcam(c, leaf, potato, "methods", "gradcam", "resize", "pad"));
            assertEquals(auto, explicit, 1e-6);
            assertTrue(Math.abs(auto - unit) > 1e-3, "range=0:1 should change the prediction: " + auto + " vs " + unit);
            assertTrue(Math.abs(auto - padded) > 1e-6, "resize=pad should change the prediction");
        }
        assertEquals(before, Fixtures.checksum(leaf));
    }

    private static double probability(Module m) {
        assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
        return (double) m.getOutput("predicted_probability");
    }
}
