package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.MapImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.DataLayout;

/** Grad-CAM maths on hand-made activations and gradients: two objects, one channel each. */
class GradCamTest {

    /** [2 images, 4, 4, 2]: channel 0 is object A (top-left 2×2), channel 1 object B (bottom-right 2×2). */
    static float[] activations() {
        float[] a = new float[2 * 4 * 4 * 2];
        for (int n = 0; n < 2; n++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    int p = ((n * 4 + y) * 4 + x) * 2;
                    a[p] = x < 2 && y < 2 ? 2f : 0f;
                    a[p + 1] = x >= 2 && y >= 2 ? 3f : 0f;
                }
            }
        }
        return a;
    }

    /** Gradients of class A: +1 for channel 0, -0.5 for channel 1 in image 0; doubled in image 1. */
    static float[] gradients() {
        float[] g = new float[2 * 4 * 4 * 2];
        for (int i = 0; i < g.length; i += 2) {
            float s = i < 32 ? 1f : 2f;
            g[i] = 1f * s;
            g[i + 1] = -0.5f * s;
        }
        return g;
    }

    @Test
    void weightsAreSpatialMeansOfTheGradient() {
        float[] g = new float[4 * 2];
        g[0] = 1;
        g[2] = 3;
        g[4] = -2;
        g[7] = 8;
        assertArrayEquals(new double[] {0.5, 2}, GradCam.weights(g, 0, 4, 2, false), 1e-12);
        assertArrayEquals(new double[] {-0.5, -2}, GradCam.weights(g, 0, 4, 2, true), 1e-12);
    }

    @Test
    void classMapHighlightsItsObjectAndCounterfactualTheOther() {
        float[] a = activations();
        float[] g = gradients();
        float[] map = GradCam.compute(a, g, 0, 4, 4, 2, false);
        float[] cf = GradCam.compute(a, g, 0, 4, 4, 2, true);
        float[] expectedMap = new float[16];
        float[] expectedCf = new float[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                // alpha = (1, -0.5): object A gives 2, object B gives -1.5 (ReLU: 0); the counterfactual the reverse
                expectedMap[y * 4 + x] = x < 2 && y < 2 ? 2f : 0f;
                expectedCf[y * 4 + x] = x >= 2 && y >= 2 ? 1.5f : 0f;
            }
        }
        assertArrayEquals(expectedMap, map, 1e-6f);
        assertArrayEquals(expectedCf, cf, 1e-6f);
        // image 1 of the batch: the same activations, gradients doubled, so the map doubles
        float[] second = GradCam.compute(a, g, 1, 4, 4, 2, false);
        for (int i = 0; i < 16; i++) {
            assertEquals(2 * expectedMap[i], second[i], 1e-6f);
        }
    }

    /** The same activations and gradients stored channels first ([n, k, h, w]) give the same maps. */
    @Test
    void channelsFirstTensorsGiveTheSameMaps() {
        float[] a = DataLayout.NCHW.fromNhwc(activations(), 2, 4, 4, 2);
        float[] g = DataLayout.NCHW.fromNhwc(gradients(), 2, 4, 4, 2);
        for (int n = 0; n < 2; n++) {
            for (boolean counterfactual : new boolean[] {false, true}) {
                float[] expected = GradCam.compute(activations(), gradients(), n, 4, 4, 2, counterfactual);
                assertArrayEquals(expected, GradCam.compute(a, g, n, 4, 4, 2, DataLayout.NCHW, counterfactual), 0f);
            }
        }
        // alpha = (1, -0.5) read from the channel planes, not from interleaved values
        assertArrayEquals(new double[] {1, -0.5}, GradCam.weights(g, 0, 16, 2, DataLayout.NCHW, false), 1e-12);
    }

    @Test
    void guidedGradCamIsThePointwiseProductPerChannel() {
        MapImage guided = new MapImage(2, 1, 2, new float[] {1, -2, 3, 4});
        MapImage cam = new MapImage(2, 1, 1, new float[] {0.5f, 0});
        MapImage out = GuidedGradCam.combine(guided, cam);
        assertArrayEquals(new float[] {0.5f, 0, 1.5f, 0}, out.data(), 0f);
    }
}
