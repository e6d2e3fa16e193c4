package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * Section 5 of {@code docs/evaluation.md} ({@code scripts/evaluate-road}, issue I): ROAD (combined, MoRF, LeRF) and
 * the confidence change of the image times the map ({@link Road}) for the CAM family, the input attributions and two
 * baseline maps, on held-out malaria cells of the default model, each explained for its predicted class. Replaces
 * the section in {@code OUT/evaluation.md}.
 */
@Command(name = "evaluate-road", mixinStandardHelpOptions = true,
        description = "ROAD and CamMultImageConfidenceChange of the maps on held-out malaria cells (section 5).")
public final class RoadEvaluation implements Callable<Integer> {

    static final String HEADING = "## 5. ROAD and confidence change (issue I)";

    @Option(names = "--model", description = "classifier (default: HOME/models/malaria-cells)")
    Path model;

    @Option(names = "--datasets", description = "folder holding the cells the model's validation-all.txt lists "
            + "(default: $GRADCAM_SHARED/datasets, else HOME/../shared/datasets)")
    Path datasets;

    @Option(names = "--cells", defaultValue = "60", description = "held-out cells, half of each class, spread over "
            + "the model's validation list")
    int cells;

    @Option(names = "--seed", defaultValue = "2024", description = "seed of the imputation noise and the random map")
    long seed;

    @Option(names = "--out", description = "output folder (default: HOME/docs)")
    Path out;

