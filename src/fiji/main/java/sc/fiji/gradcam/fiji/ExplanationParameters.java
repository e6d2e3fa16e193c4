package sc.fiji.gradcam.fiji;

import java.io.File;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;
import org.scijava.widget.NumberWidget;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.ColorMap;

/**
 * The parameters the Grad-CAM commands share (model, target, layer, methods, score, smoothing, preprocessing
 * overrides, overlay look) and the request they make. Macro keys are the field names. SciJava lists a superclass's
 * parameters first, so in dialogs and recorded macros these come before each command's own (the image, the
 * folders).
 */
public abstract class ExplanationParameters extends ContextCommand implements ShowsOwnOutputs {

    private static final String SLOW = "scorecam and ablationcam run the model once per channel of the layer";

    /** What runs when neither {@code methods} nor a box names a method: the boxes' defaults. */
    static final Set<Method> DEFAULT_METHODS = EnumSet.of(Method.GRADCAM, Method.GUIDED_GRADCAM);

    @Parameter private ModelCache cache;
    @Parameter protected StatusService status;
    @Parameter protected LogService log;

    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();
    @Parameter(label = "Precision", choices = {"float32", "bf16"}, description = "float32 (default) or bf16: "
            + "bfloat16 convolutions and matrix products through TensorFlow's oneDNN auto mixed precision, faster on CPUs "
            + "with avx512_bf16 or amx_bf16 (refused elsewhere); experimental: with the bundled TensorFlow 2.16 natives "
            + "its outputs were wrong where it was measured, compare with float32", persist = false)
    private String precision = "float32";
    @Parameter(label = "Target class", description = "auto (top-1), a class index or a label", persist = false)
    private String target = "auto";
    @Parameter(label = "Layer", description = "auto (last conv block) or a name from Model Info", persist = false)
    private String layer = "auto";
    // one checkbox per method (macro keys method_<id with underscores>: the bare ids are the Grad-CAM command's
    // output names, and SciJava refuses an input and an output of the same name)
    @Parameter(label = "Grad-CAM", persist = false) private boolean method_gradcam = true;
    @Parameter(label = "Counterfactual", description = "where the evidence against the class is", persist = false)
    private boolean method_counterfactual;
    @Parameter(label = "Gradient", description = "the vanilla input gradient", persist = false)
    private boolean method_gradient;
    @Parameter(label = "Guided Backprop", persist = false) private boolean method_guided_backprop;
    @Parameter(label = "Guided Grad-CAM", persist = false) private boolean method_guided_gradcam = true;
    @Parameter(label = "Grad-CAM++", persist = false) private boolean method_gradcam_plusplus;
    @Parameter(label = "XGrad-CAM", persist = false) private boolean method_xgradcam;
    @Parameter(label = "LayerCAM", persist = false) private boolean method_layercam;
    @Parameter(label = "HiResCAM", persist = false) private boolean method_hirescam;
    @Parameter(label = "EigenCAM", description = "class-agnostic", persist = false) private boolean method_eigencam;
    @Parameter(label = "EigenGrad-CAM", persist = false) private boolean method_eigengradcam;
    @Parameter(label = "Score-CAM", description = SLOW, persist = false) private boolean method_scorecam;
    @Parameter(label = "Ablation-CAM", description = SLOW, persist = false) private boolean method_ablationcam;
    @Parameter(label = "Input × Gradient", persist = false) private boolean method_input_x_gradient;
    @Parameter(label = "Integrated Gradients", description = "50 gradient passes", persist = false)
    private boolean method_integrated_gradients;
    @Parameter(label = "SmoothGrad", description = "25 gradient passes (shared with SmoothGrad-Sq, VarGrad)",
            persist = false)
    private boolean method_smoothgrad;
    @Parameter(label = "SmoothGrad-Sq", persist = false) private boolean method_smoothgrad_sq;
    @Parameter(label = "VarGrad", persist = false) private boolean method_vargrad;
    @Parameter(label = "Occlusion", description = "one forward pass per window position", persist = false)
    private boolean method_occlusion;
    @Parameter(label = "RISE", description = "1,000 forward passes (random masks)", persist = false)
    private boolean method_rise;
    @Parameter(label = "FullGrad", description = "every bias layer's gradient, one gradient pass", persist = false)
    private boolean method_fullgrad;
    @Parameter(label = "Methods (comma list; overrides the boxes)", description = "empty: the ticked boxes. Else a "
            + "comma list of gradcam, counterfactual, gradient, guided-backprop, guided-gradcam, gradcam-plusplus, "
            + "xgradcam, layercam, hirescam, eigencam, eigengradcam, scorecam, ablationcam, input-x-gradient, "
            + "integrated-gradients, smoothgrad, smoothgrad-sq, vargrad, occlusion, rise, fullgrad, or all (" + SLOW
            + "; "
            + "integrated-gradients, the smoothgrad family and occlusion 25-225 passes each, rise 1,000)",
            required = false, persist = false)
    private String methods = "";
    @Parameter(label = "Region (dense models)", description = "for segmentation, restoration and density models: "
            + "auto (the image's selection if it has one, else the model's foreground for the class), foreground, all, "
            + "roi (the selection), roi_manager (each ROI of the ROI Manager, one map set each), overlay (each ROI of the "
            + "image's overlay), or x,y,width,height", persist = false)
    protected String region = "auto";
    @Parameter(label = "Aggregate over the region", choices = {"sum", "mean"}, persist = false)
    protected String aggregate = "sum";
    @Parameter(label = "Score", choices = {"logit", "probability", "log-probability"}, persist = false)
    private String score = "logit";
    @Parameter(label = "Augmentation smoothing (pytorch-grad-cam aug_smooth)", description = "each CAM-like map is "
            + "the mean over six augmented inputs (mirrored or not, times 0.9, 1, 1.1) explaining the image's class",
            persist = false) private boolean aug_smooth;
    @Parameter(label = "Eigen smoothing (pytorch-grad-cam eigen_smooth)", description = "each CAM-like map is the "
            + "first principal component of its weighted activations instead of their sum", persist = false)
    private boolean eigen_smooth;
    @Parameter(label = "Input size", description = "auto (the model's) or WxH for models without a fixed input size",
            persist = false) private String size = "auto";
    @Parameter(label = "Resize", choices = {"auto", "stretch", "crop", "pad"}, description = "how the image meets the "
            + "input size; auto: gradcam.properties, else stretch", persist = false) private String resize = "auto";
    @Parameter(label = "Input range", description = "auto (gradcam.properties, else detected from the graph, else 0:1) "
            + "or MIN:MAX the pixel range is mapped to, e.g. 0:1, 0:255 or -1:1", persist = false)
    private String range = "auto";
    @Parameter(label = "Overlay opacity", min = "0", max = "1", stepSize = "0.05", style = NumberWidget.SLIDER_STYLE,
            persist = false) private double opacity = 0.5;
    @Parameter(label = "LUT", choices = {"Fire", "Jet", "Turbo", "Magma", "Grays"}, persist = false) private String lut = "Fire";

