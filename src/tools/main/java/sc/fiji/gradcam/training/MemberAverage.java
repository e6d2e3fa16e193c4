package sc.fiji.gradcam.training;

import java.util.List;

/**
 * Scores an average of models from their separate outputs: the softmax of the mean of the members'
 * log-probabilities, which equals the softmax of the mean of their logits (each member's log-softmax differs
 * from its logits by a per-example constant). This is what a {@link CnnEnsemble} computes in one graph.
 */
final class MemberAverage {

    private MemberAverage() {}

    /** Class probabilities of {@code predictor} for every item, in item order. */
    static float[][] probabilities(ClassifierTraining.Predictor predictor, ClassifierNet net, List<LabeledImage> items) {
        int per = net.size() * net.size() * net.channels();
        float[][] out = new float[items.size()][];
        for (int start = 0; start < items.size(); start += 64) {
            int n = Math.min(64, items.size() - start);
            float[] batch = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(items.get(start + i).pixels(), 0, batch, i * per, per);
            }
            float[][] p = predictor.predict(batch, n);
            System.arraycopy(p, 0, out, start, n);
        }
        return out;
    }

    /**
     * Softmax of the mean log-probability over {@code members} (each [items][classes]), per item; a single
     * member's probabilities as they are.
     */
    static float[] averaged(List<float[][]> members, int item) {
        if (members.size() == 1) {
            return members.get(0)[item];
        }
        int classes = members.get(0)[item].length;
        double[] mean = new double[classes];
        for (float[][] m : members) {
            for (int c = 0; c < classes; c++) {
                mean[c] += Math.log(Math.max(m[item][c], Float.MIN_NORMAL)) / members.size();
            }
        }
        double max = java.util.Arrays.stream(mean).max().orElseThrow();
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            mean[c] = Math.exp(mean[c] - max);
            sum += mean[c];
        }
        float[] p = new float[classes];
        for (int c = 0; c < classes; c++) {
            p[c] = (float) (mean[c] / sum);
        }
        return p;
    }

    /** Confusion matrix (with log-loss) of the averaged members on {@code items}. */
    static ConfusionMatrix confusion(List<String> classes, List<LabeledImage> items, List<float[][]> members) {
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        for (int i = 0; i < items.size(); i++) {
            float[] p = averaged(members, i);
            int truth = items.get(i).label();
            cm.add(truth, ConfusionMatrix.argmax(p), p[truth]);
        }
        return cm;
    }
}
