package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.Shared;

/** Explaining a BioImage.IO package: its scale_range and its size step become the explanation's preprocessing. */
class BioimageioExplainTest {

    @TempDir
    Path tmp;

    @Test
    void thePackagesPreprocessingAndStepAreUsed() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        InputImage image = ImagePlusImages.plane(ImageFiles.open(Shared.root().resolve(
                "models/care_denoise2d_mito/images/bsubtilis_widefield_sample_input_0.tif")), 0);
        try (LoadedModel m = ModelLoader.load(zip); Explainer explainer = new Explainer(m)) {
            assertEquals("4", m.properties().getProperty("size.step"));
            assertEquals("1:99.8", m.properties().getProperty("percentiles"));
            assertEquals("0:1", m.properties().getProperty("range"));
            assertEquals("22", m.properties().getProperty("halo"));
            // the package's own scale_range of the image, and what the explainer feeds the model
            var p = PreprocessingOptions.none().resolve(m).forImage(image.width(), image.height());
            assertEquals(256, p.width());
            assertTrue(p.raw(), "the package's own steps replace the plugin's scaling");
            float[] ours = explainer.prepare(image, p).values();
            float[] px = new float[image.width() * image.height()];
            for (int i = 0; i < px.length; i++) {
                px[i] = image.at(0, i);
            }
            float[] theirs = BioimageioPackage.resolve(zip).preprocess(px, image.height(), image.width(), 1);
            double max = 0;
            for (int i = 0; i < ours.length; i++) {
                max = Math.max(max, Math.abs(ours[i] - theirs[i]));
            }
            assertTrue(max < 1e-6, "max |explainer input - package preprocessing| = " + max);
            // a 250×250 crop goes in at 252×252 (the package's step 4), not 256 (the default 16)
            float[] crop = new float[250 * 250];
            for (int i = 0; i < crop.length; i++) {
                crop[i] = image.at(0, (i / 250) * 256 + i % 250);
            }
            Explanation e = explainer.explain(new InputImage(250, 250, 1, crop, image.kind()), ExplainRequest
                    .defaults().withMethods(EnumSet.of(Method.GRADCAM)).withRegion(Region.whole())).get(0);
            assertEquals(252, e.region().outputWidth());
            assertEquals(250L * 250, e.region().pixels());
        }
    }
}