    private final String title;

    /** {@code title} heads the command's error messages. */
    protected ExplanationParameters(String title) {
        this.title = title;
    }

    /**
     * The request of one target; {@code auto} (or blank) size, resize and range leave a value to the model's
     * {@code gradcam.properties}, then to the graph (input size, detected range). Invalid values throw with the
     * valid choices.
     */
    protected ExplainRequest request() {
        return ExplainRequest.defaults()
                .withTargets(List.of(target == null || target.isBlank() ? "auto" : target.trim()))
                .withLayer(ModelChoices.layerName(layer))
                .withMethods(methods())
                .withScore(ScoreKind.parse(score))
                .withAugSmooth(aug_smooth)
                .withEigenSmooth(eigen_smooth)
                .withPreprocessing(new PreprocessingOptions(unlessAuto(size), unlessAuto(resize), unlessAuto(range),
                        null).check())
                .withRegion(plainRegion(region))
                .withAggregate(sc.fiji.gradcam.api.Region.Aggregate.parse(aggregate));
    }

    /** The region key's forms that need no image: auto/foreground (the model's), all, x,y,w,h. */
    static sc.fiji.gradcam.api.Region plainRegion(String region) {
        String r = region == null ? "" : region.trim().toLowerCase();
        if (r.equals("foreground") || r.equals("roi_manager") || r.equals("roi") || r.equals("overlay")) {
            return sc.fiji.gradcam.api.Region.auto();
        }
        return sc.fiji.gradcam.api.Region.parse(r);
    }

