package sc.fiji.gradcam.fiji;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ModelInfo;

/**
 * The dialogs' choice lists for a model, from its {@link ModelInfo}: target classes ({@code auto}, then the labels)
 * and layers ({@code auto}, the default layer, then the others from the output side, each with its size, e.g.
 * {@code block4/relu (12×12×256)}). {@link #layerName} turns a chosen (or recorded) entry back into the layer name.
 */
final class ModelChoices {

    /** A layer entry's size suffix: {@code " (H×W×C)"}, {@code ?} for a size unknown before a forward pass. */
    private static final Pattern SIZE = Pattern.compile("^(.+) \\((?:\\d+|\\?)[×x](?:\\d+|\\?)[×x](?:\\d+|\\?)\\)$");

    private ModelChoices() {}

    /** {@code auto}, then the labels (the class indices for a model without a labels file). */
    static List<String> targets(ModelInfo info) {
        List<String> out = new ArrayList<>();
        out.add("auto");
        for (int i = 0; i < info.classes(); i++) {
            String label = i < info.labels().size() ? info.labels().get(i) : null;
            out.add(label == null || label.isBlank() || out.contains(label) ? String.valueOf(i) : label);
        }
        return out;
    }

    /** {@code auto}, the default layer, then the other layers, closest to the output first. */
    static List<String> layers(ModelInfo info) {
        List<String> out = new ArrayList<>();
        out.add("auto");
        if (info.defaultLayer() != null) {
            out.add(label(info.defaultLayer()));
        }
        List<Layer> rest = new ArrayList<>(info.layers());
        java.util.Collections.reverse(rest);
        for (Layer l : rest) {
            String s = label(l);
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** {@code name (H×W×C)}. */
    static String label(Layer l) {
        return l.name() + " (" + size(l.height()) + "×" + size(l.width()) + "×" + size(l.channels()) + ")";
    }

    private static String size(long n) {
        return n < 0 ? "?" : String.valueOf(n);
    }

    /**
     * The layer an entry names: the entry without its size suffix; anything else (auto, a name, a tensor typed in a
     * macro) as given.
     */
    static String layerName(String entry) {
        if (entry == null || entry.isBlank()) {
            return "auto";
        }
        String s = entry.trim();
        Matcher m = SIZE.matcher(s);
        return m.matches() ? m.group(1) : s;
    }
}
