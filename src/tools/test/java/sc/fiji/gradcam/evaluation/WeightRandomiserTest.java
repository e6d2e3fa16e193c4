package sc.fiji.gradcam.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.Shared;

/** Randomising weights changes only the loaded instance, and restore() brings the trained weights back. */
class WeightRandomiserTest {

    @Test
    void randomisesInMemoryRestoresAndLeavesTheFilesAlone() throws Exception {
        Path dir = Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("models/shapes");
        String before = Shared.checksum(dir);
        try (LoadedModel m = ModelLoader.load(dir)) {
            WeightRandomiser r = new WeightRandomiser(m);
            assertEquals(List.of("block1", "block2", "block3", "block4", "dense"), r.layers());
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
}
