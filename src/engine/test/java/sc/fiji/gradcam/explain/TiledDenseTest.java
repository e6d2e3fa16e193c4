package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.SharedModels;

/**
 * Tiles: the real CARE U-Net explained in 64-pixel tiles with a 32-pixel halo gives the same maps — CAM family from
 * stitched activations and gradients, input gradients, the guided pass — as the whole 256² image in one run.
 */
class TiledDenseTest {

    private static LoadedModel care;
    private static Explainer explainer;
    private static InputImage image;

    @BeforeAll
    static void load() throws Exception {
        care = ModelLoader.load(SharedModels.care());
        explainer = new Explainer(care);
        image = SharedModels.careImage();
    }

    @AfterAll
    static void close() {
        explainer.close();
    }

    private static Explanation run(Region region, Set<Method> methods, String tile) {
        return run(region, methods, tile, "32");
    }

    private static Explanation run(Region region, Set<Method> methods, String tile, String halo) {
        care.properties().setProperty("tile", tile);
        care.properties().setProperty("halo", halo);
        try {
            return explainer.explain(image, ExplainRequest.defaults().withMethods(methods).withRegion(region)
                    .withPreprocessing(new PreprocessingOptions(null, null, "0:1", null))).get(0);
        } finally {
            care.properties().remove("tile");
            care.properties().remove("halo");
        }
    }

