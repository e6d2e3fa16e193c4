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
    ABLATIONCAM("ablationcam", "Ablation-CAM"),
    /** Shrikumar et al. 2016: the input times its gradient, {@code x ⊙ ∂y_c/∂x} (Captum's InputXGradient). */
    INPUT_X_GRADIENT("input-x-gradient", "Input × Gradient"),
    /**
     * Sundararajan et al. 2017, arXiv 1703.01365: {@code (x − 0) ⊙ ∫ ∂y_c/∂x(αx) dα}, 50-point Gauss–Legendre (Captum's
     * IntegratedGradients defaults); 50 gradient passes per image and target.
     */
    INTEGRATED_GRADIENTS("integrated-gradients", "Integrated Gradients"),
    /** Smilkov et al. 2017: the mean gradient of 25 noisy copies (σ = 15 % of the input range); 25 gradient passes. */
    SMOOTHGRAD("smoothgrad", "SmoothGrad"),
    /** The mean squared gradient of SmoothGrad's noisy copies (Captum's NoiseTunnel smoothgrad_sq). */
    SMOOTHGRAD_SQ("smoothgrad-sq", "SmoothGrad-Sq"),
    /** The variance of the gradient over SmoothGrad's noisy copies (Adebayo et al. 2018; NoiseTunnel vargrad). */
    VARGRAD("vargrad", "VarGrad"),
    /** Zeiler &amp; Fergus 2014: the score drop when a window (1/8 of the input) is set to 0; one forward pass each. */
    OCCLUSION("occlusion", "Occlusion"),
    /**
     * Petsiuk et al. 2018, arXiv 1806.07421: the mean of 1,000 random smooth masks (an 8 × 8 grid, half kept), each
     * weighted by the score of the input it masks; one forward pass per mask.
     */
    RISE("rise", "RISE"),
    /**
     * Srinivas &amp; Fleuret 2019, arXiv 1905.00780 (pytorch-grad-cam's FullGrad): the input-gradient map plus, for every
     * convolution bias and batch-norm shift of the network, {@code |b ⊙ ∂y_c/∂z|} at that layer's output, each channel
     * scaled to [0, 1] and resized to the input, summed and scaled to [0, 1]; no target layer, one gradient pass
     * (the engine's {@code explain.FullGrad}).
     */
    FULLGRAD("fullgrad", "FullGrad");

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
     * Whether its map lies in [0, 1] and has no sign: the {@link #camLike CAM-like} maps and FullGrad (shown with Fire
     * from 0 to 1, where the signed maps get a symmetric grey range).
     */
    public boolean unitRange() {
        return camLike() || this == FULLGRAD;
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

    /**
     * Whether its map comes from the one session run an explanation makes anyway (the output, the layer's activations
     * and every gradient): false for the methods that run the model again, many times per image and target (Score-CAM,
     * Ablation-CAM, Integrated Gradients, the SmoothGrad family, Occlusion, RISE).
     */
    public boolean singlePass() {
        return switch (this) {
            case INTEGRATED_GRADIENTS, SMOOTHGRAD, SMOOTHGRAD_SQ, VARGRAD, OCCLUSION, RISE -> false;
            default -> !perturbs();
        };
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
            // Captum's class names, lower case
            case "inputxgradient", "input-times-gradient", "inputxgrad":
                return INPUT_X_GRADIENT;
            case "integratedgradients", "ig":
                return INTEGRATED_GRADIENTS;
            case "smoothgrad-squared", "smoothgradsq", "squaregrad":
                return SMOOTHGRAD_SQ;
            case "full-grad", "fullgrad-cam":
                return FULLGRAD;
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