    @Option(names = "--skip-rise", description = "leave out RISE (1,000 forward passes per cell)")
    boolean skipRise;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RoadEvaluation()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Path home = Paths.get(System.getProperty("gradcam.home", ".")).toAbsolutePath().normalize();
        model = model != null ? model : home.resolve("models/malaria-cells");
        datasets = datasets != null ? datasets : DenseEvaluation.sharedDir(home, null).resolve("datasets");
        out = out != null ? out : home.resolve("docs");
        Files.createDirectories(out);
        String md = section(model, datasets, cells, seed, !skipRise);
        Path file = out.resolve("evaluation.md");
        String old = Files.isRegularFile(file) ? Files.readString(file) : "# Evaluation of the explanation maps\n\n";
        Files.writeString(file, DenseEvaluation.splice(old, HEADING, md), StandardCharsets.UTF_8);
        log("wrote section 5 into " + file + " (" + fmt((System.nanoTime() - t0) / 6e10, 1) + " min)");
        return 0;
    }

    /** The cells: {@code n / 2} of each class, evenly spaced over the model's validation list. */
    static List<String> cells(Path modelDir, int n) throws IOException {
        List<String> all = Files.readAllLines(modelDir.resolve("validation-all.txt"), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank()).toList();
        List<String> picked = new ArrayList<>();
        for (String cls : List.of("/Parasitized/", "/Uninfected/")) {
            List<String> of = all.stream().filter(s -> s.contains(cls)).toList();
            int k = Math.min(of.size(), n / 2);
            for (int i = 0; i < k; i++) {
                picked.add(of.get((int) ((long) i * of.size() / k)));
            }
        }
        return picked;
    }

    static String section(Path modelDir, Path datasets, int n, long seed, boolean withRise) throws IOException {
        Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.GRADCAM_PLUSPLUS, Method.XGRADCAM, Method.LAYERCAM,
                Method.HIRESCAM, Method.EIGENCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM,
                Method.INTEGRATED_GRADIENTS);
        if (withRise) {
            methods.add(Method.RISE);
        }
        Map<String, List<double[]>> scores = new LinkedHashMap<>(); // per map: {combined, morf, lerf, mult}
        Random random = new Random(seed);
        List<String> list = cells(modelDir, n);
        long t0 = System.nanoTime();
        try (Explainer ex = new Explainer(ModelLoader.load(modelDir))) {
            long[] shape = ex.model().input().shape();
            int[] size = {(int) shape[2], (int) shape[1]};
            int done = 0;
            for (String rel : list) {
                // at the model's input size (the model's own resize becomes the identity), as pytorch-grad-cam
                // perturbs the model's input tensor
                ij.ImagePlus imp = ImageFiles.open(datasets.resolve(rel));
                imp.getProcessor().setInterpolationMethod(ij.process.ImageProcessor.BILINEAR);
                imp.setProcessor(imp.getProcessor().resize(size[0], size[1]));
                InputImage im = ImagePlusImages.toInput(imp, 1);
                Explanation e = ex.explain(im, ExplainRequest.defaults().withMethods(methods)).get(0);
                int target = e.predicted().index();
                double base = e.predicted().probability();
                Road.Scorer scorer = images -> DeletionInsertionCurves.forward(ex, images, target);
                Map<String, float[]> maps = new LinkedHashMap<>();
                for (Method m : Method.values()) {
                    if (methods.contains(m)) {
                        maps.put(m.title(), EvaluationSupport.normalise(EvaluationSupport.collapse(e.maps().get(m))));
                    }
                }
                maps.put("Random map", Perturbation.randomMap(im.width(), im.height(), random));
                maps.put("Centre Gaussian", Perturbation.centreGaussian(im.width(), im.height(),
                        EvaluationSupport.CENTRE_SIGMA));
                List<InputImage> multiplied = new ArrayList<>();
                maps.values().forEach(m -> multiplied.add(Road.multiplied(im, m)));
                double[] mult = scorer.scores(multiplied);
                int k = 0;
                for (Map.Entry<String, float[]> m : maps.entrySet()) {
                    Road.Result r = Road.road(im, m.getValue(), base, scorer, random);
                    scores.computeIfAbsent(m.getKey(), x -> new ArrayList<>()).add(new double[] {r.combined(),
                        mean(r.mostRelevantFirst()), mean(r.leastRelevantFirst()), mult[k++] - base});
                }
                if (++done % 10 == 0) {
                    log("ROAD: " + done + "/" + list.size() + " cells");
                }
            }
        }
        double minutes = (System.nanoTime() - t0) / 6e10;
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n");
        md.append("Generated by `scripts/evaluate-road` (`evaluation/RoadEvaluation`, `evaluation/Road`) in ")
                .append(fmt(minutes, 1)).append(" min: ").append(list.size()).append(" held-out cells of the default "
                + "model (half of each class, spread over `models/malaria-cells/validation-all.txt`), resized to the "
                + "model's input (bilinear) and explained for its predicted class; the confidence is that class's probability. **ROAD** (Rong et al. 2022, "
                + "pytorch-grad-cam's `ROADCombined`): the pixels above the map's p-th percentile (MoRF) or below its "
                + "(100 − p)-th (LeRF) are replaced by noisy linear imputation from their neighbours, for p = 10, 20, "
                + "…, 90; *combined* = (mean LeRF change − mean MoRF change) / 2, higher is better (a map that ranks "
                + "the evidence well loses confidence fast when its top pixels go, slowly when its bottom ones go). "
                + "**Image × map** is pytorch-grad-cam's `CamMultImageConfidenceChange` (maps normalised to [0, 1]; "
                + "multi-channel maps as the sum of |values| over channels). Mean ± standard error over the cells.\n\n");
        md.append("| map | ROAD combined | mean MoRF change | mean LeRF change | image × map change |\n");
        md.append("|---|---|---|---|---|\n");
        for (Map.Entry<String, List<double[]>> e : scores.entrySet()) {
            md.append("| ").append(e.getKey());
            for (int j = 0; j < 4; j++) {
                double[] v = new double[e.getValue().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = e.getValue().get(i)[j];
                }
                md.append(" | ").append(fmt(mean(v), 3)).append(" ± ").append(fmt(se(v), 3));
            }
            md.append(" |\n");
        }
        md.append("\n");
        return md.toString();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double se(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length > 1 ? Math.sqrt(s / (v.length - 1) / v.length) : 0;
    }
}
