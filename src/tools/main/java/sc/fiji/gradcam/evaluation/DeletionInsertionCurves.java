package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.CENTRE_SIGMA;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.VARIANT_METHODS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.VARIANTS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;

/** Deletion and insertion curves of Grad-CAM, its variants and two baseline maps, accumulated over images. */
final class DeletionInsertionCurves {

    static final String[] CURVE_MAPS = {"Grad-CAM", "Random map", "Centre Gaussian"};

    final Map<String, List<double[]>> deletion = new LinkedHashMap<>();
    final Map<String, List<double[]>> insertion = new LinkedHashMap<>();

    private final int steps;

    DeletionInsertionCurves(int steps) {
        this.steps = steps;
        for (String m : CURVE_MAPS) {
            deletion.put(m, new ArrayList<>());
            insertion.put(m, new ArrayList<>());
        }
        for (String m : VARIANTS) {
            deletion.put(m, new ArrayList<>());
            insertion.put(m, new ArrayList<>());
        }
    }

    /**
     * Curves of the Grad-CAM variants of {@code e}, in forward passes of their own (after {@link #run}, so that
     * its batches, and thus its numbers, are those of an evaluation without the variants).
     */
    void runVariants(Explainer ex, InputImage im, InputImage baseline, Explanation e, int target, Random random) {
        List<InputImage> batch = new ArrayList<>();
        for (Method v : VARIANT_METHODS) {
            int[] order = Perturbation.order(e.maps().get(v).data(), random);
            batch.addAll(Perturbation.sequence(im, baseline, order, steps, true));
            batch.addAll(Perturbation.sequence(im, baseline, order, steps, false));
        }
        double[] p = forward(ex, batch, target);
        int k = 0;
        for (Method v : VARIANT_METHODS) {
            deletion.get(v.title()).add(Arrays.copyOfRange(p, k, k + steps + 1));
            k += steps + 1;
            insertion.get(v.title()).add(Arrays.copyOfRange(p, k, k + steps + 1));
            k += steps + 1;
        }
    }

    void run(Explainer ex, InputImage im, InputImage baseline, float[] cam, int target, Random random) {
        Map<String, float[]> maps = new LinkedHashMap<>();
        maps.put("Grad-CAM", cam);
        maps.put("Random map", Perturbation.randomMap(im.width(), im.height(), random));
        maps.put("Centre Gaussian", Perturbation.centreGaussian(im.width(), im.height(), CENTRE_SIGMA));
        List<InputImage> batch = new ArrayList<>();
        for (float[] m : maps.values()) {
            int[] order = Perturbation.order(m, random);
            batch.addAll(Perturbation.sequence(im, baseline, order, steps, true));
            batch.addAll(Perturbation.sequence(im, baseline, order, steps, false));
        }
        double[] p = forward(ex, batch, target);
        int k = 0;
        for (String m : maps.keySet()) {
            deletion.get(m).add(Arrays.copyOfRange(p, k, k + steps + 1));
            k += steps + 1;
            insertion.get(m).add(Arrays.copyOfRange(p, k, k + steps + 1));
            k += steps + 1;
        }
    }

    void table(StringBuilder md) {
        md.append("| map | deletion AUC (lower is better) | insertion AUC (higher is better) | "
                + "Grad-CAM better (deletion) | Grad-CAM better (insertion) |\n|---|---:|---:|---:|---:|\n");
        List<String> rows = new ArrayList<>(List.of(CURVE_MAPS));
        if (!deletion.get(VARIANTS[0]).isEmpty()) {
            rows.addAll(1, List.of(VARIANTS));
        }
        for (String m : rows) {
            Stat d = new Stat();
            Stat in = new Stat();
            Stat dw = new Stat();
            Stat iw = new Stat();
            for (int i = 0; i < deletion.get(m).size(); i++) {
                double ad = Metrics.auc(deletion.get(m).get(i));
                double ai = Metrics.auc(insertion.get(m).get(i));
                d.add(ad);
                in.add(ai);
                double gd = Metrics.auc(deletion.get("Grad-CAM").get(i));
                double gi = Metrics.auc(insertion.get("Grad-CAM").get(i));
                dw.add(gd < ad ? 1 : gd > ad ? 0 : 0.5);
                iw.add(gi > ai ? 1 : gi < ai ? 0 : 0.5);
            }
            boolean self = m.equals("Grad-CAM");
            md.append("| ").append(m).append(" | ").append(d.format(3)).append(" | ").append(in.format(3))
                    .append(" | ").append(self ? "–" : fmt(dw.mean(), 2)).append(" | ")
                    .append(self ? "–" : fmt(iw.mean(), 2)).append(" |\n");
        }
        md.append("\n*Grad-CAM better*: share of curves where Grad-CAM's AUC beats that map's on the same image "
                + "and target.\n");
    }

    void plot(Path file, String what) throws IOException {
        List<Plots.Panel> panels = new ArrayList<>();
        for (boolean del : new boolean[] {true, false}) {
            List<Plots.Series> series = new ArrayList<>();
            int c = 0;
            for (String m : CURVE_MAPS) {
                List<double[]> cs = (del ? deletion : insertion).get(m);
                double[] x = new double[steps + 1];
                double[] y = new double[steps + 1];
                double[] lo = new double[steps + 1];
                double[] hi = new double[steps + 1];
                for (int s = 0; s <= steps; s++) {
                    Stat st = new Stat();
                    for (double[] cv : cs) {
                        st.add(cv[s]);
                    }
                    x[s] = (double) s / steps;
                    y[s] = st.mean();
                    lo[s] = y[s] - st.ci95();
                    hi[s] = y[s] + st.ci95();
                }
                double auc = 0;
                for (double[] cv : cs) {
                    auc += Metrics.auc(cv) / cs.size();
                }
                series.add(new Plots.Series(String.format(Locale.ROOT, "%s (AUC %.3f)", m, auc),
                        Plots.PALETTE[c++], x, y, lo, hi, !m.equals("Grad-CAM")));
            }
            panels.add(new Plots.Panel((del ? "Deletion" : "Insertion") + ", " + what,
                    del ? "fraction of pixels removed (most salient first)" : "fraction of pixels inserted (most salient first)",
                    "mean probability of target class", 0, 1, 0, 1, null, series));
        }
        ImageIO.write(Plots.row(panels, 560, 470), "png", file.toFile());
    }

    /** Target-class probabilities of images (forward passes only, batched by the explainer). */
    static double[] forward(Explainer ex, List<InputImage> images, int target) {
        List<List<Explanation>> r = ex.explain(images, ExplainRequest.defaults()
                .withMethods(EnumSet.noneOf(Method.class)).withTargets(List.of(String.valueOf(target))));
        double[] p = new double[images.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.get(i).get(0).target().probability();
        }
        return p;
    }
}
