package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.support.Shared;

/** {@code --model} / {@code model=} accept a package: ModelLoader opens its SavedModel weights. */
class BioimageioLoaderHookTest {

    @TempDir
    Path tmp;

    @Test
    void loadsThePackagesWeightsWithItsTensorsAndLayout() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        for (Path given : new Path[] {zip, tmp.resolve("care"), tmp.resolve("care/bioimageio.yaml")}) {
            try (LoadedModel m = ModelLoader.load(given)) {
                assertEquals(CarePackage.INPUT_TENSOR, m.input().tensor(), given.toString());
                assertEquals(CarePackage.OUTPUT_TENSOR, m.output().tensor());
                assertEquals("nhwc", m.inputLayout().layout().id());
                assertTrue(m.inputLayout().source().contains("option"), m.inputLayout().source());
            }
        }
    }

    @Test
    void whatTheUserChoosesWins() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        ModelException e = assertThrows(ModelException.class,
                () -> ModelLoader.load(zip, ModelOptions.defaults().withOutput("no_such_output")).close());
        assertTrue(e.getMessage().contains("no output 'no_such_output'"), e.getMessage());
    }

    @Test
    void aSavedModelFolderAndZipAreNotPackages() throws Exception {
        try (LoadedModel m = ModelLoader.load(Shared.model("mnist_tfmodule"))) {
            assertEquals("x", m.input().key());
        }
        assertEquals(false, BioimageioPackage.isPackage(Shared.root().resolve(
                "models/care_denoise2d_mito/TF_SavedModel.zip")));
    }
}
