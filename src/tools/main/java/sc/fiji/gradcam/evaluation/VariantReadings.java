package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.CONTROL;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.VARIANTS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generated prose on the Grad-CAM variants (every {@link sc.fiji.gradcam.api.Method#isCamVariant() CAM
 * variant}) for each section: how their
 * numbers compare with Grad-CAM's.
 */
final class VariantReadings {

    private VariantReadings() {
    }

    /** Generated reading of the Grad-CAM variants' class discrimination on the synthetic scenes. */
    static String onShapes(List<String> classes, Map<String, Map<String, Stat[]>> perClass) {
        List<String> parts = new ArrayList<>();
        for (String cls : classes) {
            Map<String, Stat[]> st = perClass.get(cls);
            parts.add(cls + " " + slashed(st, 4, 2) + " (Grad-CAM " + fmt(st.get("Grad-CAM")[4].mean(), 2) + "; "
                    + versus(st, 4, "") + ")");
        }
        return "**Grad-CAM variants.** Mass ratio of " + String.join(" / ", VARIANTS) + ": " + String.join(", ", parts)
                + "; a lower ratio means more of the map's mass on the object of the other class.\n\n";
    }

    /** Generated reading of the Grad-CAM variants' rows of the parasite tables. */
    static String onParasites(Map<String, Stat[]> point, Map<String, Stat[]> energy) {
        StringBuilder t = new StringBuilder("**Grad-CAM variants.** ").append(String.join(", ", VARIANTS))
                .append(" weight the same layer's activations differently from Grad-CAM (by their gradients; EigenCAM uses the "
                + "activations only and is the same for every class; Score-CAM by the class score of the input masked "
                + "with each channel, Ablation-CAM by the score lost when the channel is zeroed; same resolution): "
                + "they point at the parasite (½ cell, all cells) in ")
                .append(slashed(point, 2, 2)).append(" of the cells against ").append(fmt(point.get("Grad-CAM")[2].mean(), 2))
                .append(" for Grad-CAM, and put ").append(slashed(energy, 1, 3))
                .append(" of their mass in the dilated mask against ").append(fmt(energy.get("Grad-CAM")[1].mean(), 3))
                .append(" (").append(versus(point, 2, "pointing")).append("; ").append(versus(energy, 1, "mass"))
                .append("). For the control class `Uninfected` they point at the parasite (3 px) in ");
        Map<String, Stat[]> control = new LinkedHashMap<>();
        for (String v : VARIANTS) {
            control.put(v, point.get(CONTROL + v));
        }
        t.append(slashed(control, 0, 2)).append(" of the cells (Grad-CAM ")
                .append(fmt(point.get(CONTROL + "Grad-CAM")[0].mean(), 2)).append(").");
        List<String> same = new ArrayList<>();
        for (String v : VARIANTS) {
            boolean equal = true;
            for (Map<String, Stat[]> table : List.of(point, energy)) {
                for (int c = 0; c < 4; c++) {
                    equal &= table.get(v)[c].format(3).equals(table.get("Grad-CAM")[c].format(3))
                            && table.get(CONTROL + v)[c].format(3).equals(table.get(CONTROL + "Grad-CAM")[c].format(3));
                }
            }
            if (equal) {
                same.add(v);
            }
        }
        if (!same.isEmpty()) {
            t.append(" ").append(String.join(" and ", same)).append(same.size() == 1 ? " gives" : " give")
                    .append(" Grad-CAM's numbers: as expected when the gradient is the same at every position of the "
                    + "layer (a global-average-pooling head), which makes XGrad-CAM's channel weights Grad-CAM's and "
                    + "HiResCAM's per-position products Grad-CAM's weighted sum.");
        }
        return t.append("\n\n").toString();
    }

    /** The variants' means of column {@code col}, {@code a / b / c}. */
    private static String slashed(Map<String, Stat[]> stats, int col, int decimals) {
        List<String> v = new ArrayList<>();
        for (String m : VARIANTS) {
            v.add(fmt(stats.get(m)[col].mean(), decimals));
        }
        return String.join(" / ", v);
    }

