package sc.fiji.gradcam.evaluation;

import sc.fiji.gradcam.api.image.BinaryMasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/** The metric code on hand-made arrays with known answers. */
class MetricsTest {

    private static boolean[] mask(int... on) {
        boolean[] m = new boolean[9];
        for (int i : on) {
            m[i] = true;
        }
        return m;
    }

    @Test
    void pointingGameHitsMissesAndTies() {
        float[] map = {0, 0, 0, 0, 5, 0, 0, 0, 1};
        assertEquals(1.0, Metrics.pointingHit(map, mask(4)));
        assertEquals(0.0, Metrics.pointingHit(map, mask(8)));
        // two tied maxima, one inside: expected hit of a random pick among them
        float[] tie = {3, 0, 0, 0, 0, 0, 0, 0, 3};
        assertEquals(0.5, Metrics.pointingHit(tie, mask(0)));
        // a flat map is a random point: hit rate = mask area fraction
        assertEquals(2 / 9.0, Metrics.pointingHit(new float[9], mask(1, 2)), 1e-12);
    }

    @Test
    void energyIsTheMassShareInsideTheMask() {
        float[] map = {1, 1, 2, 0, 0, 0, 0, 0, -4};
        assertEquals(0.5, Metrics.energy(map, mask(2)), 1e-12); // negatives ignored: 2 / 4
        assertEquals(0.0, Metrics.energy(map, mask(8)), 1e-12);
        assertEquals(3 / 9.0, Metrics.energy(new float[9], mask(0, 1, 2)), 1e-12);
        assertEquals(2 / 3.0, Metrics.discrimination(map, mask(2), mask(0)), 1e-12);
    }

    @Test
    void aucIsTheTrapezoidOverTheUnitInterval() {
        assertEquals(1.0, Metrics.auc(new double[] {1, 1, 1}), 1e-12);
        assertEquals(0.5, Metrics.auc(new double[] {0, 0.25, 0.5, 0.75, 1}), 1e-12);
        assertEquals(0.5, Metrics.auc(new double[] {1, 0}), 1e-12);
        assertEquals(0.25, Metrics.auc(new double[] {0, 0, 1}), 1e-12);
    }

    @Test
    void spearmanOnKnownRankings() {
        assertEquals(1.0, Metrics.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, Metrics.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-12);
        // textbook example without ties: d = (0, -1, 1, 0, 0) -> 1 - 6*2 / (5*24) = 0.9
        assertEquals(0.9, Metrics.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {1, 3, 2, 4, 5}), 1e-12);
        assertArrayEquals(new double[] {1.5, 1.5, 3, 4}, Metrics.ranks(new double[] {7, 7, 8, 9}), 1e-12);
        assertTrue(Double.isNaN(Metrics.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }

    @Test
    void floatRanksMatchDoubleRanksIncludingNegativesAndTies() {
        Random r = new Random(3);
        float[] a = new float[500];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(40) - 20 + (r.nextBoolean() ? 0.5f : 0f);
        }
        a[0] = -0.0f;
        a[1] = 0.0f;
        assertArrayEquals(Metrics.ranks(Metrics.toDouble(a)), Metrics.ranks(a), 1e-12);
    }

    @Test
    void masksDilateErodeAndFill() {
        boolean[] m = new boolean[25];
        m[12] = true; // centre of 5x5
        assertEquals(5, count(BinaryMasks.dilate(m, 5, 5, 1)));
        assertEquals(9, count(BinaryMasks.dilate(m, 5, 5, 1.5)));
        boolean[] ring = BinaryMasks.dilate(m, 5, 5, 1.5);
        ring[12] = false;
        assertEquals(9, count(BinaryMasks.fillHoles(ring, 5, 5)));
        assertEquals(1, count(BinaryMasks.erode(BinaryMasks.dilate(m, 5, 5, 1.5), 5, 5, 1)));
        boolean[] two = new boolean[25];
        two[0] = true;
        two[23] = true;
        two[24] = true;
        assertEquals(2, count(BinaryMasks.removeSmall(two, 5, 5, 2)));
    }

    @Test
    void deletionSequenceRemovesTheTopPixelsFirst() {
        InputImage im = new InputImage(2, 2, 1, new float[] {1, 2, 3, 4}, PixelKind.FLOAT);
        InputImage zero = Perturbation.constant(im, 0);
        float[] map = {0.1f, 0.9f, 0.5f, 0.2f};
        int[] order = Perturbation.order(map, new Random(1));
        assertArrayEquals(new int[] {1, 2, 3, 0}, order);
        List<InputImage> del = Perturbation.sequence(im, zero, order, 4, true);
        assertEquals(5, del.size());
        assertArrayEquals(new float[] {1, 2, 3, 4}, del.get(0).data());
        assertArrayEquals(new float[] {1, 0, 3, 4}, del.get(1).data());
        assertArrayEquals(new float[] {1, 0, 0, 4}, del.get(2).data());
        assertArrayEquals(new float[] {0, 0, 0, 0}, del.get(4).data());
        List<InputImage> ins = Perturbation.sequence(im, zero, order, 2, false);
        assertArrayEquals(new float[] {0, 2, 3, 0}, ins.get(1).data());
    }

    private static int count(boolean[] m) {
        int n = 0;
        for (boolean b : m) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
