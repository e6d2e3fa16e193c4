package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.argmax;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.classIndex;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.collapse;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.gray;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.normalise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
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
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * The malaria model's errors on <em>all</em> its held-out slides (every pool, {@code validation-all.txt}), looked
 * at with its own maps: the errors split by label and by whether the chromatin threshold ({@link
 * ParasiteSegmentation}) finds a parasite, and a montage of the worst false negatives and false positives (most
 * confident wrong calls) with Grad-CAM and Guided Grad-CAM for the class {@code Parasitized}. Part of {@link
 * Evaluate} (section 2b); also runnable alone, writing {@code evaluation-worst-errors.md} and the PNG.
 */
@Command(name = "review-errors", mixinStandardHelpOptions = true,
        description = "Worst false negatives / false positives of the malaria model on its held-out slides, "
                + "with Grad-CAM and Guided Grad-CAM.")
public final class ErrorReview implements Callable<Integer> {

    /** Errors of each kind in the montage. */
    static final int WORST = 8;
    static final String FIGURE = "evaluation-worst-errors.png";

    @Option(names = "--malaria-model", description = "malaria classifier (default: HOME/models/malaria-cells)")
    Path malariaModel;

    @Option(names = "--datasets", description = "folder holding the pools named in validation-all.txt "
            + "(default: $GRADCAM_SHARED/datasets, else HOME/../shared/datasets)")
    Path datasets;