    /** Which variants lie above or below Grad-CAM with non-overlapping 95 % intervals, in column {@code col}. */
    static String versus(Map<String, Stat[]> stats, int col, String quantity) {
        Stat base = stats.get("Grad-CAM")[col];
        List<String> higher = new ArrayList<>();
        List<String> lower = new ArrayList<>();
        for (String m : VARIANTS) {
            Stat v = stats.get(m)[col];
            if (v.mean() - v.ci95() > base.mean() + base.ci95()) {
                higher.add(m);
            } else if (v.mean() + v.ci95() < base.mean() - base.ci95()) {
                lower.add(m);
            }
        }
        if (higher.isEmpty() && lower.isEmpty()) {
            return (quantity.isEmpty() ? "" : quantity + ": ") + "every variant's 95 % interval overlaps Grad-CAM's";
        }
        List<String> parts = new ArrayList<>();
        if (!higher.isEmpty()) {
            parts.add(String.join(" and ", higher) + " above");
        }
        if (!lower.isEmpty()) {
            parts.add(String.join(" and ", lower) + " below");
        }
        return (quantity.isEmpty() ? "" : quantity + ": ") + String.join(", ", parts)
                + " Grad-CAM with non-overlapping 95 % intervals";
    }

    /** Generated reading of the Grad-CAM variants' columns of the randomisation tables. */
    static String underRandomisation(List<RandomisationSection.Result> randomisations) {
        StringBuilder t = new StringBuilder("**Grad-CAM variants.** Mean ρ after re-initialising the top layer / every layer: ");
        List<String> perModel = new ArrayList<>();
        for (RandomisationSection.Result r : randomisations) {
            int last = r.stages().size() - 1;
            List<String> parts = new ArrayList<>();
            for (String m : EvaluationSupport.withVariants()) {
                List<Stat> st = r.spearman().get(m);
                parts.add(m + " " + fmt(st.get(Math.min(1, last)).mean(), 2) + " / " + fmt(st.get(last).mean(), 2));
            }
            perModel.add(r.model() + ": " + String.join(", ", parts));
        }
        t.append(String.join("; ", perModel)).append(".");
        List<String> same = new ArrayList<>();
        List<String> less = new ArrayList<>();
        List<String> overGuided = new ArrayList<>();
        for (String v : VARIANTS) {
            boolean allSame = true;
            boolean allAbove = true;
            for (RandomisationSection.Result r : randomisations) {
                int last = r.stages().size() - 1;
                for (int s = 1; s <= last; s++) {
                    Stat a = r.spearman().get(v).get(s);
                    Stat g = r.spearman().get("Grad-CAM").get(s);
                    allSame &= a.format(2).equals(g.format(2));
                    allAbove &= a.mean() - a.ci95() > g.mean() + g.ci95();
                }
                double va = r.spearman().get(v).get(last).mean();
                double gb = r.spearman().get("Guided Backprop").get(last).mean();
                if (va > gb) {
                    overGuided.add(v + " in " + r.model() + " (" + fmt(va, 2) + " against " + fmt(gb, 2) + ")");
                }
            }
            if (allSame) {
                same.add(v);
            } else if (allAbove) {
                less.add(v);
            }
        }
        if (!same.isEmpty()) {
            t.append(" ").append(String.join(" and ", same)).append(same.size() == 1 ? " equals" : " equal")
                    .append(" Grad-CAM at every stage.");
        }
        if (!less.isEmpty()) {
            t.append(" ").append(String.join(" and ", less)).append(less.size() == 1 ? " stays" : " stay")
                    .append(" more correlated than Grad-CAM at every randomised stage of every model (non-overlapping "
                    + "95 % intervals): ").append(less.size() == 1 ? "it decorrelates" : "they decorrelate")
                    .append(" less, i.e. ").append(less.size() == 1 ? "its" : "their")
                    .append(" maps depend less on the weights and more on the image.");
        }
        t.append(overGuided.isEmpty() ? " After the full cascade every variant keeps less rank correlation than Guided "
                + "Backprop." : " After the full cascade more rank correlation than Guided Backprop is kept by "
                + String.join(", ", overGuided) + ".");
        return t.append("\n\n").toString();
    }
}
