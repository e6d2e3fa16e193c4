package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;

/**
 * Section 4 of the evaluation on its own ({@code scripts/evaluate-dense}): region targets on the real CARE U-Net and the
 * DEFCoN density counter in {@code ../shared/models}. Writes the section into {@code OUT/evaluation.md} (replacing an
 * earlier section 4, else before the run-time footer) and its figures next to it. {@link Evaluate} runs it too.
 */
@Command(name = "evaluate-dense", mixinStandardHelpOptions = true,
        description = "Evaluates region-target maps on dense models: concentration, deletion of the region score, "
                + "randomisation. Writes section 4 of evaluation.md.")
public final class DenseEvaluation implements Callable<Integer> {

    static final String HEADING = "## 4. Dense models: region targets (issue G)";

    @Option(names = "--shared", description = "folder of the third-party models (default: $GRADCAM_SHARED, else HOME/../shared)")
    Path shared;

    @Option(names = "--out", description = "output folder (default: HOME/docs)")
    Path out;

    @Option(names = "--boxes", defaultValue = "10", description = "random boxes on the CARE image")
    int boxes;

    @Option(names = "--size", defaultValue = "24", description = "CARE box size (px)")
    int size;

    @Option(names = "--margin", defaultValue = "16", description = "CARE margin around the box (px)")
    int margin;

    @Option(names = "--frames", defaultValue = "10", description = "DEFCoN frames (0: skip DEFCoN)")
    int frames;

    @Option(names = "--steps", defaultValue = "6", description = "deletion steps")
    int steps;

    @Option(names = "--random-orders", defaultValue = "2", description = "random deletion orders per box")
    int randomOrders;

    @Option(names = "--seed", defaultValue = "2024", description = "seed of boxes, orders and re-initialised weights")
    long seed;

    @Option(names = "--skip-randomisation", description = "leave out the randomisation check")
    boolean skipRandomisation;

    @Option(names = "--ig-boxes", defaultValue = "2", description = "CARE boxes with Integrated Gradients (50 gradient "
            + "passes each, ~30 s on 2 cores); its randomisation check on the first --ig-randomised of them")
    int igBoxes;

    @Option(names = "--ig-randomised", defaultValue = "0", description = "CARE boxes with Integrated Gradients in the "
            + "randomisation check")
    int igRandomised;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DenseEvaluation()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Path home = Paths.get(System.getProperty("gradcam.home", ".")).toAbsolutePath().normalize();
        out = out != null ? out : home.resolve("docs");
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder();
        section(md, sharedDir(home, shared), out, boxes, size, margin, frames, steps, randomOrders, seed, !skipRandomisation,
                igBoxes, igRandomised);
        double minutes = (System.nanoTime() - t0) / 6e10;
        Path file = out.resolve("evaluation.md");
        String old = Files.isRegularFile(file) ? Files.readString(file) : "# Evaluation of the explanation maps\n\n";
        Files.writeString(file, splice(old, md.toString()));
        log("wrote section 4 into " + file + " (" + fmt(minutes, 1) + " min)");
        return 0;
    }

    static Path sharedDir(Path home, Path given) {
        if (given != null) {
            return given;
        }
        String env = System.getenv("GRADCAM_SHARED");
        return (env != null ? Paths.get(env) : home.resolve("../shared")).normalize();
    }

    /** {@code doc} with its section 4 replaced by {@code section} (or {@code section} put before the footer). */
    static String splice(String doc, String section) {
        return splice(doc, HEADING, section);
    }

    /**
     * {@code doc} with the section under {@code heading} replaced by {@code section} (up to the next {@code ## }
     * heading or the footer), or {@code section} put before the footer.
     */
    static String splice(String doc, String heading, String section) {
        int start = doc.indexOf(heading);
        String footer = "\n---\nRun time";
        if (start >= 0) {
            int end = doc.indexOf("\n## ", start + heading.length());
            int f = doc.indexOf(footer, start);
            int stop = end >= 0 ? end + 1 : f >= 0 ? f : doc.length();
            return doc.substring(0, start) + section + doc.substring(stop);
        }
        int f = doc.lastIndexOf(footer);
        if (f >= 0) {
            return doc.substring(0, f) + "\n" + section + doc.substring(f);
        }
        return doc + "\n" + section;
    }

    /** Runs the cases (CARE always; DEFCoN when {@code frames > 0}) and appends section 4 to {@code md}. */
    static void section(StringBuilder md, Path shared, Path out, int boxes, int size, int margin, int frames, int steps,
            int randomOrders, long seed, boolean randomise, int igBoxes, int igRandomised) throws IOException {
        long t0 = System.nanoTime();
        DenseSection s = new DenseSection(DenseSection.DEFAULT_METHODS, steps, randomOrders, seed);
        List<DenseSection.CaseResult> results = new ArrayList<>();
        Path care = shared.resolve("models/care_denoise2d_mito");
        try (LoadedModel m = ModelLoader.load(care.resolve("model")); Explainer ex = new Explainer(m)) {
            InputImage im = DenseSection.normalised(ImagePlusImages.plane(ImageFiles.open(
                    care.resolve("images/bsubtilis_widefield_sample_input_0.tif")), 0));
            List<Region> r = DenseSection.randomBoxes(im.width(), im.height(), size, boxes, seed);
            results.add(s.run(new DenseSection.Case("CARE", m, ex, List.of(im), List.of(r), margin, igBoxes, igRandomised,
                    "CARE 2-D denoising U-Net (`care_denoise2d_mito`, linear output, default layer = bottleneck), its "
                            + "sample image (" + im.width() + "×" + im.height() + "), " + boxes + " random " + size + "×"
                            + size + " boxes (seed " + seed + ")."), randomise));
        }
        if (frames > 0) {
            Path defcon = shared.resolve("models/defcon_density_count");
            try (LoadedModel m = ModelLoader.load(defcon.resolve("model"), ModelOptions.defaults()
                    .withInput("input_tensor").withOutput("output_tensor")); Explainer ex = new Explainer(m)) {
                var imp = ImageFiles.open(defcon.resolve("images/test_data.tif"));
                List<InputImage> ims = new ArrayList<>();
                List<List<Region>> rs = new ArrayList<>();
                for (int f = 0; f < Math.min(frames, ImagePlusImages.planes(imp)); f++) {
                    InputImage im = DenseSection.normalised(ImagePlusImages.plane(imp, f));
                    ims.add(im);
                    rs.add(DenseSection.spotBoxes(im, 8));
                }
                results.add(s.run(new DenseSection.Case("DEFCoN", m, ex, ims, rs, 4, Integer.MAX_VALUE, Integer.MAX_VALUE,
                        "DEFCoN density counter (`defcon_density_count`, graph tensors `input_tensor` → `output_tensor`; "
                                + "the region's sum is its spot count), " + ims.size() + " frames of `test_data.tif` "
                                + "(32×32), per frame an 8×8 box on the brightest 3×3 mean (a spot) and one on the darkest "
                                + "(background)."), randomise));
            }
        }
        s.plot(results, out.resolve("evaluation-dense-deletion.png"));
        s.montage(results, List.of(Method.GRADCAM, Method.HIRESCAM, Method.GRADIENT, Method.INTEGRATED_GRADIENTS),
                out.resolve("evaluation-dense-maps.png"));
        s.write(md, results, margin, "evaluation-dense-maps.png", "evaluation-dense-deletion.png");
        md.append("Section 4 run time: ").append(fmt((System.nanoTime() - t0) / 1e9, 0)).append(" s on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores (`scripts/evaluate-dense`).\n\n");
    }
}
