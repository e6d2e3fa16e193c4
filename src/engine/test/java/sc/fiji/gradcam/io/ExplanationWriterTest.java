package sc.fiji.gradcam.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.measure.Calibration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/** The one writer of per-image files: names, stacks, LUTs, calibration, overlay and both CSV layouts. */
class ExplanationWriterTest {

    @TempDir
    Path out;

    private static final int W = 6;
    private static final int H = 4;

    /** An explanation of plane {@code p}: a Grad-CAM map of value p/4, an RGB gradient and a 3×2 raw map. */
    private static Explanation explanation(int p, Set<Method> methods, String label) {
        Map<Method, MapImage> maps = new LinkedHashMap<>();
        for (Method m : methods) {
            int c = m == Method.GRADIENT ? 3 : 1;
            float[] data = new float[c * W * H];
            for (int i = 0; i < data.length; i++) {
                data[i] = m == Method.GRADIENT ? (i % 2 == 0 ? -2f : 1f) * (p + 1) : p / 4f;
            }
            maps.put(m, new MapImage(W, H, c, data));
        }
        MapImage raw = methods.contains(Method.GRADCAM) ? new MapImage(3, 2, 1, new float[] {0, 1, 2, 3, 4, 5f + p})
                : null;
        Prediction predicted = new Prediction(1, label, 0.875);
        return new Explanation(predicted, List.of(predicted, new Prediction(0, "other", 0.125)), predicted,
                ScoreKind.LOGIT, new Layer("conv, 2", "conv", "conv:0", "Relu", 3, 2, 8, 5), raw == null ? 0 : raw.max(),
                maps, raw, raw == null ? Map.of() : Map.of(Method.GRADCAM, raw), null, Map.of("forward", 1.0));
    }

    private static InputImage gray() {
        return new InputImage(W, H, 1, new float[W * H], PixelKind.UINT8);
    }

    @Test
    void aStackGivesOneSlicePerPlaneWithCalibrationAndLut() throws Exception {
        Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.GRADIENT, Method.GRADCAM_PLUSPLUS);
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.5;
        cal.pixelHeight = 0.25;
        cal.setUnit("mm");
        Path file = Path.of("in", "cells.tif");
        List<Explanation> planes = List.of(explanation(0, methods, "ring"), explanation(1, methods, "ring"),
                explanation(2, methods, "ring"));
        Map<String, Path> written;
        try (ExplanationWriter w = new ExplanationWriter(out, PredictionsCsv.BATCH, ColorMap.JET, 0.5)) {
            written = w.write(new ExplainedImage(file, "cells", gray(), cal, List.of(0, 1, 2), planes));
        }
        assertEquals(ExplanationWriter.plan(out, "cells", methods), written);
        assertEquals(List.of("gradcam", "gradcam-raw", "gradcam-overlay", "gradient", "gradcam-plusplus"),
                List.copyOf(written.keySet()));

        for (String key : List.of("gradcam", "gradcam-plusplus")) {
            ImagePlus cam = IJ.openImage(written.get(key).toString());
            assertEquals(32, cam.getBitDepth(), key);
            assertEquals(3, cam.getStackSize(), key + ": one slice per plane");
            assertEquals(0.5f, cam.getStack().getProcessor(3).getf(0, 0), 0, key);
            assertEquals(0.5, cam.getCalibration().pixelWidth, 0, key);
            assertEquals(0.25, cam.getCalibration().pixelHeight, 0, key);
            assertEquals("mm", cam.getCalibration().getUnit(), key);
            assertEquals(0.0, cam.getDisplayRangeMin(), 0, key);
            assertEquals(1.0, cam.getDisplayRangeMax(), 0, key);
            assertEquals(ColorMap.FIRE.rgb(1.0), cam.getProcessor().getLut().getRGB(255) & 0xffffff, key + ": Fire LUT");
        }

        ImagePlus grad = IJ.openImage(written.get("gradient").toString());
        assertTrue(grad instanceof CompositeImage, "channels as a composite");
        assertEquals(3, grad.getNChannels());
        assertEquals(3, grad.getNSlices());
        assertEquals(-6.0, grad.getDisplayRangeMin(), 1e-9, "symmetric around 0");
        assertEquals(0.5, grad.getCalibration().pixelWidth, 0);

        ImagePlus raw = IJ.openImage(written.get("gradcam-raw").toString());
        assertEquals(3, raw.getWidth(), "feature resolution");
        assertEquals(3, raw.getStackSize());
        assertEquals(7f, raw.getStack().getProcessor(3).getf(2, 1), 0);
        assertEquals(1.0, raw.getCalibration().pixelWidth, 0, "raw maps are not at image scale: uncalibrated");

        ImagePlus png = IJ.openImage(written.get("gradcam-overlay").toString());
        assertEquals(24, png.getBitDepth());
        assertEquals(W, png.getWidth());
        int expected = ColorMap.JET.rgb(0);
        int r = (int) Math.round((expected >> 16 & 255) * 0.5);
        assertEquals(r, png.getProcessor().getPixel(0, 0) >> 16 & 255, "first plane's map over a black image");

