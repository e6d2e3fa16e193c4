package sc.fiji.gradcam.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The explanation methods, with the identifiers used in options, file names and JSON. */
public enum Method {
    GRADCAM("gradcam", "Grad-CAM"),
    COUNTERFACTUAL("counterfactual", "Counterfactual"),
    GRADIENT("gradient", "Gradient"),
    GUIDED_BACKPROP("guided-backprop", "Guided Backprop"),
    GUIDED_GRADCAM("guided-gradcam", "Guided Grad-CAM"),
    /** Chattopadhay et al. 2018, arXiv 1710.11063 (see {@link CamVariants}). */
    GRADCAM_PLUSPLUS("gradcam-plusplus", "Grad-CAM++"),
    /** Fu et al. 2020, arXiv 2008.02312 (see {@link CamVariants}). */
    XGRADCAM("xgradcam", "XGrad-CAM"),
    /** Jiang et al. 2021, IEEE TIP 30 (see {@link CamVariants}). */
    LAYERCAM("layercam", "LayerCAM"),
    /** Draelos &amp; Carin 2020, arXiv 2011.08891 (see {@link CamVariants}). */
    HIRESCAM("hirescam", "HiResCAM"),
    /** Muhammad &amp; Yeasin 2020, arXiv 2008.00299, class-agnostic (see {@link CamVariants}). */
    EIGENCAM("eigencam", "EigenCAM"),
    /** pytorch-grad-cam's EigenGradCAM: EigenCAM of gradients × activations (see {@link CamVariants}). */
    EIGENGRADCAM("eigengradcam", "EigenGrad-CAM"),
    /**
     * Wang et al. 2020, arXiv 1910.01279: one forward pass per channel of the layer, of the input masked by that
     * channel's upsampled activations (see {@link ScoreCam}).
     */
    SCORECAM("scorecam", "Score-CAM"),
    /**
     * Desai &amp; Ramaswamy, WACV 2020: one forward pass per channel of the layer, from the layer on with that channel
     * zeroed (see {@link AblationCam}).
     */
    ABLATIONCAM("ablationcam", "Ablation-CAM");

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
        return camLike() || this == GUIDED_GRADCAM;
    }

    /**
     * Whether its map is a class activation map: one channel from the target layer, upsampled to the image and
     * normalised to [0, 1] (Grad-CAM, the counterfactual and the CAM variants).
     */
    public boolean camLike() {
        return this == GRADCAM || this == COUNTERFACTUAL || isCamVariant();
    }

    /**
     * Whether it is one of the CAM variants pytorch-grad-cam users know: those of {@link CamVariants} (Grad-CAM++,
     * XGrad-CAM, LayerCAM, HiResCAM, EigenCAM, EigenGrad-CAM) and the {@link #perturbs perturbation} ones (Score-CAM,
     * Ablation-CAM).
     */
    public boolean isCamVariant() {
        return switch (this) {
            case GRADCAM_PLUSPLUS, XGRADCAM, LAYERCAM, HIRESCAM, EIGENCAM, EIGENGRADCAM -> true;
            default -> perturbs();
        };
    }

    /**
     * Whether its channel weights come from forward passes of their own, one per channel of the target layer
     * (Score-CAM, Ablation-CAM): K extra passes per image and target, where the gradient methods need none.
     */
    public boolean perturbs() {
        return this == SCORECAM || this == ABLATIONCAM;
    }

    public static Method parse(String s) {
        String k = s.trim().toLowerCase().replace('_', '-').replace(' ', '-');
        for (Method m : values()) {
            if (m.id.equals(k) || m.title.toLowerCase().replace(' ', '-').equals(k)) {
                return m;
            }
        }
        switch (k) {
            case "guidedbackprop", "guided-backpropagation":
                return GUIDED_BACKPROP;
            // pytorch-grad-cam's class names, lower case, and the usual short forms
            case "gradcam++", "gradcamplusplus", "gradcampp", "gradcam-pp":
                return GRADCAM_PLUSPLUS;
            case "x-gradcam":
                return XGRADCAM;
            case "layer-cam":
                return LAYERCAM;
            case "hires-cam":
                return HIRESCAM;
            case "eigen-cam":
                return EIGENCAM;
            case "eigen-gradcam", "eigen-grad-cam":
                return EIGENGRADCAM;
            default:
                throw new IllegalArgumentException("Unknown method '" + s + "'. Valid: " + ids() + " (or all).");
        }
    }

    /** Every id, comma-separated, in order. */
    public static String ids() {
        return Arrays.stream(values()).map(Method::id).collect(Collectors.joining(", "));
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
            throw new IllegalArgumentException("No method chosen. Valid: " + ids() + ".");
        }
        return set;
    }
}
