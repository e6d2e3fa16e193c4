package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmenterTest {

    /** Hue and saturation jitter alone (no geometry or gains) keep grey pixels grey and black pixels black. */
    @Test
    void stainJitterKeepsGreyAndBlack() {
        int size = 8;
        Augmenter a = new Augmenter(size, 3, 0f, 0f, 0f, 0, false, 0f, 0f, 0.3f, 20f);
        float[] src = new float[size * size * 3];
        for (int p = 0; p < size * size; p++) {
            float v = p % 2 == 0 ? 0f : 0.5f;
            src[3 * p] = v;
            src[3 * p + 1] = v;
            src[3 * p + 2] = v;
        }
        float[] dst = new float[src.length];
        Random random = new Random(1);
        for (int k = 0; k < 20; k++) {
            a.augment(src, dst, 0, random);
            for (int p = 0; p < size * size; p++) {
                for (int c = 0; c < 3; c++) {
                    // a random flip moves pixels within a row; parity of x flips with an even size, so compare
                    // channels only
                    assertEquals(dst[3 * p], dst[3 * p + c], 1e-5f);
                }
            }
        }
    }

    /** A coloured pixel changes but stays in [0, 1] and keeps its mean (hue rotation and saturation about grey). */
    @Test
    void stainJitterChangesColourAndKeepsMean() {
        int size = 4;
        Augmenter a = new Augmenter(size, 3, 0f, 0f, 0f, 0, false, 0f, 0f, 0.3f, 20f);
        float[] src = new float[size * size * 3];
        for (int p = 0; p < size * size; p++) {
            src[3 * p] = 0.6f;
            src[3 * p + 1] = 0.3f;
            src[3 * p + 2] = 0.5f;
        }
        float[] dst = new float[src.length];
        a.augment(src, dst, 0, new Random(3));
        boolean changed = false;
        for (int p = 0; p < size * size; p++) {
            float mean = (dst[3 * p] + dst[3 * p + 1] + dst[3 * p + 2]) / 3;
            assertEquals(0.4666667f, mean, 1e-4f);
            for (int c = 0; c < 3; c++) {
                assertTrue(dst[3 * p + c] >= 0 && dst[3 * p + c] <= 1);
                changed |= Math.abs(dst[3 * p + c] - src[3 * p + c]) > 1e-3f;
            }
        }
        assertTrue(changed);
    }
}
