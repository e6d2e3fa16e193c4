package sc.fiji.gradcam.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.explain.Explanation;
import sc.fiji.gradcam.explain.MapImage;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.image.ColorMap;
import sc.fiji.gradcam.image.Heatmap;
import sc.fiji.gradcam.image.InputImage;

/**
 * Writes one explanation's files into a folder: {@code NAME.gradcam.tif} (32-bit, image size, [0,1]),
 * {@code NAME.gradcam-raw.tif} (feature resolution, unnormalised), {@code NAME.gradcam-overlay.png} and
 * {@code NAME.METHOD.tif} for the other methods. Existing files are kept unless overwriting is allowed.
 */
public final class ExplanationWriter {

    private final Path folder;
    private final ColorMap lut;
    private final double opacity;
    private final boolean overwrite;

    public ExplanationWriter(Path folder, ColorMap lut, double opacity, boolean overwrite) {
        this.folder = folder;
        this.lut = lut;
        this.opacity = opacity;
        this.overwrite = overwrite;
    }

    /** The output keys and files an explanation with these methods produces for {@code name}. */
    public Map<String, Path> plan(String name, Set<Method> methods) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (Method m : methods) {
            files.put(m.id(), folder.resolve(name + "." + m.id() + ".tif"));
            if (m == Method.GRADCAM) {
                files.put("gradcam-raw", folder.resolve(name + ".gradcam-raw.tif"));
                files.put("gradcam-overlay", folder.resolve(name + ".gradcam-overlay.png"));
            }
        }
        return files;
    }

    /** Files of {@code plan} that exist already (and would be overwritten). */
    public List<Path> existing(Map<String, Path> plan) {
        List<Path> list = new ArrayList<>();
        if (!overwrite) {
            for (Path p : plan.values()) {
                if (Files.exists(p)) {
                    list.add(p);
                }
            }
        }
        return list;
    }

    /** Writes the files of {@code plan}; returns output key → path written. */
    public Map<String, Path> write(InputImage image, Explanation e, Map<String, Path> plan, String title)
            throws IOException {
        Files.createDirectories(folder);
        Map<String, Path> written = new LinkedHashMap<>();
        for (var entry : e.maps().entrySet()) {
            Method m = entry.getKey();
            Path file = plan.get(m.id());
            MapImage map = entry.getValue();
            MapFiles.writeTiff(map, m.title() + " [" + e.target().label() + "] of " + title, file);
            written.put(m.id(), file);
            if (m == Method.GRADCAM) {
                MapFiles.writeTiff(e.gradcamRaw(), "Grad-CAM raw [" + e.target().label() + "] of " + title,
                        plan.get("gradcam-raw"));
                written.put("gradcam-raw", plan.get("gradcam-raw"));
                int[] rgb = Heatmap.blend(Heatmap.display(image), map.data(), lut, opacity);
                MapFiles.writePng(rgb, map.width(), map.height(), plan.get("gradcam-overlay"));
                written.put("gradcam-overlay", plan.get("gradcam-overlay"));
            }
        }
        return written;
    }
}