    /** The region key as given (auto, foreground, all, roi, roi_manager or x,y,w,h). */
    protected String regionKey() {
        return region == null || region.isBlank() ? "auto" : region.trim().toLowerCase();
    }

    /**
     * The methods to run: the {@code methods} list when it is given (it wins, so macros recorded or written with
     * {@code methods=[...]} replay as before), else the ticked boxes, else {@link #DEFAULT_METHODS} (a macro without
     * either key, whose absent boxes all read as unticked).
     */
    protected Set<Method> methods() {
        return chooseMethods(methods, boxes());
    }

    static Set<Method> chooseMethods(String list, Set<Method> ticked) {
        if (list != null && !list.isBlank()) {
            return Method.parseList(list);
        }
        return ticked.isEmpty() ? EnumSet.copyOf(DEFAULT_METHODS) : EnumSet.copyOf(ticked);
    }

    /** The ticked boxes, in {@link Method} order. */
    Set<Method> boxes() {
        Set<Method> set = EnumSet.noneOf(Method.class);
        boolean[] ticked = {method_gradcam, method_counterfactual, method_gradient, method_guided_backprop,
            method_guided_gradcam, method_gradcam_plusplus, method_xgradcam, method_layercam, method_hirescam,
            method_eigencam, method_eigengradcam, method_scorecam, method_ablationcam, method_input_x_gradient,
            method_integrated_gradients, method_smoothgrad, method_smoothgrad_sq, method_vargrad, method_occlusion,
            method_rise, method_fullgrad};
        Method[] all = Method.values();
        for (int i = 0; i < all.length; i++) {
            if (ticked[i]) {
                set.add(all[i]);
            }
        }
        return set;
    }

    /** The macro key of a method's box: {@code method_} and its id with underscores. */
    static String boxKey(Method m) {
        return "method_" + m.id().replace('-', '_');
    }

    static String unlessAuto(String value) {
        return value == null || value.isBlank() || value.trim().equalsIgnoreCase("auto") ? null : value.trim();
    }

    /** The model's explainer, loaded once per context (see {@link ModelCache}). */
    protected ModelExplainer explainer() {
        Precision p = Precision.parse(precision);
        if (p == Precision.BF16) {
            log.warn(title + ": precision bf16 is experimental: with the bundled TensorFlow 2.16 natives its bfloat16 "
                    + "convolutions gave wrong, run-to-run different outputs where it was measured (docs/benchmark.md, "
                    + "bfloat16); compare with precision float32 before trusting its maps.");
        }
        return cache.explainer(model, p);
    }

    /**
     * Before a run with Score-CAM or Ablation-CAM, says in the status bar and the log what they cost: one forward
     * pass per channel of the layer, per image and class (six times that with aug_smooth). Returns the message, or
     * null when the request has neither.
     */
    protected String announceCost(ModelExplainer explainer, ExplainRequest request) {
        List<Method> slow = request.methods().stream().filter(Method::perturbs).toList();
        if (slow.isEmpty()) {
            return null;
        }
        sc.fiji.gradcam.api.Layer layer = explainer.layer(request.layer());
        String message = title + ": " + slow.stream().map(Method::title).collect(java.util.stream.Collectors.joining(
                " and ")) + " run the model once per channel of layer '" + layer.name() + "' (" + layer.channels()
                + " channels) for each image" + (request.augSmooth() ? " and each of aug_smooth's six inputs" : "")
                + "; this takes much longer than Grad-CAM.";
        status.showStatus(message);
        log.info(message);
        return message;
    }

    /** The overlay's colour map. */
    protected ColorMap colors() {
        return ColorMap.parse(lut);
    }

    protected double opacity() {
        if (!(opacity >= 0 && opacity <= 1)) {
            throw new IllegalArgumentException("The overlay opacity must be between 0 and 1, not " + opacity
                    + ". Fix: e.g. opacity=0.5.");
        }
        return opacity;
    }

    /** Handles what the user can fix (cancels with the message, logs it, shows it with a screen); rethrows bugs. */
    protected void fail(RuntimeException e) {
        if (!Failures.isUserError(e)) {
            throw e;
        }
        fail(e.getMessage());
    }

    /** Cancels with the message, logs it and, with a screen, shows it. */
    protected void fail(String message) {
        cancel(message);
        Failures.report(log, title, message);
    }
}
