package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BilinearTest {

    static final float[] PLANE = {0, 1, 2, 3, 4, 5}; // 3×2: value = x + 3y

    @Test
    void samplesPixelsMidpointsAndClampsEdges() {
        assertEquals(4, Bilinear.sample(PLANE, 0, 3, 2, 1, 1), 0f);
        assertEquals(0.5f, Bilinear.sample(PLANE, 0, 3, 2, 0.5, 0), 1e-6f);
        assertEquals(2.0f, Bilinear.sample(PLANE, 0, 3, 2, 0.5, 0.5), 1e-6f);
        assertEquals(0, Bilinear.sample(PLANE, 0, 3, 2, -3, -3), 0f);
        assertEquals(5, Bilinear.sample(PLANE, 0, 3, 2, 10, 10), 0f);
        assertEquals(4, Bilinear.sample(new float[] {9, 9, 0, 1, 2, 3, 4, 5}, 2, 3, 2, 1, 1), 0f);
    }

    @Test
    void resizeKeepsConstantsIdentityAndLinearRamps() {
        float[] c = new float[12];
        java.util.Arrays.fill(c, 3f);
        for (float v : Bilinear.resize(c, 4, 3, 9, 7)) {
            assertEquals(3f, v, 1e-6f);
        }
        assertArrayEquals(PLANE, Bilinear.resize(PLANE, 3, 2, 3, 2), 0f);
        // a ramp v = x on 4 columns, doubled to 8: interior samples follow the ramp at half-pixel centres
        float[] ramp = {0, 1, 2, 3};
        float[] up = Bilinear.resize(ramp, 4, 1, 8, 1);
        for (int x = 1; x < 7; x++) {
            assertEquals((x + 0.5) / 2 - 0.5, up[x], 1e-6);
        }
        assertEquals(0, up[0], 0f);
        assertEquals(3, up[7], 0f);
    }
}
