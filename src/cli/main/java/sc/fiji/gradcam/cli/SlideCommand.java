package sc.fiji.gradcam.cli;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.SlidingWindow;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.api.io.MapFiles;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * {@code slide}: a classifier over an image larger than its input, window by window — a class-probability map and a
 * stitched Grad-CAM ({@link SlidingWindow}).
 */
@Command(name = "slide", mixinStandardHelpOptions = true, description = "A classifier's sliding window over a large "
        + "image (a slide, a well): class-probability map and stitched Grad-CAM.")
final class SlideCommand implements Callable<Integer> {

    @Mixin
    ModelArgs modelArgs;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The (large) image.")
    Path image;

    @Option(names = "--class", paramLabel = "auto|INDEX|LABEL", description = "The class mapped in every window "
            + "(default: auto = the class most windows predict).")
    String target = "auto";

    @Option(names = "--layer", paramLabel = "auto|NAME", description = "Target layer (default: auto).")
    String layer = "auto";

    @Option(names = "--window", paramLabel = "PIXELS", description = "Window side in image pixels (default: the "
            + "model's input size, so windows are not resampled).")
    Integer window;

    @Option(names = "--stride", paramLabel = "PIXELS", description = "Step between windows (default: half a window).")
    Integer stride;

    @Option(names = "--range", paramLabel = "A:B", description = "Model input value range (default: the model's).")
    String range;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: gradcam-output).")
    Path out = Path.of("gradcam-output");

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image " + image + " is not a file. Fix: give one image.");
        }
        ImagePlus imp = ImageFiles.open(image);
        InputImage input = ImagePlusImages.plane(imp, 0);
        try (Explainer explainer = new Explainer(ModelLoader.load(modelArgs.path(), modelArgs.options()))) {
            if (explainer.model().dense()) {
                throw new IllegalArgumentException("The sliding window is for classifiers; this model is dense. Fix: "
                        + "use 'explain' (large images are tiled).");
            }
            long[] shape = explainer.model().imageShape();
            int side = window != null ? window : (int) Math.max(shape[1], shape[2]);
            if (side <= 0) {
                throw new IllegalArgumentException("The model's input size is free. Fix: give --window PIXELS.");
            }
            int step = stride != null ? stride : Math.max(1, side / 2);
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(target)).withLayer(layer)
                    .withMethods(EnumSet.of(Method.GRADCAM))
                    .withPreprocessing(new PreprocessingOptions(null, null, range, null));
            explainer.validate(request);
            SlidingWindow.Result r = SlidingWindow.run(explainer, input, request, side, step);
            Files.createDirectories(out);
            String base = ImageFiles.baseName(image);
            Path prob = out.resolve(base + ".probability.tif");
            Path cam = out.resolve(base + ".gradcam.tif");
            write(r.probability(), imp, "probability of " + r.target().label(), prob);
            write(r.gradcam(), imp, "Grad-CAM of " + r.target().label(), cam);
            Path windows = out.resolve(base + ".windows.csv");
            List<String> lines = new ArrayList<>(List.of("x,y,width,height,probability"));
            r.windows().forEach(w -> lines.add(w.x() + "," + w.y() + "," + side + "," + side + ","
                    + String.format(java.util.Locale.ROOT, "%.6g", w.probability())));
            Path tmp = MapFiles.temp(windows);
            Files.write(tmp, lines);
            MapFiles.moveIntoPlace(tmp, windows);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("image", image.toString());
            o.put("target", Map.of("index", r.target().index(), "label", r.target().label()));
            o.put("window", side);
            o.put("stride", step);
            o.put("precision", explainer.model().precision().id());
            o.put("windows", r.windows().size());
            o.put("max_probability", r.windows().stream().mapToDouble(SlidingWindow.Window::probability).max()
                    .orElse(0));
            o.put("outputs", Map.of("probability", prob.toString(), "gradcam", cam.toString(), "windows",
                    windows.toString()));
            if (json) {
                spec.commandLine().getOut().println(Json.line(o));
            } else {
                spec.commandLine().getOut().println(r.windows().size() + " windows of " + side + " px (stride " + step
                        + "), class '" + r.target().label() + "': " + prob + ", " + cam);
            }
        }
        return 0;
    }

    /** A map as a 32-bit TIFF with the image's calibration and the Fire LUT, written under a temporary name. */
    private static void write(MapImage m, ImagePlus like, String title, Path file) throws IOException {
        ImagePlus map = new ImagePlus(title, new FloatProcessor(m.width(), m.height(), m.data()));
        map.setCalibration(like.getCalibration().copy());
        map.setLut(ImagePlusImages.lut(ColorMap.FIRE));
        map.setDisplayRange(0, 1);
        Path tmp = MapFiles.temp(file);
        MapFiles.writeTiff(map, tmp);
        MapFiles.moveIntoPlace(tmp, file);
    }
}
