package sc.fiji.gradcam.explain;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Class probabilities of one image from what the model computes: with k &gt; 1 output units, the output itself
 * after a softmax or sigmoid, else the softmax of the logits; with one unit (a binary classifier with logit z),
 * {@code [sigmoid(-z), sigmoid(z)]} for the classes negative (0) and positive (1).
 */
final class ClassProbabilities {

    private ClassProbabilities() {}

    /**
     * Probabilities of image {@code i}.
     *
     * @param values the output [batch, units], or for one unit the logit z [batch, 1]
     * @param activation what the output applies to the logits ({@code Softmax}, {@code Sigmoid} or empty)
     */
    static double[] of(float[] values, int i, int units, String activation) {
        if (units == 1) {
            double z = values[i];
            return new double[] {sigmoid(-z), sigmoid(z)};
        }
        double[] p = new double[units];
        if (!activation.isEmpty()) {
            for (int c = 0; c < units; c++) {
                p[c] = values[i * units + c];
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < units; c++) {
            max = Math.max(max, values[i * units + c]);
        }
        double sum = 0;
        for (int c = 0; c < units; c++) {
            p[c] = Math.exp(values[i * units + c] - max);
            sum += p[c];
        }
        for (int c = 0; c < units; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /**
     * Classes from most to least probable. For one unit the order is that of the per-class logits [-z, z], as the
     * score graph's top-1 choice (class 1 exactly when z &gt; 0, even where both probabilities round to 0.5).
     */
    static int[] ranking(float[] values, int i, int units, double[] p) {
        if (units == 1) {
            return values[i] > 0 ? new int[] {1, 0} : new int[] {0, 1};
        }
        return IntStream.range(0, p.length).boxed().sorted(Comparator.comparingDouble((Integer c) -> -p[c]))
                .mapToInt(Integer::intValue).toArray();
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
