package sc.fiji.gradcam.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.InputRange;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.image.Preprocessing;

/**
 * The summary of an explain run: one entry per image (plane) and target, in the order they are added, as JSON (the
 * scripted contract) and text. Entries hold only small values, so memory stays bounded over thousands of images.
 */
final class Report {

    private final String model;
    private final String layer;
    private final double loadMs;
    private final List<Map<String, Object>> images = new ArrayList<>();
    private int errors;
    private Preprocessing preprocessing;
    private InputRange range;
    private boolean augSmooth;
    private boolean eigenSmooth;
    private java.io.Writer journal;
    private boolean loadCounted;
    private String precision = "float32";

    Report(String model, String layer, double loadMs) {
        this.model = model;
        this.layer = layer;
        this.loadMs = loadMs;
    }

    /** The preprocessing every image got, and where its value range came from. */
    void preprocessing(Preprocessing p, InputRange r) {
        preprocessing = p;
        range = r;
    }

    /** What the session computed in ({@code float32} or {@code bf16}). */
    void precision(String p) {
        precision = p;
    }

    /** The smoothing every map got (pytorch-grad-cam's {@code aug_smooth} and {@code eigen_smooth}). */
    void smoothing(boolean aug, boolean eigen) {
        augSmooth = aug;
        eigenSmooth = eigen;
    }

    /** The entry of an explained plane ({@code plane} 1-based) for one target. */
    void add(Path file, int plane, Explanation e, Map<String, Path> outputs, Map<String, Double> timings) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("image", file.toString());
        o.put("plane", plane);
        o.put("predicted", prediction(e.predicted()));
        o.put("top5", e.top5().stream().map(Report::prediction).toList());
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("index", e.target().index());
        target.put("label", e.target().label());
        target.put("probability", e.target().probability());
        o.put("target", target);
        if (e.region() != null) {
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("asked", e.region().asked().describe());
            region.put("aggregate", e.region().aggregate().id());
            region.put("pixels", e.region().pixels());
            region.put("output_width", e.region().outputWidth());
            region.put("output_height", e.region().outputHeight());
            region.put("value", e.region().value());
            region.put("note", e.region().note());
            o.put("region", region);
        }
        o.put("score", e.score().id());
        o.put("layer", e.layer() == null ? null : e.layer().name());
        o.put("aug_smooth", augSmooth);
        o.put("eigen_smooth", eigenSmooth);
        o.put("raw_max", e.gradcamRaw() == null ? null : e.rawMax());
        o.put("empty_map", e.emptyMap());
        o.put("note", e.note());
        Map<String, String> outs = new LinkedHashMap<>();
        outputs.forEach((k, v) -> outs.put(k, v.toString()));
        o.put("outputs", outs);
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("load", loadCounted ? 0.0 : loadMs);
        loadCounted = true;
        t.putAll(timings);
        o.put("timings_ms", t);
        o.put("error", null);
        append(o);
    }

    /**
     * Appends every entry from now on as one JSON line to {@code file} (flushed at once, so that a killed run keeps
     * them); with {@code keep} non-null, first keeps only the entries of those images from the file's earlier lines
     * (a resumed run) and rewrites it.
     */
    void journal(Path file, Set<String> keep) throws IOException {
        List<String> kept = new ArrayList<>();
        if (keep != null && Files.isRegularFile(file)) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            for (String line : end < 0 ? List.<String>of() : text.substring(0, end).lines().toList()) {
                Map<String, Object> o = Json.read(line);
                if (keep.contains(String.valueOf(o.get("image")))) {
                    Object plane = o.get("plane");
                    if (plane instanceof Number n) {
                        o.put("plane", n.intValue());
                    }
                    images.add(o);
                    kept.add(line);
                }
            }
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".part");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        journal = Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }

    /** Ends the journal. */
    void closeJournal() throws IOException {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    private void append(Map<String, Object> o) {
        images.add(o);
        if (journal != null) {
            try {
                journal.write(Json.line(o));
                journal.write('\n');
                journal.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The entry of a file ({@code plane} null) or of one of its planes (1-based) that was not explained. */
    void addError(Path file, Integer plane, String message) {
        errors++;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("image", file.toString());
        o.put("plane", plane);
        o.put("error", message == null ? "unknown error" : message);
        append(o);
    }

    int errors() {
        return errors;
    }

    private static Map<String, Object> prediction(Prediction p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("index", p.index());
        o.put("label", p.label());
        o.put("probability", p.probability());
        return o;
    }

    String json() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model);
        o.put("layer", layer);
        o.put("aug_smooth", augSmooth);
        o.put("eigen_smooth", eigenSmooth);
        o.put("load_ms", loadMs);
        o.put("precision", precision);
        o.put("errors", errors);
        if (preprocessing != null) {
            o.put("preprocessing", preprocessing.describe());
            o.put("input_range", range.range());
            o.put("input_range_source", range.source());
            o.put("input_range_reason", range.reason());
        }
        o.put("images", images);
        return Json.write(o);
    }

    void writeJson(Path file) throws IOException {
        Files.writeString(file, json() + "\n", StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    String text() {
        StringBuilder b = new StringBuilder();
        if (preprocessing != null) {
            b.append("Preprocessing: ").append(preprocessing.describe()).append(" (range: ").append(range.reason())
                    .append(")").append(System.lineSeparator());
        }
        Set<Object> stacks = new HashSet<>();
        for (Map<String, Object> o : images) {
            if (o.get("plane") instanceof Integer p && p > 1) {
                stacks.add(o.get("image"));
            }
        }
        for (Map<String, Object> o : images) {
            boolean stack = stacks.contains(o.get("image")) && o.get("plane") != null;
            String name = Path.of(String.valueOf(o.get("image"))).getFileName()
                    + (stack ? " (plane " + o.get("plane") + ")" : "");
            if (o.get("error") != null) {
                b.append(String.format(Locale.ROOT, "%-40s ERROR %s%n", name, o.get("error")));
                continue;
            }
            Map<String, Object> p = (Map<String, Object>) o.get("predicted");
            Map<String, Object> t = (Map<String, Object>) o.get("target");
            b.append(String.format(Locale.ROOT, "%-40s %s (%.3f)  explained: %s%s%n", name, p.get("label"),
                    (Double) p.get("probability"), t.get("label"), o.get("note") != null ? "  [empty map]" : ""));
        }
        b.append(images.size() - errors).append(" explained, ").append(errors).append(" failed");
        return b.toString();
    }
}
