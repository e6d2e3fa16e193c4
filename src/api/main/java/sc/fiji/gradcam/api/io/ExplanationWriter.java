package sc.fiji.gradcam.api.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.MapSource;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.Heatmap;

/**
 * The files of explained images in one folder, for the CLI's {@code explain} and Fiji's {@code Grad-CAM Batch...}.
 * Per image: {@code NAME.METHOD.tif} (32-bit, image size, one slice per explained plane, the image's calibration;
 * the Grad-CAM family (Grad-CAM, counterfactual and the CAM variants) with the Fire LUT and display
 * 0..1, gradients gray with a symmetric range), {@code NAME.gradcam-raw.tif} (feature resolution, unnormalised),
 * {@code NAME.gradcam-overlay.png} (the Grad-CAM map, else the counterfactual, else a CAM variant, over the first
 * explained plane); and a {@value #PREDICTIONS} row per plane and target.
 * Writing replaces files: callers check {@link #existing} first unless asked to overwrite.
 */
public final class ExplanationWriter implements AutoCloseable {

    public static final String PREDICTIONS = "predictions.csv";

    private final Path folder;
    private final ColorMap lut;
    private final double opacity;
    private final List<PredictionsCsv.Column> columns;
    private final PredictionRows csv;

    /** Creates the folder and starts its {@value #PREDICTIONS} with these columns. */
    public ExplanationWriter(Path folder, List<PredictionsCsv.Column> columns, ColorMap lut, double opacity)
            throws IOException {
        this(folder, columns, lut, opacity, false);
    }

    /** With {@code append}, adds rows to the folder's existing {@value #PREDICTIONS} (a resumed run). */
    public ExplanationWriter(Path folder, List<PredictionsCsv.Column> columns, ColorMap lut, double opacity,
            boolean append) throws IOException {
        this(folder, columns, lut, opacity, new PredictionsCsv(Files.createDirectories(folder).resolve(PREDICTIONS),
                columns, append));
    }

    /**
     * Writes the per-image files into the folder as the other constructors do, but hands each row (the cells of
     * {@code columns}) to {@code rows} instead of {@value #PREDICTIONS}; {@code rows} is closed with this writer.
     */
    public ExplanationWriter(Path folder, List<PredictionsCsv.Column> columns, ColorMap lut, double opacity,
            PredictionRows rows) throws IOException {
        this.folder = Files.createDirectories(folder);
        this.lut = lut;
        this.opacity = Math.max(0, Math.min(1, opacity));
        this.columns = List.copyOf(columns);
        this.csv = rows;
    }

    /** The output keys and files of an image named {@code name} explained with these methods. */
    public static Map<String, Path> plan(Path folder, String name, Collection<Method> methods) {
        Map<String, Path> files = new LinkedHashMap<>();
        Method overlaid = ExplainedImage.overlayMethod(methods);
        for (Method m : Method.values()) {
            if (!methods.contains(m)) {
                continue;
            }
            files.put(m.id(), folder.resolve(name + "." + m.id() + ".tif"));
            if (m == Method.GRADCAM) {
                files.put("gradcam-raw", folder.resolve(name + ".gradcam-raw.tif"));
            }
            if (m == overlaid) {
                files.put("gradcam-overlay", folder.resolve(name + ".gradcam-overlay.png"));
            }
        }
        return files;
    }

    /** Those of {@code files} that exist already (and would be replaced). */
    public static List<Path> existing(Collection<Path> files) {
        List<Path> list = new ArrayList<>();
        for (Path p : files) {
            if (Files.exists(p)) {
                list.add(p);
            }
        }
        return list;
    }

    /** Writes the image's maps, raw map and overlay, then its CSV rows; returns output key → file written. */
    public Map<String, Path> write(ExplainedImage image) throws IOException {
        Map<String, Path> files = plan(folder, image.name(), image.methods());
        String title = image.file().getFileName().toString();
        String target = ExplainedImage.targetName(image.explanations());
        float[] slice = null; // the one image-size slice the image's TIFFs are written from, in turn
        for (Method m : image.methods()) {
            List<MapSource> sources = image.explanations().stream().map(e -> e.source(m)).toList();
            slice = slice != null ? slice : new float[sources.get(0).width() * sources.get(0).height()];
            MapFiles.writeTiff(ImagePlusImages.toWritableImagePlus(sources, m, ImagePlusImages.mapTitle(m, target,
                    title), image.calibration(), slice), files.get(m.id()));
        }
        if (files.containsKey("gradcam-raw")) {
            List<MapImage> raw = image.explanations().stream().map(Explanation::gradcamRaw).toList();
            MapFiles.writeTiff(ImagePlusImages.toImagePlus(raw, "Grad-CAM raw [" + target + "] of " + title),
                    files.get("gradcam-raw"));
        }
        Method overlaid = ExplainedImage.overlayMethod(image.methods());
        if (overlaid != null) {
            MapSource map = image.first().source(overlaid);
            Heatmap.Display base = Heatmap.Display.of(image.firstPlane());
            MapFiles.writePng(map.width(), map.height(), (y0, y1, out) -> Heatmap.blendRows(base, map, y0, y1, lut,
                    opacity, out), files.get("gradcam-overlay"));
        }
        for (int i = 0; i < image.planes().size(); i++) {
            csv.row(image.file(), PredictionsCsv.cells(columns, image.file(), image.planes().get(i) + 1,
                    image.explanations().get(i)));
        }
        csv.flush();
        return files;
    }

    /** The CSV row of a file that was not explained (unreadable, refused, or its outputs could not be written). */
    public void failed(Path file, String reason) throws IOException {
        failed(file, 0, reason);
    }

    /** The CSV row of a plane ({@code plane} 1-based; 0: the whole file) that was not explained. */
    public void failed(Path file, int plane, String reason) throws IOException {
        csv.row(file, PredictionsCsv.failedCells(columns, file, plane, reason));
        csv.flush();
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
