package sc.fiji.gradcam.explain;

import java.util.EnumSet;
import java.util.Set;

/** The explanation methods, with the identifiers used in options, file names and JSON. */
public enum Method {
    GRADCAM("gradcam", "Grad-CAM"),
    COUNTERFACTUAL("counterfactual", "Counterfactual"),
    GRADIENT("gradient", "Gradient"),
    GUIDED_BACKPROP("guided-backprop", "Guided Backprop"),
    GUIDED_GRADCAM("guided-gradcam", "Guided Grad-CAM");

    private final String id;
    private final String title;

    Method(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    /** Name shown to users, e.g. {@code Guided Grad-CAM}. */
    public String title() {
        return title;
    }

    /** Whether it needs the target layer's activations and gradients. */
    public boolean usesLayer() {
        return this == GRADCAM || this == COUNTERFACTUAL || this == GUIDED_GRADCAM;
    }

    public static Method parse(String s) {
        String k = s.trim().toLowerCase().replace('_', '-').replace(' ', '-');
        for (Method m : values()) {
            if (m.id.equals(k) || m.title.toLowerCase().replace(' ', '-').equals(k)) {
                return m;
            }
        }
        if (k.equals("guidedbackprop") || k.equals("guided-backpropagation")) {
            return GUIDED_BACKPROP;
        }
        throw new IllegalArgumentException("Unknown method '" + s + "'. Valid: gradcam, counterfactual, gradient, "
                + "guided-backprop, guided-gradcam (or all).");
    }

    /** Parses a comma-separated list; {@code all} means every method. */
    public static Set<Method> parseList(String s) {
        Set<Method> set = EnumSet.noneOf(Method.class);
        for (String part : s.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            if (part.trim().equalsIgnoreCase("all")) {
                return EnumSet.allOf(Method.class);
            }
            set.add(parse(part));
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("No method chosen. Valid: gradcam, counterfactual, gradient, "
                    + "guided-backprop, guided-gradcam.");
        }
        return set;
    }
}
