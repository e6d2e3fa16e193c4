package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    private static ConfusionMatrix matrix(int tp, int fn, int fp, int tn) {
        ConfusionMatrix m = new ConfusionMatrix(List.of("P", "U"));
        for (int i = 0; i < tp; i++) {
            m.add(0, 0);
        }
        for (int i = 0; i < fn; i++) {
            m.add(0, 1);
        }
        for (int i = 0; i < fp; i++) {
            m.add(1, 0);
        }
        for (int i = 0; i < tn; i++) {
            m.add(1, 1);
        }
        return m;
    }

    @Test
    void balancedAccuracyIsTheMeanRecallNotTheAccuracy() {
        // the shipped model's held-out matrix: 1685 / 132 and 26 / 845
        ConfusionMatrix m = matrix(1685, 132, 26, 845);
        assertEquals(1685.0 / 1817, m.recall(0), 1e-12);
        assertEquals(845.0 / 871, m.recall(1), 1e-12);
        assertEquals((1685.0 / 1817 + 845.0 / 871) / 2, m.balancedAccuracy(), 1e-12);
        assertEquals(2530.0 / 2688, m.accuracy(), 1e-12);
        // a classifier that always says the majority class: high accuracy, balanced accuracy 0.5
        ConfusionMatrix majority = matrix(90, 0, 10, 0);
        assertEquals(0.9, majority.accuracy(), 1e-12);
        assertEquals(0.5, majority.balancedAccuracy(), 1e-12);
    }

    @Test
    void classesWithoutExamplesAreLeftOutOfTheBalancedAccuracy() {
        ConfusionMatrix onlyU = matrix(0, 0, 1, 3);
        assertTrue(Double.isNaN(onlyU.recall(0)));
        assertEquals(0.75, onlyU.balancedAccuracy(), 1e-12);
        assertTrue(Double.isNaN(new ConfusionMatrix(List.of("P", "U")).balancedAccuracy()));
    }

    @Test
    void addAllPoolsCountsAndRefusesOtherClasses() {
        ConfusionMatrix a = matrix(1, 2, 3, 4);
        a.addAll(matrix(10, 20, 30, 40));
        assertEquals(11, a.count(0, 0));
        assertEquals(22, a.count(0, 1));
        assertEquals(33, a.count(1, 0));
        assertEquals(44, a.count(1, 1));
        assertThrows(IllegalArgumentException.class, () -> a.addAll(new ConfusionMatrix(List.of("U", "P"))));
    }
}
