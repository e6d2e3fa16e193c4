package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.training.ExportedModel;
import sc.fiji.gradcam.training.SavedModelExport;
import sc.fiji.gradcam.training.SmallCnn;

/**
 * {@code layer=} in {@code gradcam.properties} sets the default target layer (what {@code auto} means in every
 * front end); an unknown name is refused with the file, the name and the valid layers.
 */
class PropertiesLayerTest {

    @TempDir
    static Path tmp;

    private static final SmallCnn NET = new SmallCnn(16, 3, new int[] {4, 6, 8}, 2);

    @BeforeAll
    static void export() throws Exception {
        TensorFlowRuntime.engine();
        Random random = new Random(1);
        Map<String, float[]> w = new LinkedHashMap<>();
        NET.params().forEach(p -> w.put(p.name(), SmallCnn.initialValue(p, random)));
        SavedModelExport.export(NET, w, tmp.resolve("model"));
        ExportedModel.writeMetadata(tmp.resolve("model"), NET, List.of("a", "b"), "layer test");
    }

    private static Path withLayerLine(String name, String line) throws Exception {
        Path dir = tmp.resolve(name);
        if (!Files.exists(dir)) {
            Files.createDirectories(dir.resolve("variables"));
            for (Path f : List.of(Path.of("saved_model.pb"), Path.of("labels.txt"), Path.of("variables")
                    .resolve("variables.index"), Path.of("variables").resolve("variables.data-00000-of-00001"))) {
                Files.copy(tmp.resolve("model").resolve(f), dir.resolve(f));
            }
        }
        String props = Files.readString(tmp.resolve("model/gradcam.properties"), StandardCharsets.UTF_8)
                .replaceAll("(?m)^layer=.*$", line);
        Files.writeString(dir.resolve(ModelLoader.PROPERTIES), props, StandardCharsets.UTF_8);
        return dir;
    }

    @Test
    void theLastConvolutionIsTheDefaultWithoutTheLine() throws Exception {
        try (LoadedModel m = ModelLoader.load(withLayerLine("none", "# no layer line"))) {
            assertEquals(NET.lastConvOpName(), m.catalog().defaultLayer().tensorName().node());
            assertTrue(m.catalog().reason().startsWith("last convolution"), m.catalog().reason());
        }
        try (LoadedModel m = ModelLoader.load(withLayerLine("auto", "layer=auto"))) {
            assertEquals(NET.lastConvOpName(), m.catalog().defaultLayer().tensorName().node());
        }
    }

    @Test
    void theLineChoosesTheDefaultLayer() throws Exception {
        try (LoadedModel m = ModelLoader.load(withLayerLine("block2", "layer=block2/relu"))) {
            assertEquals("block2/relu", m.catalog().defaultLayer().tensorName().node());
            assertEquals(8, m.catalog().defaultLayer().height());
            assertEquals("block2/relu", m.catalog().find("auto").tensorName().node());
            assertTrue(m.catalog().reason().contains("layer= in gradcam.properties"), m.catalog().reason());
            assertEquals("block3/relu", m.catalog().find("block3/relu").tensorName().node(), "explicit names still win");
        }
    }

    @Test
    void anUnknownLayerIsRefusedWithTheFix() throws Exception {
        try (LoadedModel m = ModelLoader.load(withLayerLine("unknown", "layer=block9/relu"))) {
            ModelException e = assertThrows(ModelException.class, m::catalog);
            assertTrue(e.getMessage().contains("layer=block9/relu"), e.getMessage());
            assertTrue(e.getMessage().contains("block3/relu"), "lists the valid layers: " + e.getMessage());
            assertTrue(e.getMessage().contains("gradcam info"), e.getMessage());
        }
    }
}
