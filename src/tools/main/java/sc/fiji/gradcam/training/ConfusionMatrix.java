package sc.fiji.gradcam.training;

import java.util.List;

/** Counts of (true class, predicted class) pairs. */
public final class ConfusionMatrix {

    private final List<String> classes;
    private final int[][] counts;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new int[classes.size()][classes.size()];
    }

    private double lossSum;
    private int lossCount;

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    /** Adds an example with its predicted class and the probability given to its true class. */
    public void add(int truth, int predicted, double trueClassProbability) {
        add(truth, predicted);
        lossSum -= Math.log(Math.max(trueClassProbability, 1e-7));
        lossCount++;
    }

    /** Mean negative log-probability of the true class (NaN if no probabilities were added). */
    public double logLoss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    public int count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public int total() {
        int n = 0;
        for (int[] row : counts) {
            for (int c : row) {
                n += c;
            }
        }
        return n;
    }

    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        return total() == 0 ? Double.NaN : (double) correct / total();
    }

    /** Share of the examples of class {@code c} predicted as {@code c} (NaN if there are none). */
    public double recall(int c) {
        int n = 0;
        for (int v : counts[c]) {
            n += v;
        }
        return n == 0 ? Double.NaN : (double) counts[c][c] / n;
    }

    /** Mean of the per-class recalls over the classes that have examples (NaN if none has). */
    public double balancedAccuracy() {
        double sum = 0;
        int k = 0;
        for (int c = 0; c < counts.length; c++) {
            double r = recall(c);
            if (!Double.isNaN(r)) {
                sum += r;
                k++;
            }
        }
        return k == 0 ? Double.NaN : sum / k;
    }

    /** Adds all counts (and log-loss terms) of {@code other}, which must have the same classes. */
    public void addAll(ConfusionMatrix other) {
        if (!other.classes.equals(classes)) {
            throw new IllegalArgumentException("classes differ: " + other.classes + " vs " + classes);
        }
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                counts[i][j] += other.counts[i][j];
            }
        }
        lossSum += other.lossSum;
        lossCount += other.lossCount;
    }

    /** Index of the largest value. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A Markdown table, rows = true class, columns = predicted class. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| true \\ predicted |");
        classes.forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append("\n|---|");
        classes.forEach(c -> sb.append("---:|"));
        sb.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            sb.append("| ").append(classes.get(i)).append(" |");
            for (int j = 0; j < classes.size(); j++) {
                sb.append(' ').append(counts[i][j]).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
