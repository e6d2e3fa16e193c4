package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The radix selection gives exactly what sorting a copy gives, for any values and percentiles. */
class PercentilesTest {

    private static final double[] PCTS = {0, 0.1, 1, 37.3, 50, 99.8, 100};

    private static void assertSameAsSorting(float[] values, int width, int channels) {
        InputImage image = new InputImage(width, values.length / width / channels, channels, values, PixelKind.FLOAT);
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] got = Percentiles.of(image, PCTS);
        for (int k = 0; k < PCTS.length; k++) {
            assertEquals(Preprocessor.percentile(sorted, PCTS[k]), got[k], 0, "percentile " + PCTS[k]);
        }
    }

    @Test
    void randomValuesOfEverySign() {
        Random r = new Random(3);
        for (int n : new int[] {1, 2, 3, 17, 1000, 65537}) {
            float[] v = new float[n * 3];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
            }
            assertSameAsSorting(v, n, 3);
        }
    }

    @Test
    void duplicatesZerosAndIntegerImages() {
        Random r = new Random(5);
        float[] v = new float[4096];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(4) == 0 ? (r.nextBoolean() ? -0.0f : 0.0f) : r.nextInt(65536);
        }
        assertSameAsSorting(v, 64, 1);
        float[] same = new float[1000];
        Arrays.fill(same, 42.5f);
        assertSameAsSorting(same, 10, 1);
        assertSameAsSorting(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE}, 4, 1);
    }

    @Test
    void aViewGivesTheSameAsItsValues() {
        Random r = new Random(9);
        short[] px = new short[300 * 200];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) r.nextInt(65536);
        }
        InputImage view = InputImage.view(300, 200, 1, PixelKind.UINT16, (c, i) -> px[i] & 0xffff);
        InputImage held = new InputImage(300, 200, 1, view.data(), PixelKind.UINT16);
        assertEquals(Arrays.toString(Percentiles.of(held, PCTS)), Arrays.toString(Percentiles.of(view, PCTS)));
    }
}
