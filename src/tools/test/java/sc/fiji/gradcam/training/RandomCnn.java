package sc.fiji.gradcam.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/** Untrained weights and random images for tests of the trainer's networks. */
final class RandomCnn {

    private RandomCnn() {}

    /** He-normal kernels ({@link SmallCnn#initialValue}) and small Gaussian biases (σ 0.05), so no map is trivially 0. */
    static Map<String, float[]> weights(SmallCnn net, Random random) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (SmallCnn.Param p : net.params()) {
            float[] v = SmallCnn.initialValue(p, random);
            if (p.fanIn() == 0) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.05 * random.nextGaussian());
                }
            }
            weights.put(p.name(), v);
        }
        return weights;
    }

    /** A {@code size}×{@code size} RGB 8-bit image of uniform noise. */
    static InputImage image(int size, Random random) {
        float[] pixels = new float[size * size * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(256);
        }
        return new InputImage(size, size, 3, pixels, PixelKind.UINT8);
    }
}
