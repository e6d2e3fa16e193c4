package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.SlidingWindow;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.support.SharedModels;

/**
 * The sliding window over a mosaic of four real MNIST digits (2 × 2 tiles of 28², the model's input): the probability
 * map and the stitched Grad-CAM of each quadrant are the explanation of that digit alone, and the auto class is the
 * one most windows predict.
 */
class SlidingWindowTest {

    @Test
    void quadrantsAreTheDigitsOwnExplanations() {
        Explainer explainer = new Explainer(SharedModels.loaded(SharedModels.MNIST));
        List<InputImage> digits = SharedModels.imageFiles(SharedModels.MNIST).stream().limit(4)
                .map(SharedModels::read).toList();
        float[] mosaic = new float[56 * 56];
        for (int q = 0; q < 4; q++) {
            InputImage d = digits.get(q);
            for (int i = 0; i < 28 * 28; i++) {
                mosaic[((q / 2) * 28 + i / 28) * 56 + (q % 2) * 28 + i % 28] = d.at(0, i);
            }
        }
        InputImage image = new InputImage(56, 56, 1, mosaic, digits.get(0).kind());
        ExplainRequest request = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM)).withLayer("Conv2D_1")
                .withPreprocessing(new PreprocessingOptions(null, null, "0:1", null));
        // class of the first digit, in every window
        Explanation first = explainer.explain(digits.get(0), request).get(0);
        String cls = String.valueOf(first.predicted().index());
        SlidingWindow.Result r = SlidingWindow.run(explainer, image, request.withTargets(List.of(cls)), 28, 28);
        assertEquals(4, r.windows().size());
        assertEquals(first.predicted().index(), r.target().index());
        double max = 0;
        float[][] own = new float[4][];
        for (int q = 0; q < 4; q++) {
            Explanation e = explainer.explain(digits.get(q), request.withTargets(List.of(cls))).get(0);
            own[q] = e.maps().get(Method.GRADCAM).data().clone();
            for (int i = 0; i < own[q].length; i++) {
                own[q][i] *= (float) e.rawMax();
                max = Math.max(max, own[q][i]);
            }
            int at = ((q / 2) * 28 + 5) * 56 + (q % 2) * 28 + 7;
            assertEquals(e.target().probability(), r.probability().data()[at], 1e-5, "probability in quadrant " + q);
        }
        for (int q = 0; q < 4; q++) {
            for (int i = 0; i < 28 * 28; i++) {
                float stitched = r.gradcam().data()[((q / 2) * 28 + i / 28) * 56 + (q % 2) * 28 + i % 28];
                assertEquals(own[q][i] / max, stitched, 1e-4, "Grad-CAM in quadrant " + q + " at " + i);
            }
        }
        // auto: the class most windows predict
        SlidingWindow.Result auto = SlidingWindow.run(explainer, image, request, 28, 14);
        assertEquals(9, auto.windows().size());
        assertTrue(auto.target() != null);
        assertThrows(IllegalArgumentException.class, () -> SlidingWindow.run(explainer, image, request, 100, 10));
    }
}
