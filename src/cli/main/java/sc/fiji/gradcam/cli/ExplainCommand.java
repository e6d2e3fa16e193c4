package sc.fiji.gradcam.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.batch.BatchListener;
import sc.fiji.gradcam.api.batch.BatchOptions;
import sc.fiji.gradcam.api.batch.BatchRunner;
import sc.fiji.gradcam.api.io.Montage;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.model.ModelLoader;

/** {@code gradcam explain}: maps for an image or a folder of images, with files, CSV and JSON. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain the model's decision on an image or every image of a folder.")
final class ExplainCommand implements Callable<Integer> {

    /** The JSON summary of a run, next to {@code predictions.csv}. */
    static final String SUMMARY = "summary.json";

    /** The summary's entries as they come, one JSON object per line (what a resumed run reads back). */
    static final String JOURNAL = "predictions.jsonl";

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

    @Option(names = "--region", paramLabel = "auto|all|X,Y,W,H", description = "Dense models (segmentation, "
            + "restoration, density maps): the pixels whose values of the --class channel are the target, in image "
            + "pixels (default: auto = the model's foreground for the channel: where it wins, or exceeds 0.5 for one "
            + "sigmoid channel; the whole output for one linear channel). Not for classifiers.")
    String region;

    @Option(names = "--mask", paramLabel = "FILE|DIR", description = "Dense models: the region as a mask image "
            + "(non-zero pixels), or a folder of masks named like the images (NAME.tif, NAME.png, NAME_mask.tif).")
    Path mask;

    @Option(names = "--aggregate", paramLabel = "sum|mean", description = "Dense models: add up (default, as "
            + "pytorch-grad-cam's SemanticSegmentationTarget) or average the channel over the region.")
    String aggregate;

    @Option(names = "--methods", paramLabel = "LIST", description = "Comma list of gradcam, counterfactual, gradient, "
            + "guided-backprop, guided-gradcam, gradcam-plusplus (Grad-CAM++), xgradcam (XGrad-CAM), layercam "
            + "(LayerCAM), hirescam (HiResCAM), eigencam (EigenCAM, class-agnostic), eigengradcam (EigenGrad-CAM), "
            + "scorecam (Score-CAM), ablationcam (Ablation-CAM), input-x-gradient, integrated-gradients, smoothgrad, "
            + "smoothgrad-sq, vargrad, occlusion (Captum's), rise (RISE), fullgrad (FullGrad: every conv bias and batch "
            + "norm, no layer needed), or all (default: gradcam,guided-gradcam). Score-CAM "
            + "and Ablation-CAM run the model once more per channel of the target layer (K extra forward passes per "
            + "image and class, e.g. 2048 at ResNet-50's last layer), Integrated Gradients 50 gradient passes, "
            + "SmoothGrad/-Sq/VarGrad 25 (shared), Occlusion one forward pass per window position, RISE 1,000 forward "
            + "passes (random masks), so they and 'all' "
            + "are far slower than the rest.")
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

    @Option(names = "--lut", description = "Colour map of overlays: Fire, Jet, Turbo, Magma, Grays (default: Fire, as "
            + "in Fiji).")
    String lut = "Fire";

    @Option(names = "--opacity", description = "Overlay opacity 0-1 (default: 0.5).")
    double opacity = 0.5;

    @Option(names = "--montage", paramLabel = "FILE", description = "Also write a montage PNG (image | Grad-CAM "
            + "overlay | Guided Grad-CAM per row).")
    Path montage;

    @Option(names = "--batch", description = "Images per session run (default: 8).")
    int batch = 8;

    @Option(names = "--planes", paramLabel = "first|all", description = "Planes (z/t positions) of stacks to explain: "
            + "all (default, as Fiji's batch: a JSON entry and CSV row per plane, a slice per plane in the TIFFs) or "
            + "first.")
    String planes = "all";

    @Option(names = "--overwrite", description = "Replace existing output files.")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue an earlier (killed or partial) run into --out: images whose "
            + "outputs and rows are complete are kept, the others explained; in the end every image is in "
            + "predictions.csv and summary.json once.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The region of {@code --region} or {@code --mask} (not both). */
    static Region region(String region, Path mask) {
        if (mask != null && region != null && !region.isBlank()) {
            throw new IllegalArgumentException("--region and --mask both give the region. Fix: give one of them.");
        }
        return mask != null ? Region.maskFiles(mask) : Region.parse(region);
    }

    @Override
    public Integer call() throws IOException {
        boolean allPlanes = allPlanes(planes);
        Set<Method> chosen = Method.parseList(methods);
        ExplainRequest request = ExplainRequest.defaults().withTargets(targets).withLayer(layer).withMethods(chosen)
                .withScore(ScoreKind.parse(score)).withAugSmooth(augSmooth).withEigenSmooth(eigenSmooth)
                .withPreprocessing(new PreprocessingOptions(size, resize, range, percentiles))
                .withRegion(region(region, mask)).withAggregate(Region.Aggregate.parse(aggregate));
        request.preprocessing().check();
        ColorMap colours = ColorMap.parse(lut);
        if (!Files.exists(image)) {
            throw new IllegalArgumentException("--image " + image + " does not exist.");
        }
        List<Path> runFiles = new ArrayList<>(List.of(out.resolve(SUMMARY), out.resolve(JOURNAL)));
        if (montage != null) {
            runFiles.add(montage);
        }
        BatchOptions options = BatchOptions.of(image, out, request, PredictionsCsv.CLI).withGlob(glob)
                .withLook(colours, opacity).withPlanes(allPlanes, batch).withExisting(overwrite, resume)
                .withRunFiles(runFiles);
        List<Path> files = BatchRunner.check(options);
        long t0 = System.nanoTime();
        Report report;
        try (Explainer explainer = new Explainer(ModelLoader.load(modelArgs.path(), modelArgs.options()))) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            explainer.model().warnings().forEach(w -> spec.commandLine().getErr().println("gradcam: warning: " + w));
            explainer.validate(request);
            String layerName = chosen.stream().anyMatch(Method::usesLayer)
                    ? explainer.model().catalog().find(layer).name() : null;
            Report r = new Report(modelArgs.path().toString(), layerName, loadMs);
            report = r;
            r.smoothing(request.augSmooth(), request.eigenSmooth());
            r.precision(explainer.model().precision().id());
            r.preprocessing(request.preprocessing().resolve(explainer.model()),
                    request.preprocessing().inputRange(explainer.model()));
            Montage montageRows = montage == null ? null : new Montage(colours, opacity);
            ProgressBar progress = new ProgressBar(System.err, files.size(), quiet);
            try {
                BatchRunner.run(explainer, options, new BatchListener() {
                    @Override
                    public void resumed(Set<Path> kept) {
                        try {
                            r.journal(out.resolve(JOURNAL), resume ? kept.stream().map(Path::toString)
                                    .collect(java.util.stream.Collectors.toSet()) : null);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void explained(Path file, int plane, Explanation e, InputImage input,
                            Map<String, Path> written, Map<String, Double> timings) {
                        r.add(file, plane, e, written, timings);
                        if (montageRows != null) {
                            montageRows.add(file.getFileName() + (plane > 1 ? " (plane " + plane + ")" : ""), input,
                                    e);
                        }
                    }

                    @Override
                    public void failed(Path file, Integer plane, String reason) {
                        r.addError(file, plane, reason);
                    }

                    @Override
                    public void progress(int done, int total) {
                        progress.update(done);
                    }
                });
            } finally {
                r.closeJournal();
            }
            r.writeJson(out.resolve(SUMMARY));
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
}
