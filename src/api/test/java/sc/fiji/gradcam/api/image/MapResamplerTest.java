package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Feature maps brought back onto the image. */
class MapResamplerTest {

    /**
     * Upsampling commutes with mirroring left-right, in every resize mode (the model input is centred in the image):
     * mirroring a feature map and then upsampling it gives the mirror of the upsampled map. Augmentation smoothing
     * relies on it to mirror maps back at feature resolution.
     */
    @ParameterizedTest
    @CsvSource({"4, 4, 16, 16, 16, 16, STRETCH", "7, 5, 32, 28, 45, 31, STRETCH", "3, 3, 17, 17, 64, 40, CROP",
        "5, 4, 20, 16, 33, 50, PAD", "2, 6, 9, 30, 10, 61, CROP", "6, 6, 24, 24, 24, 9, PAD"})
    void upsamplingCommutesWithMirroring(int fw, int fh, int mw, int mh, int width, int height, ResizeMode mode) {
        Random r = new Random(fw * 31L + height);
        float[] map = new float[fw * fh];
        for (int i = 0; i < map.length; i++) {
            map[i] = r.nextFloat();
        }
        Geometry g = Geometry.of(mode, width, height, mw, mh);
        float[] upsampled = MapResampler.featureToImage(map, fw, fh, g, width, height);
        float[] mirroredFirst = MapResampler.featureToImage(mirrored(map, fw, fh), fw, fh, g, width, height);
        float[] mirroredAfter = mirrored(upsampled, width, height);
        double largest = 0;
        for (int j = 0; j < mirroredAfter.length; j++) {
            assertEquals(mirroredAfter[j], mirroredFirst[j], 1e-5, mode + " pixel " + j);
            largest = Math.max(largest, Math.abs(mirroredAfter[j] - upsampled[j]));
        }
        assertTrue(largest > 0.05, "the random map should not be symmetric already");
    }

    private static float[] mirrored(float[] map, int w, int h) {
        float[] out = new float[map.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y * w + x] = map[y * w + (w - 1 - x)];
            }
        }
        return out;
    }
}