    @Test
    void stitchedMapsEqualTheUntiledOnes() {
        Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.HIRESCAM, Method.GRADCAM_PLUSPLUS, Method.LAYERCAM,
                Method.GRADIENT, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM, Method.INPUT_X_GRADIENT);
        for (Region r : new Region[] {Region.rectangle(90, 100, 40, 30, "box"), Region.auto()}) {
            Explanation whole = run(r, methods, "1024");
            Explanation tiled = run(r, methods, "64");
            assertEquals(16.0, tiled.timingsMs().get("tiles"));
            assertEquals(null, whole.timingsMs().get("tiles"));
            assertEquals(whole.region().pixels(), tiled.region().pixels());
            assertEquals(whole.region().value(), tiled.region().value(), 1e-4 * Math.abs(whole.region().value()));
            for (Method m : methods) {
                MapImage a = whole.maps().get(m);
                MapImage b = tiled.maps().get(m);
                double max = 0;
                double scale = 0;
                for (int i = 0; i < a.data().length; i++) {
                    max = Math.max(max, Math.abs(a.data()[i] - b.data()[i]));
                    scale = Math.max(scale, Math.abs(a.data()[i]));
                }
                // Guided Grad-CAM is empty where the bottleneck's Grad-CAM is zero over the guided pass's support
                assertTrue(scale > 0 || m == Method.GUIDED_GRADCAM, m + " is empty");
                assertTrue(max <= 1e-3 * scale, m + " " + r + ": max |tiled - whole| " + max + " of " + scale);
            }
        }
    }

    @Test
    void aHaloBelowTheReceptiveFieldShowsSeams() {
        // CARE's receptive-field radius is about 22 pixels (CSBDeep tiles it with that overlap): 16 is too little
        Region r = Region.rectangle(50, 50, 60, 60, null);
        float[] whole = run(r, EnumSet.of(Method.GRADIENT), "1024").maps().get(Method.GRADIENT).data();
        float[] seams = run(r, EnumSet.of(Method.GRADIENT), "64", "16").maps().get(Method.GRADIENT).data();
        double max = 0;
        double scale = 0;
        for (int i = 0; i < whole.length; i++) {
            max = Math.max(max, Math.abs(whole[i] - seams[i]));
            scale = Math.max(scale, Math.abs(whole[i]));
        }
        assertTrue(max > 1e-3 * scale, "a 16-pixel halo should not be enough: " + max + " of " + scale);
    }

    @Test
    void aFixedInputSizeIsTiledAtTheImagesScaleToo() {
        // CARE with size=192x192 (as a model with a fixed input would be): a 256² image goes in as tiles of exactly
        // 192², cores of 192 - 4 x 32 = 64, not stretched; the maps equal the whole image's in one run
        Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.HIRESCAM, Method.GRADIENT);
        Region r = Region.rectangle(150, 20, 50, 40, "box");
        Explanation whole = run(r, methods, "1024");
        care.properties().setProperty("size", "192x192");
        Explanation fixed;
        try {
            fixed = run(r, methods, "1024");
        } finally {
            care.properties().remove("size");
        }
        assertEquals(16.0, fixed.timingsMs().get("tiles"));
        assertEquals(whole.region().pixels(), fixed.region().pixels());
        for (Method m : methods) {
            float[] a = whole.maps().get(m).data();
            float[] b = fixed.maps().get(m).data();
            double max = 0;
            double scale = 0;
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
                scale = Math.max(scale, Math.abs(a[i]));
            }
            assertTrue(scale > 0 && max <= 1e-3 * scale, m + ": max |fixed tiles - whole| " + max + " of " + scale);
        }
    }

    @Test
    void perturbationMethodsAreRefusedForTiles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(Region.whole(), EnumSet.of(Method.SCORECAM), "64"));
        assertTrue(e.getMessage().contains("tile") && e.getMessage().contains("Fix"), e.getMessage());
        // FullGrad scales each bias channel over the whole image
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> run(Region.whole(), EnumSet.of(Method.FULLGRAD), "64"));
        assertTrue(f.getMessage().startsWith("FullGrad is not available") && f.getMessage().contains("Fix"),
                f.getMessage());
    }

    /**
     * With less memory set aside than the stitched layer takes (tile.layer.memory=0), the CAM maps are computed in
     * passes over the tiles (one tile's layer at a time) and equal the stitched ones; the methods that need the whole
     * layer at once are refused with the fix.
     */
    @Test
    void passesOverTheTilesGiveTheStitchedMaps() {
        Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.COUNTERFACTUAL, Method.HIRESCAM, Method.LAYERCAM,
                Method.XGRADCAM, Method.GRADCAM_PLUSPLUS, Method.GUIDED_GRADCAM, Method.GUIDED_BACKPROP, Method.GRADIENT);
        Region r = Region.rectangle(40, 60, 120, 90, null);
        Explanation stitched = run(r, methods, "64");
        assertEquals(1.0, stitched.timingsMs().get("tile_passes"));
        care.properties().setProperty("tile.layer.memory", "0");
        Explanation passes;
        try {
            passes = run(r, methods, "64");
            assertEquals(3.0, passes.timingsMs().get("tile_passes"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> run(r, EnumSet.of(Method.EIGENCAM), "64"));
            assertTrue(e.getMessage().contains("EigenCAM needs the target layer") && e.getMessage().contains("Fix:"),
                    e.getMessage());
        } finally {
            care.properties().remove("tile.layer.memory");
        }
        assertEquals(stitched.rawMaps().keySet(), passes.rawMaps().keySet());
        for (Method m : stitched.rawMaps().keySet()) {
            assertClose(stitched.rawMaps().get(m), passes.rawMaps().get(m), m.title(), true);
        }
        for (Method m : methods) {
            assertClose(stitched.maps().get(m), passes.maps().get(m), m.title() + " (image)", false);
        }
    }

    private static void assertClose(MapImage expected, MapImage actual, String what, boolean nonEmpty) {
        assertEquals(expected.width(), actual.width(), what);
        assertEquals(expected.height(), actual.height(), what);
        float peak = 0;
        for (float v : expected.data()) {
            peak = Math.max(peak, Math.abs(v));
        }
        assertTrue(peak > 0 || !nonEmpty, what + " is empty");
        for (int i = 0; i < expected.data().length; i++) {
            assertEquals(expected.data()[i], actual.data()[i], 1e-5 * peak + 1e-30, what + " at " + i);
        }
    }
}