        List<String> csv = Files.readAllLines(out.resolve(ExplanationWriter.PREDICTIONS));
        assertEquals("file,plane,predicted_index,predicted_label,predicted_probability,target_index,target_label,"
                + "target_probability,score,layer,status", csv.get(0));
        assertEquals(List.of("cells.tif,1,1,ring,0.875000,1,ring,0.875000,logit,\"conv, 2\",ok",
                "cells.tif,2,1,ring,0.875000,1,ring,0.875000,logit,\"conv, 2\",ok",
                "cells.tif,3,1,ring,0.875000,1,ring,0.875000,logit,\"conv, 2\",ok"), csv.subList(1, 4));
    }

    @Test
    void theCliLayoutKeepsItsColumnsAndFailedFilesAndPlanesGetARow() throws Exception {
        Set<Method> methods = EnumSet.of(Method.GRADCAM);
        try (ExplanationWriter w = new ExplanationWriter(out, PredictionsCsv.CLI, ColorMap.FIRE, 0.5)) {
            w.failed(Path.of("in", "a,b.png"), "not an image");
            w.write(new ExplainedImage(Path.of("in", "c.png"), "c", gray(), null, List.of(0),
                    List.of(explanation(3, methods, "x"))));
            w.write(new ExplainedImage(Path.of("in", "d.tif"), "d", gray(), null, List.of(0, 2),
                    List.of(explanation(3, methods, "x"), explanation(3, methods, "x"))));
            w.failed(Path.of("in", "d.tif"), 2, "a NaN");
        }
        List<String> csv = Files.readAllLines(out.resolve(ExplanationWriter.PREDICTIONS));
        assertEquals(List.of("image,predicted_index,predicted_label,predicted_probability,target_index,target_label,"
                + "raw_max,error,plane", "\"" + Path.of("in", "a,b.png") + "\",,,,,,,not an image,",
                Path.of("in", "c.png") + ",1,x,0.875000,1,x,8.00000,,1",
                Path.of("in", "d.tif") + ",1,x,0.875000,1,x,8.00000,,1",
                Path.of("in", "d.tif") + ",1,x,0.875000,1,x,8.00000,,3",
                Path.of("in", "d.tif") + ",,,,,,,a NaN,2"), csv);
        try (ExplanationWriter w = new ExplanationWriter(out, PredictionsCsv.BATCH, ColorMap.FIRE, 0.5)) {
            w.failed(Path.of("in", "notes.txt"), "not an image ImageJ can read");
        }
        assertEquals("notes.txt,,,,,,,,,,skipped: not an image ImageJ can read",
                Files.readAllLines(out.resolve(ExplanationWriter.PREDICTIONS)).get(1));
    }

    @Test
    void planNamesEveryFileAndTheOverlayFollowsTheGradCamFamily() throws Exception {
        assertEquals(Map.of("counterfactual", out.resolve("x.counterfactual.tif"), "gradcam-overlay",
                out.resolve("x.gradcam-overlay.png")), ExplanationWriter.plan(out, "x", Set.of(Method.COUNTERFACTUAL)));
        assertEquals(Map.of("guided-backprop", out.resolve("x.guided-backprop.tif")),
                ExplanationWriter.plan(out, "x", Set.of(Method.GUIDED_BACKPROP)));
        // a CAM variant alone gets the overlay; with Grad-CAM or the counterfactual it does not
        assertEquals(Map.of("layercam", out.resolve("x.layercam.tif"), "xgradcam", out.resolve("x.xgradcam.tif"),
                "gradcam-overlay", out.resolve("x.gradcam-overlay.png")),
                ExplanationWriter.plan(out, "x", Set.of(Method.LAYERCAM, Method.XGRADCAM)));
        assertEquals(Method.XGRADCAM, ExplainedImage.overlayMethod(Set.of(Method.LAYERCAM, Method.XGRADCAM)));
        assertEquals(Method.COUNTERFACTUAL, ExplainedImage.overlayMethod(Set.of(Method.LAYERCAM,
                Method.COUNTERFACTUAL)));
        assertNull(ExplainedImage.overlayMethod(Set.of(Method.GRADIENT, Method.GUIDED_GRADCAM)));
        Map<String, Path> all = ExplanationWriter.plan(out, "x.ring", EnumSet.allOf(Method.class));
        // 21 methods (13 CAM and gradient maps, 7 input attributions, FullGrad), the raw Grad-CAM and the overlay
        assertEquals(23, all.size());
        for (Method m : Method.values()) {
            assertEquals(out.resolve("x.ring." + m.id() + ".tif"), all.get(m.id()), m.id());
        }
        assertTrue(ExplanationWriter.existing(all.values()).isEmpty());
        Files.writeString(all.get("gradient"), "");
        assertEquals(List.of(all.get("gradient")), ExplanationWriter.existing(all.values()));
        assertFalse(Files.exists(out.resolve(ExplanationWriter.PREDICTIONS)), "planning writes nothing");
    }

    @Test
    void planesAndExplanationsMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> new ExplainedImage(Path.of("a.png"), "a", gray(), null,
                List.of(0, 1), List.of(explanation(0, Set.of(Method.GRADCAM), "x"))));
    }
}
