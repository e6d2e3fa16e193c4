package sc.fiji.gradcam.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.support.Shared;
import sc.fiji.gradcam.support.SharedModels;

/**
 * Randomising weights changes only the loaded instance, restore() brings the trained weights back, resource variables
 * (TF2 exports) are re-initialised too, and {@link ModelExplainer#reinitialised} gives an independent copy.
 */
class WeightRandomiserTest {

    private static Path shapes() {
        return Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("models/shapes");
    }

    @Test
    void randomisesInMemoryRestoresAndLeavesTheFilesAlone() throws Exception {
        Path dir = shapes();
        String before = Shared.checksum(dir);
        try (LoadedModel m = ModelLoader.load(dir)) {
            WeightRandomiser r = new WeightRandomiser(m);
            assertEquals(List.of("block1", "block2", "block3", "block4", "dense"), r.layers());
            assertEquals(r.layers(), WeightRandomiser.layers(m));
            float[] kernel = r.read("dense/kernel");
            float[] block1 = r.read("block1/kernel");
            r.randomise("dense", new Random(1));
            assertFalse(Arrays.equals(kernel, r.read("dense/kernel")));
            assertArrayEquals(new float[r.read("dense/bias").length], r.read("dense/bias"));
            assertArrayEquals(block1, r.read("block1/kernel"));
            r.restore();
            assertArrayEquals(kernel, r.read("dense/kernel"));
        }
        assertEquals(before, Shared.checksum(dir));
    }

    /**
     * mnist_tfmodule is a TF2 tf.Module export: its weights are unscoped VarHandleOp resource variables ({@code w1},
     * {@code b1} of shape [1, 256}, ...), listed in the graph output side first. Layers follow the serving path, each
     * bias joins its kernel, biases become zeros and kernels random.
     */
    @Test
    void resourceVariablesOfATf2ModuleAreReinitialised() {
        try (LoadedModel m = ModelLoader.load(Shared.model("mnist_tfmodule"))) {
            WeightRandomiser r = new WeightRandomiser(m);
            assertEquals(List.of("w_cnn1", "w_cnn2", "w1", "w2", "w3"), r.layers());
            float[] w3 = r.read("w3");
            float[] w1 = r.read("w1");
            r.randomise(List.of("w3"), 7);
            assertFalse(Arrays.equals(w3, r.read("w3")));
            assertArrayEquals(new float[10], r.read("b3"), "the bias [1, 10] joined w3 and is zero");
            assertArrayEquals(w1, r.read("w1"));
            r.restore();
            assertArrayEquals(w3, r.read("w3"));
        }
    }

    /**
     * potato_leaf (Keras 2) holds Adam slots and metric variables too; only the serving path's layers count, in
     * their order.
     */
    @Test
    void onlyTheServingPathsVariablesAreLayers() {
        try (LoadedModel m = ModelLoader.load(Shared.model("potato_leaf"))) {
            assertEquals(List.of("conv2d_18", "conv2d_19", "conv2d_20", "conv2d_21", "conv2d_22", "conv2d_23",
                    "dense_8", "dense_9"), WeightRandomiser.layers(m));
        }
    }

    @Test
    void biasLikeShapes() {
        assertTrue(WeightRandomiser.vectorLike(new long[] {32}));
        assertTrue(WeightRandomiser.vectorLike(new long[] {1, 10}));
        assertFalse(WeightRandomiser.vectorLike(new long[] {256, 1}), "a one-unit dense kernel");
        assertFalse(WeightRandomiser.vectorLike(new long[] {3, 3, 1, 16}));
    }

    @Test
    void reinitialisedIsAnIndependentCopyWhoseMapsChange() throws Exception {
        Path cell = Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("test-images")
                .resolve("Parasitized_C100P61ThinF_IMG_20150918_145042_cell_166.png");
        InputImage image = SharedModels.read(cell);
        Path dir = Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("models/malaria-cells");
        String before = Shared.checksum(dir);
        ExplainRequest request = ExplainRequest.defaults().withMethods(java.util.EnumSet.of(Method.GRADCAM))
                .withTargets(List.of("0"));
        try (Explainer trained = new Explainer(ModelLoader.load(dir))) {
            List<String> layers = trained.weightLayers();
            assertEquals("dense", layers.get(layers.size() - 1), "layers " + layers);
            Explanation t = trained.explain(image, request).get(0);
            float[] top;
            try (ModelExplainer copy = trained.reinitialised(List.of("dense"), 42)) {
                Explanation r = copy.explain(image, request).get(0);
                assertFalse(Arrays.equals(t.maps().get(Method.GRADCAM).data(), r.maps().get(Method.GRADCAM).data()));
                assertTrue(Math.abs(t.target().probability() - r.target().probability()) > 1e-4,
                        t.target() + " vs " + r.target());
                top = readDense(copy);
            }
            try (ModelExplainer again = trained.reinitialised(layers, 42)) {
                assertArrayEquals(top, readDense(again), "a layer's values depend on the seed and its name only");
            }
            Explanation after = trained.explain(image, request).get(0);
            assertArrayEquals(t.maps().get(Method.GRADCAM).data(), after.maps().get(Method.GRADCAM).data(),
                    "the trained instance is untouched");
            assertThrows(IllegalArgumentException.class, () -> trained.reinitialised(List.of("nope"), 1));
        }
        assertEquals(before, Shared.checksum(dir));
    }

    private static float[] readDense(ModelExplainer e) {
        LoadedModel m = ((Explainer) e).model();
        try (var r = m.serving().session().runner().fetch("dense/kernel").run()) {
            var t = (org.tensorflow.types.TFloat32) r.get(0);
            float[] out = new float[Math.toIntExact(t.shape().size())];
            t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
            return out;
        }
    }
}
