package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.OutputActivation;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/**
 * A regression head ({@code [batch, k]} values, {@code regression=true}): the target is one output value itself, its
 * gradient matches finite differences of that value, the counterfactual is its decrease, and a region is refused.
 */
class RegressionOutputTest {

    @TempDir
    Path tmp;

    @Test
    void theValueIsExplained() throws Exception {
        Path dir = TestModels.build(TestModelSpec.of(Architecture.GAP, SaveStyle.TF1_GRAPH).withClasses(3)
                .withActivation(OutputActivation.NONE), tmp.resolve("m")).dir();
        Files.writeString(dir.resolve("gradcam.properties"), "regression=true\nrange=0:1\n");
        float[] px = new float[32 * 32 * 3];
        Random r = new Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat() * 255;
        }
        InputImage image = new InputImage(32, 32, 3, px, PixelKind.UINT8);
        try (LoadedModel m = ModelLoader.load(dir); Explainer explainer = new Explainer(m)) {
            assertTrue(m.regression());
            assertFalse(explainer.info().dense(), "no pixels: Fiji's selection is not a region");
            ExplainRequest req = ExplainRequest.defaults().withTargets(java.util.List.of("1"))
                    .withMethods(EnumSet.of(Method.GRADIENT, Method.GRADCAM, Method.COUNTERFACTUAL));
            Explanation e = explainer.explain(image, req).get(0);
            assertEquals(1, e.target().index());
            assertEquals("output 1", e.target().label());
            float[] x = Preprocessor.prepare(image, PreprocessingOptions.none().resolve(m)).values();
            BatchRun run = new BatchRun(m, new ExplanationGraphs(m.serving(), m.outputSpec()));
            float[] y = run.denseOutput(x, 1, 32, 32, 3).values();
            assertEquals(y[1], e.region().value(), 1e-5 + 1e-5 * Math.abs(y[1]));
            assertEquals(y[1], e.target().probability(), 1e-5 + 1e-5 * Math.abs(y[1]));
            // d y_1 / dx at a few inputs, by central differences
            float[] g = e.maps().get(Method.GRADIENT).data();
            for (int i : new int[] {5, 400, 1500, 3000}) {
                float[] plus = x.clone();
                float[] minus = x.clone();
                plus[i] += 1e-2f;
                minus[i] -= 1e-2f;
                double fd = (run.denseOutput(plus, 1, 32, 32, 3).values()[1]
                        - run.denseOutput(minus, 1, 32, 32, 3).values()[1]) / 2e-2;
                assertEquals(fd, g[i], 2e-3 + 3e-2 * Math.abs(fd), "dy1/dx at " + i);
            }
            assertTrue(e.maps().containsKey(Method.COUNTERFACTUAL));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> explainer.explain(image,
                    req.withRegion(Region.rectangle(0, 0, 4, 4, null))));
            assertTrue(bad.getMessage().contains("regression"), bad.getMessage());
        }
    }
}
