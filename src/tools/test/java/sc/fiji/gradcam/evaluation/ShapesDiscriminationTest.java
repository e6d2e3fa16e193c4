package sc.fiji.gradcam.evaluation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.training.SyntheticShapes;

/** End to end: the shapes model's Grad-CAM for a class puts its mass on that class's object, not the other. */
class ShapesDiscriminationTest {

    @Test
    void gradCamForEachClassFallsOnItsOwnObject() {
        Path model = Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("models/shapes");
        Random random = new Random(99);
        List<InputImage> images = new ArrayList<>();
        List<SyntheticShapes.Scene> scenes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SyntheticShapes.Scene s = SyntheticShapes.render(128, List.of(SyntheticShapes.RING, SyntheticShapes.CROSS),
                    random);
            scenes.add(s);
            images.add(ImagePlusImages.toInput(new ImagePlus("scene", s.image()), 1));
        }
        try (LoadedModel m = ModelLoader.load(model); Explainer ex = new Explainer(m)) {
            List<List<Explanation>> r = ex.explain(images, ExplainRequest.defaults()
                    .withMethods(Method.parseList("gradcam")).withTargets(List.of("ring", "cross")));
            for (int t = 0; t < 2; t++) {
                String cls = SyntheticShapes.CLASSES.get(t);
                String other = SyntheticShapes.CLASSES.get(1 - t);
                int wins = 0;
                double ratio = 0;
                for (int i = 0; i < images.size(); i++) {
                    float[] map = r.get(i).get(t).maps().get(Method.GRADCAM).data();
                    boolean[] own = mask(scenes.get(i).masks().get(cls));
                    boolean[] oth = mask(scenes.get(i).masks().get(other));
                    double d = Metrics.discrimination(map, own, oth);
                    ratio += d / images.size();
                    wins += d > 0.5 ? 1 : 0;
                }
                assertTrue(wins >= 7, cls + ": Grad-CAM mass on the " + cls + " beats the " + other + " in only "
                        + wins + " of " + images.size() + " scenes");
                assertTrue(ratio > 0.75, cls + ": mean mass ratio " + ratio);
            }
        }
    }

    private static boolean[] mask(ByteProcessor bp) {
        return EvaluationSupport.mask(bp);
    }
}
