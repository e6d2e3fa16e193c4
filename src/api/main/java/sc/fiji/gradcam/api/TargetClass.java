package sc.fiji.gradcam.api;

import java.util.List;

/** Resolves a user's class choice: {@code auto} (top-1, returns -1), an index, or a label. */
public final class TargetClass {

    private TargetClass() {}

    public static int resolve(String target, int classes, List<String> labels) {
        String t = target == null ? "" : target.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("auto") || t.equalsIgnoreCase("top1")) {
            return -1;
        }
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).equalsIgnoreCase(t)) {
                return i;
            }
        }
        if (t.matches("-?\\d+")) {
            int i = Integer.parseInt(t);
            if (i >= 0 && i < classes) {
                return i;
            }
            throw new IllegalArgumentException("Class index " + i + " is out of range: the model has " + classes
                    + " classes. Valid: auto, 0.." + (classes - 1)
                    + (labels.isEmpty() ? "." : ", or one of " + labels + "."));
        }
        throw new IllegalArgumentException("Unknown class '" + t + "'. Valid: auto, 0.." + (classes - 1)
                + (labels.isEmpty() ? " (the model has no labels file)." : ", or one of " + labels + "."));
    }
}
