package sc.fiji.gradcam.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import sc.fiji.gradcam.api.TensorName;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Central finite differences of one class score of a loaded model with respect to the image input or to a
 * layer tensor fed directly (TensorFlow lets a run feed any tensor; everything upstream is then pruned).
 * All perturbed copies go through the graph in one batch. Points where the forward and the backward
 * difference disagree (a ReLU kink or a max-pool tie crossed by the step) are skipped.
 */
public final class FiniteDifferences {

    /** What a check found. */
    public record Check(String what, double maxRelError, int checked, int skipped, double scale) {
        @Override
        public String toString() {
            return String.format("%s: max rel error %.3g over %d (%d kinks skipped)", what, maxRelError, checked,
                    skipped);
        }
    }

    /**
     * Where the tensor is and what the model computes from it: column {@code c} of {@code scores} [batch, classes]
     * (the logits, or a {@link sc.fiji.gradcam.graph.ClassScore#scores() ClassScore's} per-class scores).
     */
    public record Probe(LoadedModel model, TensorName feed, double[] x, long[] shape, TensorName scores, int c) {}

    /** Forward and backward differences further apart than this (relative) mean the step crossed a kink. */
    static final double KINK = 0.05;

    /**
     * Whether a one-sided difference may stand in for the central one (for single-precision real models, whose
     * ReLU/ReLU6 nets are piecewise linear: a kink too small to detect spoils only one side).
     */
    private static boolean ONE_SIDED_TOO = false;

    public static void allowOneSided(boolean b) {
        ONE_SIDED_TOO = b;
    }

    private FiniteDifferences() {}

    /** Entries to check: the {@code top} largest |g| and {@code random} others (seeded), where {@code values != 0}. */
    public static int[] choose(double[] grad, double[] values, int top, int random, long seed) {
        Set<Integer> chosen = new LinkedHashSet<>();
        List<Integer> allowed = IntStream.range(0, grad.length).filter(i -> values == null || values[i] != 0).boxed()
                .toList();
        allowed.stream().sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(grad[i]))).limit(top)
                .forEach(chosen::add);
        Random r = new Random(seed);
        for (int tries = 0; chosen.size() < Math.min(allowed.size(), top + random) && tries < 100 * random; tries++) {
            chosen.add(allowed.get(r.nextInt(allowed.size())));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Per-entry check: for each chosen index, (f(x + h e_i) - f(x - h e_i)) / 2h against g_i; the error is
     * |fd - g| / max(|g|, |fd|, floorFraction · max|g|).
     */
    public static Check entries(Probe p, double[] grad, int[] indices, double h, double floorFraction) {
        int n = indices.length;
        double[] y = run(p, n, (k, v) -> v[indices[k]] += h, (k, v) -> v[indices[k]] -= h);
        double floor = floorFraction * Tf.maxAbs(grad) + 1e-300;
        double[] g = new double[n];
        for (int k = 0; k < n; k++) {
            g[k] = grad[indices[k]];
        }
        return compare("entries", p, y, g, h, floor, true);
    }

    /**
     * Directional check along {@code count} random ±1 directions v (over all entries where {@code values != 0}, or all):
     * the error is |fd - g·v| / ||g||₂ (the expected size of g·v), so rounding in single precision does not dominate.
     */
    public static Check directions(Probe p, double[] grad, double[] values, int count, double h, long seed) {
        Random r = new Random(seed);
        int len = p.x().length;
        double[][] dirs = new double[count][len];
        double[] g = new double[count];
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < len; i++) {
                if (values == null || values[i] != 0) {
                    dirs[k][i] = r.nextBoolean() ? 1 : -1;
                    g[k] += grad[i] * dirs[k][i];
                }
            }
        }
        double[] y = run(p, count, (k, v) -> axpy(h, dirs[k], v), (k, v) -> axpy(-h, dirs[k], v));
        double norm = 0;
        for (int i = 0; i < len; i++) {
            if (values == null || values[i] != 0) {
                norm += grad[i] * grad[i];
            }
        }
        return compare("directions", p, y, g, h, Math.sqrt(norm), false);
    }

    private static void axpy(double a, double[] d, double[] v) {
        for (int i = 0; i < d.length; i++) {
            v[i] += a * d[i];
        }
    }

    private interface Perturb {
        void apply(int k, double[] copy);
    }

    /** Runs x, then x+ and x- for each of n perturbations, in one batch; returns the scores [2n+1, K]. */
    private static double[] run(Probe p, int n, Perturb plus, Perturb minus) {
        int len = p.x().length;
        int batch = 2 * n + 1;
        double[] all = Tf.repeat(p.x(), batch);
        double[] tmp = new double[len];
        for (int k = 0; k < n; k++) {
            for (int s = 0; s < 2; s++) {
                System.arraycopy(p.x(), 0, tmp, 0, len);
                (s == 0 ? plus : minus).apply(k, tmp);
                System.arraycopy(tmp, 0, all, (2 * k + 1 + s) * len, len);
            }
        }
        long[] shape = p.shape().clone();
        shape[0] = batch;
        String dtype = p.model().input().dtype();
        Session.Runner runner = p.model().serving().session().runner();
        try (Tensor t = Tf.tensor(all, shape, dtype)) {
            runner.feed(p.feed().toString(), t);
            try (Result r = runner.fetch(p.scores().toString()).run()) {
                return Tf.doubles(r.get(0));
            }
        }
    }

    private static Check compare(String what, Probe p, double[] y, double[] g, double h, double floor,
            boolean relativeToEntry) {
        int n = g.length;
        int k = y.length / (2 * n + 1);
        int c = p.c();
        double f0 = y[c];
        double worst = 0;
        int skipped = 0;
        List<String> lines = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            double fp = y[(2 * j + 1) * k + c];
            double fm = y[(2 * j + 2) * k + c];
            double fd = (fp - fm) / (2 * h);
            double forward = (fp - f0) / h;
            double backward = (f0 - fm) / h;
            double scale = relativeToEntry ? Math.max(Math.max(Math.abs(g[j]), Math.abs(fd)), floor) : floor;
            if (Math.abs(forward - backward) > KINK * scale) {
                skipped++;
                continue;
            }
            double err = Math.abs(fd - g[j]);
            if (ONE_SIDED_TOO) {
                // piecewise-linear nets: a kink crossed on one side leaves the other side's difference exact
                err = Math.min(err, Math.min(Math.abs(forward - g[j]), Math.abs(backward - g[j])));
            }
            worst = Math.max(worst, err / scale);
            lines.add(String.format("  g=%.6g fd=%.6g fwd=%.6g bwd=%.6g", g[j], fd, forward, backward));
        }
        if (System.getenv("GRADCAM_FDVERBOSE") != null) {
            lines.forEach(System.out::println);
        }
        return new Check(what, worst, n - skipped, skipped, floor);
    }

    /** Shape helper: {@code [1, dims...]}. */
    public static long[] one(long... dims) {
        long[] s = new long[dims.length + 1];
        s[0] = 1;
        System.arraycopy(dims, 0, s, 1, dims.length);
        return s;
    }
}
