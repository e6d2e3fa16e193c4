package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.io.Csv;
import sc.fiji.gradcam.io.ImageFiles;

import sc.fiji.gradcam.image.ColorMap;

import ij.ImagePlus;
import ij.io.FileSaver;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import sc.fiji.gradcam.explain.Explanation;
import sc.fiji.gradcam.explain.Method;

/**
 * Writes a batch's files into one folder: per image {@code NAME.METHOD.tif} (32-bit, one slice per
 * plane), {@code NAME.gradcam-overlay.png} (first plane), and one {@code predictions.csv} row per plane.
 */
final class BatchWriter implements AutoCloseable {

    static final String PREDICTIONS = "predictions.csv";
    static final String OVERLAY = ".gradcam-overlay.png";
    static final String RAW = ".gradcam-raw.tif";

    private final File dir;
    private final PrintWriter csv;

    BatchWriter(File dir) throws IOException {
        this.dir = dir;
        this.csv = new PrintWriter(new File(dir, PREDICTIONS), StandardCharsets.UTF_8);
        csv.println("file,plane,predicted_index,predicted_label,predicted_probability,target_index,target_label,"
                + "target_probability,score,layer,status");
    }

    /** The image's name without extension. */
    static String baseName(File f) {
        return ImageFiles.baseName(f.toPath());
    }

    /** Files a batch over {@code images} would write. */
    static List<File> outputs(File dir, List<File> images, Set<Method> methods) {
        List<File> out = new ArrayList<>(List.of(new File(dir, PREDICTIONS)));
        for (File f : images) {
            for (Method m : methods) {
                out.add(new File(dir, baseName(f) + "." + m.id() + ".tif"));
            }
            if (methods.contains(Method.GRADCAM)) {
                out.add(new File(dir, baseName(f) + RAW));
            }
            if (methods.contains(Method.GRADCAM) || methods.contains(Method.COUNTERFACTUAL)) {
                out.add(new File(dir, baseName(f) + OVERLAY));
            }
        }
        return out;
    }

    void write(File source, ImagePlus imp, ImageExplanation r, ColorMap colors, double opacity) throws IOException {
        String name = baseName(source);
        for (Method m : r.methods()) {
            ImagePlus map = r.imagePlus(m);
            String path = new File(dir, name + "." + m.id() + ".tif").getPath();
            FileSaver saver = new FileSaver(map);
            if (!(map.getStackSize() > 1 ? saver.saveAsTiffStack(path) : saver.saveAsTiff(path))) {
                throw new IOException("cannot write " + path);
            }
        }
        if (r.methods().contains(Method.GRADCAM)) {
            writeRaw(r, new File(dir, name + RAW).getPath(), imp.getTitle());
        }
        Method shown = r.overlayMethod();
        if (shown != null) {
            int plane = r.planes().get(0);
            var base = imp.getStack().getProcessor(plane * imp.getNChannels() + 1).duplicate();
            if (imp.getBitDepth() != 24) {
                base.setMinAndMax(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
            }
            var png = new ImagePlus(name, HeatmapOverlay.blend(base, r.maps(shown).get(0), colors, opacity));
            String path = new File(dir, name + OVERLAY).getPath();
            if (!new FileSaver(png).saveAsPng(path)) {
                throw new IOException("cannot write " + path);
            }
        }
        for (int i = 0; i < r.explanations().size(); i++) {
            Explanation e = r.explanations().get(i);
            row(source.getName(), r.planes().get(i) + 1, e, e.note() == null ? "ok" : "empty map");
        }
        csv.flush();
    }

    /** The unnormalised Grad-CAM maps at feature resolution, one slice per plane. */
    private static void writeRaw(ImageExplanation r, String path, String title) throws IOException {
        var first = r.explanations().get(0).gradcamRaw();
        var stack = new ij.ImageStack(first.width(), first.height());
        for (Explanation e : r.explanations()) {
            stack.addSlice(new ij.process.FloatProcessor(first.width(), first.height(), e.gradcamRaw().data()));
        }
        ImagePlus raw = new ImagePlus("Grad-CAM raw of " + title, stack);
        FileSaver saver = new FileSaver(raw);
        if (!(stack.getSize() > 1 ? saver.saveAsTiffStack(path) : saver.saveAsTiff(path))) {
            throw new IOException("cannot write " + path);
        }
    }

    /** A row for an image that was not explained. */
    void skipped(File source, String reason) {
        csv.println(String.join(",", quote(source.getName()), "", "", "", "", "", "", "", "", "",
                quote("skipped: " + reason)));
        csv.flush();
    }

    private void row(String file, int plane, Explanation e, String status) {
        csv.println(String.join(",", quote(file), String.valueOf(plane), String.valueOf(e.predicted().index()),
                quote(e.predicted().label()), number(e.predicted().probability()), String.valueOf(e.target().index()),
                quote(e.target().label()), number(e.target().probability()), e.score().id(),
                quote(e.layer() == null ? "" : e.layer().name()), quote(status)));
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String quote(String s) {
        return Csv.cell(s);
    }

    @Override
    public void close() {
        csv.close();
    }
}
