package sc.fiji.gradcam.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The chromatin threshold on a hand-made cell. */
class ParasiteSegmentationTest {

    @Test
    void parasiteThresholdFindsADarkPurpleDotInAPinkCell() {
        int w = 60;
        int n = w * w;
        float[] d = new float[3 * n];
        for (int y = 0; y < w; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double r = Math.hypot(x - 30, y - 30);
                float[] c = r > 25 ? new float[] {0, 0, 0} // black background
                        : Math.hypot(x - 35, y - 25) <= 3 ? new float[] {150, 30, 120} // chromatin
                        : new float[] {210, 150, 150}; // pink cytoplasm
                d[i] = c[0];
                d[n + i] = c[1];
                d[2 * n + i] = c[2];
            }
        }
        var image = new sc.fiji.gradcam.api.image.InputImage(w, w, 3, d, sc.fiji.gradcam.api.image.PixelKind.UINT8);
        ParasiteSegmentation.Result s = ParasiteSegmentation.segment(image);
        assertTrue(s.found());
        int found = 0;
        for (int i = 0; i < n; i++) {
            if (s.parasite()[i]) {
                found++;
                assertTrue(Math.hypot(i % w - 35, i / w - 25) <= 3, "mask pixel outside the dot");
            }
        }
        assertTrue(found >= 25, "dot pixels found: " + found);
        assertEquals(Math.PI * 25 * 25 / n, Metrics.fraction(s.cell()), 0.02);
    }
}
