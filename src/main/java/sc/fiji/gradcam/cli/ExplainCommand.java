package sc.fiji.gradcam.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.explain.Explanation;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.explain.PreprocessingOptions;
import sc.fiji.gradcam.graph.ScoreKind;
import sc.fiji.gradcam.image.ColorMap;
import sc.fiji.gradcam.image.InputImage;
import sc.fiji.gradcam.io.ExplanationWriter;
import sc.fiji.gradcam.io.ImageFiles;
import sc.fiji.gradcam.io.ImagePlusImages;
import sc.fiji.gradcam.io.Montage;
import sc.fiji.gradcam.model.ModelLoader;

/** {@code gradcam explain}: maps for an image or a folder of images, with files, CSV and JSON. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain the model's decision on an image or every image of a folder.")
final class ExplainCommand implements Callable<Integer> {

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
            + "guided-backprop, guided-gradcam, or all (default: gradcam,guided-gradcam).")
    String methods = "gradcam,guided-gradcam";

    @Option(names = "--score", paramLabel = "logit|probability|log-probability", description = "What is "
            + "differentiated (default: logit).")
    String score = "logit";

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

    @Option(names = "--overwrite", description = "Replace existing output files.")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Map<Path, Integer> fileIndex = new java.util.HashMap<>();

    @Override
    public Integer call() throws IOException {
        Set<Method> chosen = Method.parseList(methods);
        ExplainRequest request = ExplainRequest.defaults().withTargets(targets).withLayer(layer).withMethods(chosen)
                .withScore(ScoreKind.parse(score))
                .withPreprocessing(new PreprocessingOptions(size, resize, range, percentiles));
        ColorMap colours = ColorMap.parse(lut);
        if (!(opacity >= 0 && opacity <= 1)) {
            throw new IllegalArgumentException("--opacity must be between 0 and 1, not " + opacity + ".");
        }
        if (!Files.exists(image)) {
            throw new IllegalArgumentException("--image " + image + " does not exist.");
        }
        List<Path> files = ImageFiles.list(image, glob);
        for (int i = 0; i < files.size(); i++) {
            fileIndex.put(files.get(i), i);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No image files (" + ImageFiles.EXTENSIONS + ") in " + image + ".");
        }
        long t0 = System.nanoTime();
        Report report;
        try (Explainer explainer = new Explainer(ModelLoader.load(modelArgs.path(), modelArgs.options()))) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            explainer.model().warnings().forEach(w -> spec.commandLine().getErr().println("gradcam: warning: " + w));
            explainer.validate(request);
            String layerName = chosen.stream().anyMatch(Method::usesLayer)
                    ? explainer.model().catalog().find(layer).name() : null;
            report = new Report(modelArgs.path().toString(), layerName, loadMs);
            report.preprocessing(request.preprocessing().resolve(explainer.model()),
                    request.preprocessing().inputRange(explainer.model()));
            ExplanationWriter writer = new ExplanationWriter(out, colours, opacity, overwrite);
            Montage montageRows = montage == null ? null : new Montage(colours, opacity);
            ProgressBar progress = new ProgressBar(System.err, files.size(), quiet);
            int done = 0;
            for (int start = 0; start < files.size(); start += Math.max(1, batch)) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + Math.max(1, batch)));
                processChunk(explainer, request, chunk, writer, report, montageRows);
                done += chunk.size();
                progress.update(done);
            }
            Files.createDirectories(out);
            report.writeCsv(out.resolve("predictions.csv"));
            report.writeJson(out.resolve("summary.json"));
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

    private void processChunk(Explainer explainer, ExplainRequest request, List<Path> chunk,
            ExplanationWriter writer, Report report, Montage montageRows) {
        List<Path> ok = new ArrayList<>();
        List<InputImage> images = new ArrayList<>();
                for (Path file : chunk) {
            report.at(fileIndex.getOrDefault(file, 0));
            try {
                Map<String, Path> plan = plan(writer, file, request);
                List<Path> existing = writer.existing(plan);
                if (!existing.isEmpty()) {
                    throw new IOException("outputs exist already (" + existing.get(0).getFileName()
                            + "); use --overwrite or another --out");
                }
                InputImage img = ImagePlusImages.toInput(ImageFiles.open(file), 1);
                ok.add(file);
                images.add(img);
            } catch (IOException | RuntimeException e) {
                report.addError(file, e.getMessage());
            }
        }
        if (images.isEmpty()) {
            return;
        }
        List<List<Explanation>> results;
        try {
            results = explainer.explain(images, request);
        } catch (IllegalArgumentException e) {
            if (images.size() == 1) {
                report.at(fileIndex.getOrDefault(ok.get(0), 0));
                report.addError(ok.get(0), e.getMessage());
                return;
            }
            for (int i = 0; i < images.size(); i++) {
                processChunk(explainer, request, List.of(ok.get(i)), writer, report, montageRows);
            }
            return;
        }
        for (int i = 0; i < ok.size(); i++) {
            report.at(fileIndex.getOrDefault(ok.get(i), 0));
            for (int j = 0; j < results.get(i).size(); j++) {
                Explanation e = results.get(i).get(j);
                try {
                    long s = System.nanoTime();
                    Map<String, Path> plan = writer.plan(name(ok.get(i), request.targets().get(j), request),
                            request.methods());
                    Map<String, Path> written = writer.write(images.get(i), e, plan, ok.get(i).getFileName().toString());
                    Map<String, Double> timings = new LinkedHashMap<>(e.timingsMs());
                    timings.put("write", (System.nanoTime() - s) / 1e6);
                    report.add(ok.get(i), e, written, timings);
                    if (montageRows != null) {
                        montageRows.add(ok.get(i).getFileName().toString(), images.get(i), e);
                    }
                } catch (IOException ex) {
                    report.addError(ok.get(i), "could not write outputs: " + ex.getMessage());
                }
            }
        }
    }

    private Map<String, Path> plan(ExplanationWriter writer, Path file, ExplainRequest request) {
        Map<String, Path> all = new LinkedHashMap<>();
        for (String t : request.targets()) {
            all.putAll(writer.plan(name(file, t, request), request.methods()));
        }
        return all;
    }

    private static String name(Path file, String target, ExplainRequest request) {
        return request.targets().size() == 1 ? ImageFiles.baseName(file) : ImageFiles.baseName(file) + "." + safe(target);
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
