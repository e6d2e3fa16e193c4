package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.METHODS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.MAPS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.ALL_MAPS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.maps;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.normalise;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.gray;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.WeightRandomiser;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Section 3 of the evaluation: the cascading model-randomisation sanity check (Adebayo et al. 2018). {@link #run}
 * is called per model while it is loaded; {@link #writeSection} then writes the tables and the plot of all models.
 */
final class RandomisationSection {

    /** Spearman correlations with the trained maps per map and stage, and the empty Grad-CAM maps per stage. */
    record Result(String model, List<String> stages, Map<String, List<Stat>> spearman, List<Integer> empty,
            int n, String example) {}

    private final EvaluationSettings settings;
    private final StringBuilder md;
    private final List<Result> randomisations = new ArrayList<>();

    RandomisationSection(EvaluationSettings settings, StringBuilder md) {
        this.settings = settings;
        this.md = md;
    }

    /**
     * Re-initialises the layers of {@code model} one after another from the top, records the Spearman correlations
     * of each stage's maps with the trained ones, and writes the example montage of the first image.
     */
    void run(String name, LoadedModel model, Explainer ex, List<InputImage> images, int[] targets,
            List<String> names) throws IOException {
        log(name + ": model randomisation");
        WeightRandomiser rnd = new WeightRandomiser(model);
        List<String> layers = new ArrayList<>(rnd.layers());
        Collections.reverse(layers);
        List<Map<String, float[]>> trained = mapsFor(ex, images, targets);
        List<String> stages = new ArrayList<>();
        stages.add("none");
        Map<String, List<Stat>> rho = new LinkedHashMap<>();
        for (String m : ALL_MAPS) {
            rho.put(m, new ArrayList<>());
        }
        List<Integer> empty = new ArrayList<>();
        List<List<Map<String, float[]>>> examples = new ArrayList<>();
        Random random = new Random(settings.seed() + name.hashCode());
        try {
            for (int s = 0; s <= layers.size(); s++) {
                if (s > 0) {
                    rnd.randomise(layers.get(s - 1), random);
                    stages.add("+" + layers.get(s - 1));
                }
                List<Map<String, float[]>> now = mapsFor(ex, images, targets);
                int e = 0;
                for (String m : ALL_MAPS) {
                    Stat st = new Stat();
                    for (int i = 0; i < images.size(); i++) {
                        double r = Metrics.spearman(trained.get(i).get(m), now.get(i).get(m));
                        if (Double.isNaN(r)) {
                            r = 0; // a constant (empty) map shares no ranking with the trained one
                            if (m.equals("Grad-CAM")) {
                                e++;
                            }
                        }
                        st.add(r);
                    }
                    rho.get(m).add(st);
                }
                empty.add(e);
                List<Map<String, float[]>> ex0 = new ArrayList<>();
                for (int i = 0; i < Math.min(2, images.size()); i++) {
                    ex0.add(now.get(i));
                }
                examples.add(ex0);
            }
        } finally {
            rnd.restore();
        }
        randomisations.add(new Result(name, stages, rho, empty, images.size(), names.get(0)));

        // example maps: first image, every stage
        List<Montages.Tile> tiles = new ArrayList<>();
        for (String m : MAPS) {
            for (int s = 0; s < stages.size(); s++) {
                float[] map = normalise(examples.get(s).get(0).get(m));
                String shortName = m.equals("Grad-CAM") ? m : m.equals("Guided Grad-CAM") ? "Guided GC" : "Guided BP";
                tiles.add(new Montages.Tile(gray(images.get(0)), map, null, null, null,
                        shortName + ", " + (s == 0 ? "trained" : stages.get(s))));
            }
        }
        ImageIO.write(Montages.montage(tiles, stages.size(), 130, "Randomisation, " + name + ": one image, layers re-initialised from the top"), "png",
                settings.out().resolve("evaluation-randomisation-" + name + ".png").toFile());
    }

    /** Appends section 3: the tables of every model run, the plot, the generated reading and the examples. */
    void writeSection() throws IOException {
        md.append("## 3. Model-randomisation sanity check\n\n");
        md.append("Cascading randomisation (Adebayo et al. 2018): starting from the output, each layer's weights are "
                + "re-initialised in the loaded model's memory (kernels He-normal, biases 0; the files are not "
                + "touched, the weights are restored afterwards), layers accumulate, and the maps for the same "
                + "target class (the trained model's prediction) are recomputed. The table gives the mean Spearman "
                + "rank correlation between the trained model's map and the randomised model's map (pixels at image "
                + "size; guided maps as summed |value| over RGB). An empty Grad-CAM map (no positive evidence) has no "
                + "ranking and counts as 0. A method that explains the model should decorrelate (→ 0); a method "
                + "that stays correlated shows the image, not the model.\n\n");
        List<Plots.Panel> panels = new ArrayList<>();
        for (Result r : randomisations) {
            md.append("**").append(r.model()).append("** (").append(r.n()).append(" images):\n\n");
            md.append("| randomised up to | ").append(String.join(" | ", ALL_MAPS)).append(" | empty Grad-CAM maps |\n");
            md.append("|---|").append("---:|".repeat(ALL_MAPS.length)).append("---:|\n");
            for (int s = 0; s < r.stages().size(); s++) {
                md.append("| ").append(s == 0 ? "none (rerun of trained)" : r.stages().get(s)).append(" | ");
                for (String m : ALL_MAPS) {
                    md.append(r.spearman().get(m).get(s).format(2)).append(" | ");
                }
                md.append(r.empty().get(s)).append(" |\n");
            }
            md.append("\n");
            List<Plots.Series> series = new ArrayList<>();
            int c = 0;
            for (String m : MAPS) {
                int k = r.stages().size();
                double[] x = new double[k];
                double[] y = new double[k];
                double[] lo = new double[k];
                double[] hi = new double[k];
                for (int s = 0; s < k; s++) {
                    Stat st = r.spearman().get(m).get(s);
                    x[s] = s;
                    y[s] = st.mean();
                    lo[s] = y[s] - st.sd();
                    hi[s] = y[s] + st.sd();
                }
                series.add(new Plots.Series(m, Plots.PALETTE[c++], x, y, lo, hi, false));
            }
            double yMin = -0.2;
            for (Plots.Series sr : series) {
                for (double v : sr.lo()) {
                    yMin = Math.min(yMin, Math.floor(v * 5) / 5);
                }
            }
            List<String> ticks = new ArrayList<>(r.stages());
            ticks.set(0, "trained");
            panels.add(new Plots.Panel("Cascading randomisation, " + r.model(), "layers re-initialised (cumulative, from the top)",
                    "Spearman rank correlation with trained map", 0, ticks.size() - 1, Math.max(-1, yMin), 1.0, ticks, series));
        }
        ImageIO.write(Plots.row(panels, 560, 500), "png", settings.out().resolve("evaluation-randomisation.png").toFile());
        md.append(VariantReadings.underRandomisation(randomisations));
        md.append("Bands in the plot: ± 1 standard deviation over images (Grad-CAM and the guided maps).\n\n");
        md.append("![Spearman correlation vs randomised layers](evaluation-randomisation.png)\n\n");
        for (Result r : randomisations) {
            md.append("Example, ").append(r.model()).append(" (").append(r.example()).append("):\n\n");
            md.append("![Example maps, ").append(r.model()).append("](evaluation-randomisation-").append(r.model())
                    .append(".png)\n\n");
        }
    }

    /** Maps of every image for its own target class (images grouped by target into explainer calls). */
    private static List<Map<String, float[]>> mapsFor(Explainer ex, List<InputImage> images, int[] targets) {
        List<Map<String, float[]>> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(null);
        }
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int t : targets) {
            distinct.add(t);
        }
        for (int t : distinct) {
            List<Integer> idx = new ArrayList<>();
            List<InputImage> group = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                if (targets[i] == t) {
                    idx.add(i);
                    group.add(images.get(i));
                }
            }
            List<List<Explanation>> r = ex.explain(group, ExplainRequest.defaults().withMethods(METHODS)
                    .withTargets(List.of(String.valueOf(t))));
            for (int j = 0; j < idx.size(); j++) {
                out.set(idx.get(j), maps(r.get(j).get(0)));
            }
        }
        return out;
    }
}
