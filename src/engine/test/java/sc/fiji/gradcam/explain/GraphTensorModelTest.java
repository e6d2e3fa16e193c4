package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.support.SharedModels;

/**
 * The real DEFCoN density counter: a TF 1.3 graph without any signature, served by the graph tensors the user names;
 * its output is a density map whose sum over a region is the number of spots there.
 */
class GraphTensorModelTest {

    private static Path dir() {
        return SharedModels.root().resolve("models/defcon_density_count/model");
    }

    @Test
    void withoutNamesTheErrorSaysWhichToGive() {
        ModelException e = assertThrows(ModelException.class, () -> ModelLoader.load(dir()));
        assertTrue(e.getMessage().contains("no serving signature") && e.getMessage().contains("input_tensor"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--input"), e.getMessage());
        ModelException bad = assertThrows(ModelException.class, () -> ModelLoader.load(dir(),
                ModelOptions.defaults().withInput("nope").withOutput("output_tensor")));
        assertTrue(bad.getMessage().contains("no node 'nope'"), bad.getMessage());
    }

    @Test
    void namedTensorsServeTheDensityMapAndItsCount() throws Exception {
        try (LoadedModel m = ModelLoader.load(dir(), ModelOptions.defaults().withInput("input_tensor")
                .withOutput("output_tensor:0")); Explainer explainer = new Explainer(m)) {
            assertTrue(m.dense());
            var imp = ImageFiles.open(SharedModels.root().resolve("models/defcon_density_count/images/test_data.tif"));
            InputImage frame = ImagePlusImages.plane(imp, 0);
            ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM, Method.GRADIENT))
                    .withRegion(Region.whole());
            Explanation e = explainer.explain(frame, r).get(0);
            // the README: frame 0 sums to about 2.9 spots (with DEFCoN's own normalisation; ours is the default 1–99.8 %)
            assertEquals(32 * 32, e.region().pixels());
            assertTrue(e.region().value() > 0.5 && e.region().value() < 10, "count " + e.region().value());
            assertEquals(32, e.maps().get(Method.GRADCAM).width());
            // the count of the left half plus the right half is the count of the whole frame
            double left = explainer.explain(frame, r.withRegion(Region.rectangle(0, 0, 16, 32, null))).get(0).region()
                    .value();
            double right = explainer.explain(frame, r.withRegion(Region.rectangle(16, 0, 16, 32, null))).get(0)
                    .region().value();
            assertEquals(e.region().value(), left + right, 1e-4 * Math.abs(e.region().value()) + 1e-5);
        }
    }

    /** The sanity check's copy opens the model the way the user did (the named tensors), not with the defaults. */
    @Test
    void aReinitialisedCopyKeepsTheNamedTensors() throws Exception {
        try (LoadedModel m = ModelLoader.load(dir(), ModelOptions.defaults().withInput("input_tensor")
                .withOutput("output_tensor:0")); Explainer explainer = new Explainer(m)) {
            var imp = ImageFiles.open(SharedModels.root().resolve("models/defcon_density_count/images/test_data.tif"));
            InputImage frame = ImagePlusImages.plane(imp, 0);
            ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADIENT))
                    .withRegion(Region.whole());
            double count = explainer.explain(frame, r).get(0).region().value();
            var layers = explainer.weightLayers();
            assertTrue(!layers.isEmpty());
            try (var copy = explainer.reinitialised(layers, 7)) {
                assertEquals(m.origin(), dir());
                double random = copy.explain(frame, r).get(0).region().value();
                assertTrue(Math.abs(random - count) > 1e-3 * Math.abs(count), count + " vs " + random);
            }
            // the original is untouched
            assertEquals(count, explainer.explain(frame, r).get(0).region().value(), 1e-6 * Math.abs(count));
        }
    }
}
