package sc.fiji.gradcam.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/** ROAD's noisy linear imputation and scores, and the confidence change of the image times the map, on known answers. */
class RoadTest {

    private static InputImage ramp(int w, int h) {
        float[] d = new float[w * h * 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                d[y * w + x] = 2 * x + 3 * y;
                d[w * h + y * w + x] = 100 - x;
            }
        }
        return new InputImage(w, h, 2, d, PixelKind.FLOAT);
    }

    @Test
    void linearImputationFillsAHoleInALinearImageExactly() {
        InputImage im = ramp(20, 16);
        boolean[] keep = new boolean[20 * 16];
        java.util.Arrays.fill(keep, true);
        for (int y = 4; y < 11; y++) {
            for (int x = 5; x < 14; x++) {
                keep[y * 20 + x] = false;
            }
        }
        InputImage filled = Road.impute(im, keep, 0, new Random(1));
        for (int i = 0; i < im.data().length; i++) {
            assertEquals(im.data()[i], filled.data()[i], 1e-2, "value " + i);
        }
        // the input is not changed; noise makes the removed pixels differ, the kept ones stay
        assertEquals(2 * 7 + 3 * 6, im.get(7, 6, 0));
        InputImage noisy = Road.impute(im, keep, 0.01, new Random(1));
        assertEquals(im.get(0, 0, 0), noisy.get(0, 0, 0));
        assertTrue(Math.abs(noisy.get(7, 6, 0) - im.get(7, 6, 0)) > 1e-4);
    }

    @Test
    void oneRemovedPixelIsTheWeightedMeanOfItsNeighbours() {
        float[] d = new float[9];
        for (int i = 0; i < 9; i++) {
            d[i] = i * i;
        }
        boolean[] keep = new boolean[9];
        java.util.Arrays.fill(keep, true);
        keep[4] = false;
        InputImage filled = Road.impute(new InputImage(3, 3, 1, d, PixelKind.FLOAT), keep, 0, new Random(1));
        double edges = (1 + 9 + 25 + 49) / 6.0;
        double corners = (0 + 4 + 36 + 64) / 12.0;
        assertEquals(edges + corners, filled.data()[4], 1e-6);
        // at the border only the neighbours inside count, renormalised
        keep[4] = true;
        keep[0] = false;
        filled = Road.impute(new InputImage(3, 3, 1, d, PixelKind.FLOAT), keep, 0, new Random(1));
        assertEquals((1 / 6.0 + 9 / 6.0 + 16 / 12.0) / (1 / 6.0 + 1 / 6.0 + 1 / 12.0), filled.data()[0], 1e-6);
        // nothing kept (a constant map): the mean
        filled = Road.impute(new InputImage(3, 3, 1, d, PixelKind.FLOAT), new boolean[9], 0, new Random(1));
        assertEquals(204 / 9.0, filled.data()[5], 1e-5);
    }

    @Test
    void percentilesAndKeptPixelsFollowPytorchGradCam() {
        float[] v = {1, 2, 3, 4};
        assertEquals(2.5, Road.percentile(v, 50), 1e-12); // numpy.percentile([1,2,3,4], 50)
        assertEquals(1.3, Road.percentile(v, 10), 1e-6);
        float[] map = new float[100];
        for (int i = 0; i < 100; i++) {
            map[i] = i / 99f;
        }
        boolean[] morf = Road.kept(map, 80, true);
        boolean[] lerf = Road.kept(map, 80, false);
        int keptM = 0;
        int keptL = 0;
        for (int i = 0; i < 100; i++) {
            keptM += morf[i] ? 1 : 0;
            keptL += lerf[i] ? 1 : 0;
        }
        assertEquals(80, keptM);
        assertEquals(80, keptL);
        assertFalse(morf[99]); // the most relevant pixel goes first
        assertTrue(morf[0]);
        assertFalse(lerf[0]); // the least relevant pixel goes first
        assertTrue(lerf[99]);
    }

    @Test
    void theRightMapScoresHigherThanItsInverse() {
        // a "model" whose confidence is the mean brightness of a 6x6 square in a dark 24x24 image
        int w = 24;
        float[] d = new float[w * w];
        float[] right = new float[w * w];
        Random r = new Random(3);
        for (int y = 0; y < w; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = x >= 4 && x < 10 && y >= 12 && y < 18;
                d[y * w + x] = in ? 200 + r.nextInt(50) : r.nextInt(30);
                right[y * w + x] = in ? 1 : 0.1f * r.nextFloat();
            }
        }
        InputImage im = new InputImage(w, w, 1, d, PixelKind.UINT8);
        Road.Scorer square = images -> images.stream().mapToDouble(i -> {
            double s = 0;
            for (int y = 12; y < 18; y++) {
                for (int x = 4; x < 10; x++) {
                    s += i.get(x, y, 0) / 255.0;
                }
            }
            return s / 36;
        }).toArray();
        double base = square.scores(List.of(im))[0];
        float[] inverse = new float[right.length];
        for (int i = 0; i < right.length; i++) {
            inverse[i] = 1 - right[i];
        }
        Road.Result good = Road.road(im, right, base, square, new Random(4));
        Road.Result bad = Road.road(im, inverse, base, square, new Random(4));
        assertTrue(good.combined() > 0.1, "combined " + good.combined());
        assertTrue(bad.combined() < -0.1, "inverse " + bad.combined());
        // removing the top 10 % (p = 90) of the right map already darkens the square
        assertTrue(good.mostRelevantFirst()[8] < -0.1, java.util.Arrays.toString(good.mostRelevantFirst()));
        // the image times the right map keeps the square; times the inverse darkens it
        double kept = square.scores(List.of(Road.multiplied(im, right)))[0] - base;
        double lost = square.scores(List.of(Road.multiplied(im, inverse)))[0] - base;
        assertEquals(0, kept, 1e-6);
        assertTrue(lost < -0.5 * base, "lost " + lost);
    }
}
