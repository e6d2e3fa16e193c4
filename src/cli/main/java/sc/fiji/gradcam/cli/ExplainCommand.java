package sc.fiji.gradcam.cli;

import ij.ImagePlus;
import ij.measure.Calibration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ExplainedImage;
import sc.fiji.gradcam.api.io.ExplanationWriter;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.api.io.Montage;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.model.ModelLoader;

/** {@code gradcam explain}: maps for an image or a folder of images, with files, CSV and JSON. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain the model's decision on an image or every image of a folder.")
final class ExplainCommand implements Callable<Integer> {

    /** The JSON summary of a run, next to {@code predictions.csv}. */
    static final String SUMMARY = "summary.json";

    @Mixin
    ModelArgs modelArgs;

    @Option(names = "--image", required = true, paramLabel = "FILE|DIR", description = "An image or a folder of images.")
    Path image;

    @Option(names = "--glob", paramLabel = "PATTERN", description = "With a folder: only file names matching this "
            + "glob, e.g. '*.tif' or 'shapes-??.png'.")
    String glob;

    @Option(names = "--class", paramLabel = "auto|INDEX|LABEL", split = ",", description = "Target class(es) "
            + "(default: auto = the top-1 class).")
    List<String> targets = List.of("auto");

    @Option(names = "--layer", paramLabel = "auto|NAME", description = "Target layer (default: auto, see 'layers').")
    String layer = "auto";

    @Option(names = "--methods", paramLabel = "LIST", description = "Comma list of gradcam, counterfactual, gradient, "
            + "guided-backprop, guided-gradcam, gradcam-plusplus (Grad-CAM++), xgradcam (XGrad-CAM), layercam "
            + "(LayerCAM), hirescam (HiResCAM), eigencam (EigenCAM, class-agnostic), eigengradcam (EigenGrad-CAM), "
            + "scorecam (Score-CAM), ablationcam (Ablation-CAM), or all (default: gradcam,guided-gradcam). Score-CAM "
            + "and Ablation-CAM run the model once more per channel of the target layer (K extra forward passes per "
            + "image and class, e.g. 2048 at ResNet-50's last layer), so they and 'all' are far slower than the rest.")
    String methods = "gradcam,guided-gradcam";

    @Option(names = "--score", paramLabel = "logit|probability|log-probability", description = "What is "
            + "differentiated (default: logit).")
    String score = "logit";

    @Option(names = "--aug-smooth", description = "pytorch-grad-cam's aug_smooth: each CAM-like map is the mean of "
            + "the maps of six augmented inputs (mirrored or not, times 0.9, 1, 1.1), each over its maximum and mirrored "
            + "back; all six explain the class of the unaugmented image. Costs five more inputs per image.")
    boolean augSmooth;

    @Option(names = "--eigen-smooth", description = "pytorch-grad-cam's eigen_smooth: each CAM-like map is the first "
            + "principal component of its weighted activations instead of their sum over the channels (EigenCAM and "
            + "EigenGrad-CAM are unchanged).")
    boolean eigenSmooth;

    @Option(names = "--range", paramLabel = "A:B", description = "Model input value range, e.g. 0:1, -1:1, 0:255 "
            + "(default: range= in the model's gradcam.properties, else what the graph asks for — 0:255 for a uint8 "
            + "input or a Rescaling(1/255)-like op right after it, see 'info' — else 0:1).")
    String range;

    @Option(names = "--resize", paramLabel = "stretch|crop|pad", description = "How images meet the input size.")
    String resize;

    @Option(names = "--size", paramLabel = "WxH", description = "Input size for models without a fixed one.")
    String size;

    @Option(names = "--percentiles", paramLabel = "LOW:HIGH", description = "Range ends for 16-bit/float images "
            + "(default 1:99.8).")
    String percentiles;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: gradcam-output).")
    Path out = Path.of("gradcam-output");

    @Option(names = "--lut", description = "Colour map of overlays: Fire, Jet, Magma, Grays (default: Jet).")
    String lut = "jet";

    @Option(names = "--opacity", description = "Overlay opacity 0-1 (default: 0.5).")
    double opacity = 0.5;

    @Option(names = "--montage", paramLabel = "FILE", description = "Also write a montage PNG (image | Grad-CAM "
            + "overlay | Guided Grad-CAM per row).")
    Path montage;

    @Option(names = "--batch", description = "Images per session run (default: 8).")
    int batch = 8;

    @Option(names = "--planes", paramLabel = "first|all", description = "Planes (z/t positions) of stacks to explain: "
            + "first (default) or all (a JSON entry and CSV row per plane, a slice per plane in the TIFFs).")
    String planes = "first";

    @Option(names = "--overwrite", description = "Replace existing output files.")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean allPlanes = allPlanes(planes);
        Set<Method> chosen = Method.parseList(methods);
        ExplainRequest request = ExplainRequest.defaults().withTargets(targets).withLayer(layer).withMethods(chosen)
                .withScore(ScoreKind.parse(score)).withAugSmooth(augSmooth).withEigenSmooth(eigenSmooth)
                .withPreprocessing(new PreprocessingOptions(size, resize, range, percentiles));
        ColorMap colours = ColorMap.parse(lut);
        if (!(opacity >= 0 && opacity <= 1)) {
            throw new IllegalArgumentException("--opacity must be between 0 and 1, not " + opacity + ".");
        }
        if (!Files.exists(image)) {
            throw new IllegalArgumentException("--image " + image + " does not exist.");
        }
        List<Path> files = ImageFiles.list(image, glob);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No image files (" + ImageFiles.EXTENSIONS + ") in " + image + ".");
        }
        refuseExistingSummaries();
        long t0 = System.nanoTime();
        Report report;
        try (Explainer explainer = new Explainer(ModelLoader.load(modelArgs.path(), modelArgs.options()))) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            explainer.model().warnings().forEach(w -> spec.commandLine().getErr().println("gradcam: warning: " + w));
            explainer.validate(request);
            String layerName = chosen.stream().anyMatch(Method::usesLayer)
                    ? explainer.model().catalog().find(layer).name() : null;
            report = new Report(modelArgs.path().toString(), layerName, loadMs);
            report.smoothing(request.augSmooth(), request.eigenSmooth());
            report.preprocessing(request.preprocessing().resolve(explainer.model()),
                    request.preprocessing().inputRange(explainer.model()));
            Montage montageRows = montage == null ? null : new Montage(colours, opacity);
            ProgressBar progress = new ProgressBar(System.err, files.size(), quiet);
            try (ExplanationWriter writer = new ExplanationWriter(out, PredictionsCsv.CLI, colours, opacity)) {
                int done = 0;
                List<Opened> chunk = new ArrayList<>();
                int planesInChunk = 0;
                for (int i = 0; i < files.size(); i++) {
                    Opened o = open(files.get(i), request, allPlanes);
                    chunk.add(o);
                    planesInChunk += Math.max(1, o.planes().size());
                    if (planesInChunk >= Math.max(1, batch) || i == files.size() - 1) {
                        processChunk(explainer, request, chunk, writer, report, montageRows);
                        done += chunk.size();
                        progress.update(done);
                        chunk.clear();
                        planesInChunk = 0;
                    }
                }
            }
            report.writeJson(out.resolve(SUMMARY));
            if (montageRows != null) {
                montageRows.write(montage);
            }
        }
        if (json) {
            spec.commandLine().getOut().println(report.json());
        } else {
            spec.commandLine().getOut().println(report.text());
            spec.commandLine().getOut().println("Outputs in " + out.toAbsolutePath());
        }
        return report.errors() > 0 ? 1 : 0;
    }

    /** {@code --planes}: false for {@code first}, true for {@code all}. */
    private static boolean allPlanes(String planes) {
        return switch (planes) {
            case "first" -> false;
            case "all" -> true;
            default -> throw new IllegalArgumentException("Unknown --planes '" + planes + "'. Valid: first, all.");
        };
    }

    /**
     * A file read for explaining: its explained planes (0-based), their images and its spatial calibration; or,
     * with no planes, why it cannot be explained (unreadable, or its outputs exist without --overwrite).
     */
    private record Opened(Path file, List<Integer> planes, List<InputImage> images, Calibration calibration,
            String error) {}

    /** A plane's explanations (one per target), or why it was not explained. */
    private record Outcome(List<Explanation> perTarget, String error) {}

    private Opened open(Path file, ExplainRequest request, boolean allPlanes) {
        try {
            refuseExisting(file, request);
            ImagePlus imp = ImageFiles.open(file);
            List<Integer> explained = IntStream.range(0, allPlanes ? ImagePlusImages.planes(imp) : 1).boxed().toList();
            List<InputImage> images = explained.stream().map(p -> ImagePlusImages.plane(imp, p)).toList();
            return new Opened(file, explained, images, imp.getCalibration(), null);
        } catch (IOException | RuntimeException e) {
            return new Opened(file, List.of(), List.of(), null, e.getMessage());
        }
    }

    /**
     * Explains the planes of a chunk of files in session runs of at most --batch planes and records each file's
     * outcome in file order (the CSV is written as it goes).
     */
    private void processChunk(Explainer explainer, ExplainRequest request, List<Opened> chunk,
            ExplanationWriter writer, Report report, Montage montageRows) throws IOException {
        List<InputImage> images = chunk.stream().flatMap(o -> o.images().stream()).toList();
        var next = explainEach(explainer, request, images).iterator();
        for (Opened o : chunk) {
            if (o.error() != null) {
                fail(o.file(), null, o.error(), writer, report);
            } else {
                record(o, o.planes().stream().map(p -> next.next()).toList(), request, writer, report, montageRows);
            }
        }
    }

    /**
     * One outcome per image, in order. A session run the explainer refuses (e.g. a NaN in one plane) is retried
     * image by image to find the one at fault.
     */
    private List<Outcome> explainEach(Explainer explainer, ExplainRequest request, List<InputImage> images) {
        List<Outcome> out = new ArrayList<>();
        int step = Math.max(1, batch);
        for (int start = 0; start < images.size(); start += step) {
            List<InputImage> run = images.subList(start, Math.min(images.size(), start + step));
            try {
                explainer.explain(run, request).forEach(perTarget -> out.add(new Outcome(perTarget, null)));
            } catch (IllegalArgumentException e) {
                if (run.size() == 1) {
                    out.add(new Outcome(null, e.getMessage()));
                } else {
                    run.forEach(one -> out.addAll(explainEach(explainer, request, List.of(one))));
                }
            }
        }
        return out;
    }

    /**
     * The run's own files (CSV, JSON summary, montage) from an earlier run are never replaced without
     * --overwrite: the whole run is refused before anything is written.
     */
    private void refuseExistingSummaries() {
        if (overwrite) {
            return;
        }
        List<Path> existing = new ArrayList<>();
        for (Path p : new Path[] {out.resolve(ExplanationWriter.PREDICTIONS), out.resolve(SUMMARY), montage}) {
            if (p != null && Files.exists(p)) {
                existing.add(p);
            }
        }
        if (!existing.isEmpty()) {
            throw new IllegalArgumentException("The output folder " + out + " already holds the results of an earlier "
                    + "run (" + existing.stream().map(p -> p.getFileName().toString()).toList() + "). Fix: add "
                    + "--overwrite to replace them, or choose another --out.");
        }
    }

    private void refuseExisting(Path file, ExplainRequest request) throws IOException {
        if (overwrite) {
            return;
        }
        List<Path> planned = new ArrayList<>();
        for (String t : request.targets()) {
            planned.addAll(ExplanationWriter.plan(out, name(file, t, request), request.methods()).values());
        }
        List<Path> existing = ExplanationWriter.existing(planned);
        if (!existing.isEmpty()) {
            throw new IOException("outputs exist already (" + existing.get(0).getFileName()
                    + "); use --overwrite or another --out");
        }
    }

    /**
     * Writes one file's maps per target (all its explained planes in one set of files) and adds an entry per plane
     * and target to the report and montage; each plane that failed becomes an error entry.
     */
    private void record(Opened image, List<Outcome> outcomes, ExplainRequest request, ExplanationWriter writer,
            Report report, Montage montageRows) throws IOException {
        Path file = image.file();
        List<Integer> done = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).error() == null) {
                done.add(i);
            }
        }
        for (int j = 0; j < request.targets().size() && !done.isEmpty(); j++) {
            int target = j;
            List<Explanation> es = done.stream().map(i -> outcomes.get(i).perTarget().get(target)).toList();
            List<Integer> planes = done.stream().map(image.planes()::get).toList();
            try {
                long s = System.nanoTime();
                Map<String, Path> written = writer.write(new ExplainedImage(file, name(file, request.targets().get(j),
                        request), image.images().get(done.get(0)), image.calibration(), planes, es));
                double writeMs = (System.nanoTime() - s) / 1e6 / es.size();
                for (int k = 0; k < es.size(); k++) {
                    Explanation e = es.get(k);
                    Map<String, Double> timings = new LinkedHashMap<>(e.timingsMs());
                    timings.put("write", writeMs);
                    report.add(file, planes.get(k) + 1, e, written, timings);
                    if (montageRows != null) {
                        montageRows.add(file.getFileName() + (image.planes().size() > 1 ? " (plane "
                                + (planes.get(k) + 1) + ")" : ""), image.images().get(done.get(k)), e);
                    }
                }
            } catch (IOException ex) {
                fail(file, null, "could not write outputs: " + ex.getMessage(), writer, report);
            }
        }
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).error() != null) {
                fail(file, image.planes().get(i) + 1, outcomes.get(i).error(), writer, report);
            }
        }
    }

    /** An error entry and CSV row for a file ({@code plane} null) or one of its planes (1-based). */
    private static void fail(Path file, Integer plane, String message, ExplanationWriter writer, Report report)
            throws IOException {
        report.addError(file, plane, message);
        writer.failed(file, plane == null ? 0 : plane, message);
    }

    private static String name(Path file, String target, ExplainRequest request) {
        return request.targets().size() == 1 ? ImageFiles.baseName(file) : ImageFiles.baseName(file) + "." + safe(target);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
