package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.CommandService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

class GradCamBatchCommandTest {

    @TempDir
    Path tmp;

    private Path digits(int n) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        File src = Fixtures.shared().resolve("models/mnist_tfmodule/images").toFile();
        File[] pngs = src.listFiles((d, name) -> name.endsWith(".png"));
        java.util.Arrays.sort(pngs);
        for (int i = 0; i < n; i++) {
            Files.copy(pngs[i].toPath(), in.resolve(pngs[i].getName()));
        }
        return in;
    }

    @Test
    void writesMapsOverlaysAndPredictionsAndSkipsUnreadableFiles() throws Exception {
        Path in = digits(3);
        Files.writeString(in.resolve("notes.txt"), "not an image"); // not an image name: not part of the run
        Files.writeString(in.resolve("broken.png"), "not an image either");
        Path out = tmp.resolve("out");
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, GradCamBatchCommand.class, "input", in.toFile(), "output", out.toFile(),
                    "model", Fixtures.mnistModel(), "methods", "gradcam,guided-gradcam", "layer", "Conv2D_1");
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            assertEquals(3, m.getOutput("processed"));
            assertEquals(1, m.getOutput("skipped"));
            String name = "t10k_0000_label7";
            ImagePlus cam = IJ.openImage(out.resolve(name + ".gradcam.tif").toString());
            assertEquals(32, cam.getBitDepth());
            assertEquals(28, cam.getWidth());
            assertTrue(Files.exists(out.resolve(name + ".guided-gradcam.tif")));
            ImagePlus raw = IJ.openImage(out.resolve(name + ".gradcam-raw.tif").toString());
            assertEquals(14, raw.getWidth(), "Conv2D_1 is 14×14: the raw map keeps the feature resolution");
            assertTrue(raw.getProcessor().getStatistics().max > 0);
            ImagePlus png = IJ.openImage(out.resolve(name + ".gradcam-overlay.png").toString());
            assertEquals(24, png.getBitDepth());
            List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
            assertEquals(5, csv.size());
            assertTrue(csv.get(0).startsWith("file,plane,predicted_index,predicted_label"));
            assertTrue(csv.stream().anyMatch(l -> l.startsWith(name + ".png,1,7,7,")), csv.toString());
            assertTrue(csv.stream().anyMatch(l -> l.startsWith("broken.png,") && l.contains("skipped")), csv.toString());
            assertTrue(csv.stream().noneMatch(l -> l.startsWith("notes.txt")), csv.toString());

            // never overwrite unless asked
            long size = Files.size(out.resolve(name + ".gradcam.tif"));
            Module again = Fixtures.run(c, GradCamBatchCommand.class, "input", in.toFile(), "output", out.toFile(),
                    "model", Fixtures.mnistModel(), "methods", "gradcam,guided-gradcam");
            assertTrue(Fixtures.canceled(again));
            assertTrue(Fixtures.reason(again).contains("overwrite"), Fixtures.reason(again));
            assertEquals(size, Files.size(out.resolve(name + ".gradcam.tif")));
            Module forced = Fixtures.run(c, GradCamBatchCommand.class, "input", in.toFile(), "output", out.toFile(),
                    "model", Fixtures.mnistModel(), "methods", "gradcam,guided-gradcam", "overwrite", true);
            assertFalse(Fixtures.canceled(forced), () -> Fixtures.reason(forced));
            assertEquals(1, c.service(ModelCache.class).loads());
        }
    }

    /** Three MNIST digits as one calibrated stack (0.5 mm pixels), saved as {@code digits.tif} in a new folder. */
    private Path digitStack() throws Exception {
        ij.ImageStack stack = new ij.ImageStack(28, 28);
        for (int i = 0; i < 3; i++) {
            stack.addSlice(Fixtures.mnist(i).getProcessor());
        }
        ImagePlus digits = new ImagePlus("digits", stack);
        digits.getCalibration().pixelWidth = 0.5;
        digits.getCalibration().pixelHeight = 0.5;
        digits.getCalibration().setUnit("mm");
        Path in = Files.createDirectories(tmp.resolve("stacks"));
        IJ.saveAsTiff(digits, in.resolve("digits.tif").toString());
        return in;
    }

    /** A stack: one slice per plane in every map file (calibrated, with the Fire LUT), one CSV row per plane. */
    @Test
    void stacksGiveOneSlicePerPlaneAndARowPerPlane() throws Exception {
        Path out = tmp.resolve("out");
        try (Context c = new Context()) {
            Module done = Fixtures.run(c, GradCamBatchCommand.class, "input", digitStack().toFile(), "output",
                    out.toFile(), "model", Fixtures.mnistModel(), "methods", "gradcam,gradient", "layer", "Conv2D_1");
            assertEquals(1, done.getOutput("processed"), () -> Fixtures.reason(done));
        }
        ImagePlus cam = IJ.openImage(out.resolve("digits.gradcam.tif").toString());
        assertEquals(3, cam.getStackSize());
        assertEquals(32, cam.getBitDepth());
        assertEquals(0.5, cam.getCalibration().pixelWidth, 0);
        assertEquals("mm", cam.getCalibration().getUnit());
        assertEquals(sc.fiji.gradcam.api.image.ColorMap.FIRE.rgb(1.0), cam.getProcessor().getLut().getRGB(255) & 0xffffff);
        assertEquals(3, IJ.openImage(out.resolve("digits.gradient.tif").toString()).getStackSize());
        ImagePlus raw = IJ.openImage(out.resolve("digits.gradcam-raw.tif").toString());
        assertEquals(3, raw.getStackSize());
        assertEquals(14, raw.getWidth());
        assertEquals(28, IJ.openImage(out.resolve("digits.gradcam-overlay.png").toString()).getWidth());
        List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals(4, csv.size(), csv.toString());
        assertTrue(csv.get(1).startsWith("digits.tif,1,7,7,"), csv.toString()); // t10k_0000 is a 7
        assertTrue(csv.get(2).startsWith("digits.tif,2,2,2,"), csv.toString());
        assertTrue(csv.get(3).startsWith("digits.tif,3,1,1,"), csv.toString());
    }

    @Test
    void badLayerFailsBeforeAnyFileIsWritten() throws Exception {
        Path in = digits(2);
        Path out = tmp.resolve("out");
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, GradCamBatchCommand.class, "input", in.toFile(), "output", out.toFile(),
                    "model", Fixtures.mnistModel(), "layer", "nope");
            assertTrue(Fixtures.canceled(m));
            assertTrue(Fixtures.reason(m).contains("Unknown layer 'nope'"), Fixtures.reason(m));
            Module t = Fixtures.run(c, GradCamBatchCommand.class, "input", in.toFile(), "output", out.toFile(),
                    "model", Fixtures.mnistModel(), "target", "10");
            assertTrue(Fixtures.reason(t).contains("Class index 10 is out of range"), Fixtures.reason(t));
            assertFalse(Files.exists(out.resolve(sc.fiji.gradcam.api.io.ExplanationWriter.PREDICTIONS)));
        }
    }

    /** Cancels the batch when the first progress event arrives. */
    public static final class Canceller {
        private final Cancelable target;

        Canceller(Cancelable target) {
            this.target = target;
        }

        @EventHandler
        public void onStatus(StatusEvent e) {
            if (e.getProgressValue() >= 1) {
                target.cancel("stop");
            }
        }
    }

    @Test
    void cancellingStopsBetweenImages() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("leaves"));
        File src = Fixtures.shared().resolve("models/potato_leaf/images").toFile();
        for (File f : src.listFiles()) {
            for (int i = 0; i < 5; i++) {
                Files.copy(f.toPath(), in.resolve("copy" + i + "-" + f.getName()));
            }
        }
        int total = in.toFile().list().length;
        try (Context c = new Context()) {
            var info = c.service(CommandService.class).getCommand(GradCamBatchCommand.class);
            Module module = c.service(ModuleService.class).createModule(info);
            Canceller canceller = new Canceller((Cancelable) module);
            c.service(EventService.class).subscribe(canceller);
            c.service(ModuleService.class).run(module, true, Map.of("input", in.toFile(), "output",
                    tmp.resolve("out").toFile(), "model", Fixtures.potatoModel(), "methods", "gradcam")).get();
            int done = (int) module.getOutput("processed");
            assertTrue(Fixtures.canceled(module));
            assertTrue(done >= 1 && done < total, done + " of " + total);
        }
    }
}