    @Option(names = "--out", description = "output folder (default: HOME/docs)")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ErrorReview()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path home = Paths.get(System.getProperty("gradcam.home", ".")).toAbsolutePath().normalize();
        malariaModel = malariaModel != null ? malariaModel : home.resolve("models/malaria-cells");
        if (datasets == null) {
            String shared = System.getenv("GRADCAM_SHARED");
            datasets = (shared != null ? Paths.get(shared) : home.resolve("../shared")).resolve("datasets").normalize();
        }
        out = out != null ? out : home.resolve("docs");
        Files.createDirectories(out);
        try (LoadedModel m = ModelLoader.load(malariaModel); Explainer x = new Explainer(m)) {
            String md = review(m, x, datasets, out);
            Files.writeString(out.resolve("evaluation-worst-errors.md"), md);
            log("wrote " + out.resolve("evaluation-worst-errors.md"));
        }
        return 0;
    }

    /** One held-out cell: its path, label, the model's probability of Parasitized and whether chromatin is found. */
    record Cell(String path, boolean infected, double pParasitized, boolean chromatin) {
        boolean wrong() {
            return (pParasitized >= 0.5) != infected;
        }
    }

    /**
     * Classifies every image of the model's {@code validation-all.txt} (paths {@code <pool>/<Class>/<file>} under
     * {@code datasets}) through the explainer, writes the montage to {@code out} and returns the markdown.
     */
    static String review(LoadedModel model, Explainer ex, Path datasets, Path out) throws IOException {
        Path list = model.dir().resolve("validation-all.txt");
        if (!Files.isRegularFile(list)) {
            return "";
        }
        List<String> rel = Files.readAllLines(list).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        int parasitized = classIndex(model, "Parasitized");
        log("error review: " + rel.size() + " held-out images of every pool from " + list);
        List<Cell> cells = new ArrayList<>();
        ExplainRequest predictOnly = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM))
                .withTargets(List.of(String.valueOf(parasitized)));
        int chunk = 128;
        for (int s = 0; s < rel.size(); s += chunk) {
            List<String> part = rel.subList(s, Math.min(rel.size(), s + chunk));
            List<InputImage> images = new ArrayList<>();
            for (String r : part) {
                images.add(ImagePlusImages.toInput(ImageFiles.open(datasets.resolve(r)), 1));
            }
            List<List<Explanation>> exps = ex.explain(images, predictOnly);
            for (int i = 0; i < part.size(); i++) {
                String r = part.get(i);
                boolean infected = r.split("/")[1].equals("Parasitized");
                cells.add(new Cell(r, infected, exps.get(i).get(0).target().probability(),
                        ParasiteSegmentation.segment(images.get(i)).found()));
            }
        }
        // [infected][chromatin found][classified correctly]
        int[][][] n = new int[2][2][2];
        for (Cell c : cells) {
            n[c.infected() ? 1 : 0][c.chromatin() ? 1 : 0][c.wrong() ? 0 : 1]++;
        }
        List<Cell> fn = cells.stream().filter(c -> c.infected() && c.wrong())
                .sorted(Comparator.comparingDouble(Cell::pParasitized)).toList();
        List<Cell> fp = cells.stream().filter(c -> !c.infected() && c.wrong())
                .sorted(Comparator.comparingDouble(Cell::pParasitized).reversed()).toList();

        List<Cell> shown = new ArrayList<>(fn.subList(0, Math.min(WORST, fn.size())));
        shown.addAll(fp.subList(0, Math.min(WORST, fp.size())));
        List<Montages.Tile> tiles = new ArrayList<>();
        if (!shown.isEmpty()) {
            List<InputImage> images = new ArrayList<>();
            for (Cell c : shown) {
                images.add(ImagePlusImages.toInput(ImageFiles.open(datasets.resolve(c.path())), 1));
            }
            List<List<Explanation>> exps = ex.explain(images, ExplainRequest.defaults()
                    .withMethods(EnumSet.of(Method.GRADCAM, Method.GUIDED_GRADCAM))
                    .withTargets(List.of(String.valueOf(parasitized))));
            for (int i = 0; i < shown.size(); i++) {
                Cell c = shown.get(i);
                InputImage im = images.get(i);
                Explanation e = exps.get(i).get(0);
                float[] cam = e.maps().get(Method.GRADCAM).data();
                float[] guided = normalise(collapse(e.maps().get(Method.GUIDED_GRADCAM)));
                boolean[] chromatin = ParasiteSegmentation.segment(im).parasite();
                String file = c.path().substring(c.path().lastIndexOf('/') + 1);
                String slide = file.contains("_IMG_") ? file.substring(0, file.indexOf("_IMG_")) : file;
                tiles.add(new Montages.Tile(im, null, chromatin, null, null, String.format(Locale.ROOT, "%s%d %s p=%.2f",
                        c.infected() ? "FN" : "FP", c.infected() ? fn.indexOf(c) + 1 : fp.indexOf(c) + 1,
                        slide.length() > 8 ? slide.substring(0, 8) : slide, c.pParasitized())));
                double camMax = 0;
                for (float v : cam) {
                    camMax = Math.max(camMax, v);
                }
                tiles.add(new Montages.Tile(im, cam, null, null, camMax > 0 ? argmax(cam, im.width()) : null,
                        camMax > 0 ? "Grad-CAM" : "Grad-CAM (empty)"));
                tiles.add(new Montages.Tile(gray(im), guided, null, null, null, "Guided Grad-CAM"));
            }
            ImageIO.write(Montages.montage(tiles, 6, 128, "Worst held-out errors; maps for 'Parasitized'; yellow: chromatin"), "png",
                    out.resolve(FIGURE).toFile());
        }

        int wrong = fn.size() + fp.size();
        StringBuilder md = new StringBuilder("### 2b. The model's errors on all its held-out slides\n\n");
        md.append("Every held-out image of every pool (`validation-all.txt`: slides never used in training): ")
                .append(cells.size()).append(" cells, ").append(cells.size() - wrong).append(" correct (accuracy ")
                .append(fmt((double) (cells.size() - wrong) / cells.size(), 4)).append("); ").append(fn.size())
                .append(" false negatives (Parasitized label, called Uninfected) and ").append(fp.size())
                .append(" false positives. Split by whether the chromatin threshold of section 2 finds a parasite:\n\n")
                .append("| label | chromatin found | cells | classified correctly |\n|---|---|---:|---:|\n");
        for (int inf = 1; inf >= 0; inf--) {
            for (int f = 1; f >= 0; f--) {
                int k = n[inf][f][0] + n[inf][f][1];
                md.append("| ").append(inf == 1 ? "Parasitized" : "Uninfected").append(" | ").append(f == 1 ? "yes" : "no")
                        .append(" | ").append(k).append(" | ").append(n[inf][f][1])
                        .append(k == 0 ? "" : " (" + fmt(100.0 * n[inf][f][1] / k, 1) + " %)").append(" |\n");
            }
        }
        md.append("\n").append(n[1][0][0]).append(" of the ").append(fn.size()).append(" false negatives have no "
                + "chromatin the threshold can find; ").append(n[0][1][0]).append(" of the ").append(fp.size())
                .append(" false positives have some. The ").append(shown.size()).append(" most confident errors ("
                + "up to ").append(WORST).append(" of each kind, sorted by the model's probability of Parasitized), "
                + "with Grad-CAM (+: its maximum) and Guided Grad-CAM for the class Parasitized:\n\n")
                .append("![Worst held-out errors](").append(FIGURE).append(")\n\n");
        md.append("| tile | image | p(Parasitized) | chromatin found |\n|---|---|---:|---|\n");
        for (Cell c : shown) {
            md.append("| ").append(c.infected() ? "FN" + (fn.indexOf(c) + 1) : "FP" + (fp.indexOf(c) + 1)).append(" | `")
                    .append(c.path()).append("` | ").append(fmt(c.pParasitized(), 3)).append(" | ")
                    .append(c.chromatin() ? "yes" : "no").append(" |\n");
        }
        md.append("\n");
        return md.toString();
    }
}
