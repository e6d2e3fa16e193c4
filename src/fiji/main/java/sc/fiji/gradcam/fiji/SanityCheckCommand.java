package sc.fiji.gradcam.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.plugin.MontageMaker;
import ij.process.FloatProcessor;
import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.RankCorrelation;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * The model-randomisation sanity check of Adebayo et al. (NeurIPS 2018) on the user's model and the active image's
 * current plane: Grad-CAM and Guided Backprop of the trained model, of the model with its top layer of weights
 * re-initialised, and with every layer re-initialised (cascading from the top); the Spearman rank correlation of each
 * with the trained map; the maps side by side (a labelled stack and a montage), a results table, and one sentence in
 * the log saying what the numbers mean. The re-initialised models are copies made by the engine
 * ({@link ModelExplainer#reinitialised}); the model files and the cached model are untouched. The menu entry is
 * {@link SanityCheckDialog}; scripts call this class. Macro: {@code run("Grad-CAM Sanity Check...", "model=[...]
 * target=auto layer=auto seed=1 size=auto resize=auto range=auto");}
 */
@Plugin(type = Command.class)
public class SanityCheckCommand extends ContextCommand implements ShowsOwnOutputs {

    public static final String TITLE = "Grad-CAM Sanity Check";
    /** Below this ρ after re-initialising every layer a map counts as depending on the weights. */
    static final double DEPENDS = 0.5;

    @Parameter private ModelCache cache;
    @Parameter private LogService log;
    @Parameter private StatusService status;

    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();
    @Parameter(label = "Target class", description = "auto (the trained model's top-1), a class index or a label",
            persist = false) private String target = "auto";
    @Parameter(label = "Layer", description = "auto (last conv block) or a name from Model Info", persist = false)
    private String layer = "auto";
    @Parameter(label = "Random seed", description = "seeds the re-initialised weights", persist = false)
    private long seed = 1;
    @Parameter(label = "Input size", description = "auto (the model's) or WxH for models without a fixed input size",
            persist = false) private String size = "auto";
    @Parameter(label = "Resize", choices = {"auto", "stretch", "crop", "pad"}, persist = false)
    private String resize = "auto";
    @Parameter(label = "Input range", description = "auto (gradcam.properties, else detected, else 0:1) or MIN:MAX",
            persist = false) private String range = "auto";
    @Parameter(label = "Image") private ImagePlus image;

    @Parameter(type = ItemIO.OUTPUT) private ImagePlus maps;
    @Parameter(type = ItemIO.OUTPUT) private ImagePlus montage;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable results;
    @Parameter(type = ItemIO.OUTPUT) private String summary;
    @Parameter(type = ItemIO.OUTPUT) private double gradcam_rho_top;
    @Parameter(type = ItemIO.OUTPUT) private double gradcam_rho_all;
    @Parameter(type = ItemIO.OUTPUT) private double guided_backprop_rho_top;
    @Parameter(type = ItemIO.OUTPUT) private double guided_backprop_rho_all;

    /** One stage of the cascade: its name, the layers re-initialised, the two maps (one value per pixel). */
    private record Stage(String name, List<String> layers, Explanation explanation, float[] gradcam, float[] guided) {}

    @Override
    public void run() {
        try {
            check();
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            cancel(e.getMessage());
            Failures.report(log, TITLE, e.getMessage());
        }
    }

    private void check() {
        if (image == null || image.getWidth() == 0 || image.getStackSize() == 0) { // SciJava fills an empty one in
            throw new IllegalArgumentException("No image is open. Fix: open an image, then run the sanity check.");
        }
        ModelExplainer trained = cache.explainer(model);
        List<String> weights = trained.weightLayers();
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("The model " + model + " has no weights to re-initialise (no float "
                    + "variables: they are constants of its graph), so it cannot be randomised. Fix: use a SavedModel "
                    + "that keeps its weights as variables.");
        }
        InputImage plane = ImagePlusImages.plane(image, ImagePlusImages.currentPlane(image));
        ExplainRequest request = ExplainRequest.defaults()
                .withMethods(EnumSet.of(Method.GRADCAM, Method.GUIDED_BACKPROP))
                .withTargets(List.of(target == null || target.isBlank() ? "auto" : target.trim()))
                .withLayer(ModelChoices.layerName(layer))
                .withPreprocessing(new PreprocessingOptions(ExplanationParameters.unlessAuto(size),
                        ExplanationParameters.unlessAuto(resize), ExplanationParameters.unlessAuto(range),
                        null).check());
        trained.validate(request);
        status.showStatus(1, 3, TITLE + ": the trained model");
        Explanation t = trained.explain(plane, request).get(0);
        // every stage explains the class the trained model explained
        ExplainRequest same = request.withTargets(List.of(String.valueOf(t.target().index())));
        String top = weights.get(weights.size() - 1);
        List<Stage> stages = new ArrayList<>();
        stages.add(stage("trained", List.of(), t));
        status.showStatus(2, 3, TITLE + ": layer " + top + " re-initialised");
        stages.add(randomised("top layer re-initialised", List.of(top), trained, plane, same));
        status.showStatus(3, 3, TITLE + ": all layers re-initialised");
        stages.add(randomised("all layers re-initialised", weights, trained, plane, same));

        double[][] rho = new double[2][stages.size()];
        for (int s = 0; s < stages.size(); s++) {
            rho[0][s] = rho(stages.get(0).gradcam(), stages.get(s).gradcam());
            rho[1][s] = rho(stages.get(0).guided(), stages.get(s).guided());
        }
        gradcam_rho_top = rho[0][1];
        gradcam_rho_all = rho[0][2];
        guided_backprop_rho_top = rho[1][1];
        guided_backprop_rho_all = rho[1][2];
        results = table(stages, rho, weights.size());
        maps = stack(stages, t.target().label());
        montage = montage(maps);
        summary = reading(gradcam_rho_all, guided_backprop_rho_all, isEmpty(stages.get(0).gradcam()));
        log.info(TITLE + ": " + summary);
        status.showStatus(3, 3, TITLE + ": done");
        if (!GraphicsEnvironment.isHeadless()) {
            IJ.log(TITLE + " (" + image.getTitle() + ", class " + t.target().label() + "): " + summary);
            montage.show();
            results.show(TITLE);
        }
    }

    private Stage randomised(String name, List<String> layers, ModelExplainer trained, InputImage plane,
            ExplainRequest request) {
        // one seed for the run: the cascade's steps re-initialise the layers they share to the same values
        try (ModelExplainer copy = trained.reinitialised(layers, seed)) {
            return stage(name, layers, copy.explain(plane, request).get(0));
        }
    }

    private static Stage stage(String name, List<String> layers, Explanation e) {
        return new Stage(name, layers, e, e.maps().get(Method.GRADCAM).data(),
                collapse(e.maps().get(Method.GUIDED_BACKPROP)));
    }

    /** Summed |value| over the channels, divided by its maximum (a constant map stays 0). */
    static float[] collapse(MapImage m) {
        int plane = m.width() * m.height();
        float[] out = new float[plane];
        for (int c = 0; c < m.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                out[i] += Math.abs(m.data()[c * plane + i]);
            }
        }
        float max = 0;
        for (float v : out) {
            max = Math.max(max, v);
        }
        if (max > 0) {
            for (int i = 0; i < plane; i++) {
                out[i] /= max;
            }
        }
        return out;
    }

    /** Spearman's ρ; a constant (empty) map shares no ranking with the trained one and counts as 0. */
    static double rho(float[] trained, float[] other) {
        double r = RankCorrelation.spearman(trained, other);
        return Double.isNaN(r) ? 0 : r;
    }

    private static boolean isEmpty(float[] map) {
        for (float v : map) {
            if (v != map[0]) {
                return false;
            }
        }
        return true;
    }

    /** What the numbers mean, in one sentence. */
    static String reading(double gradcamAll, double guidedAll, boolean emptyTrained) {
        if (emptyTrained) {
            return "The trained model's Grad-CAM map is empty (no positive evidence at this layer), so the check says "
                    + "nothing about it: try another layer or target.";
        }
        String gc = gradcamAll < DEPENDS
                ? String.format(Locale.ROOT, "Grad-CAM depends on the weights (ρ = %.2f after re-initialising all "
                        + "layers): the map is not an edge detector", gradcamAll)
                : String.format(Locale.ROOT, "Warning: Grad-CAM barely changes when the weights are re-initialised "
                        + "(ρ = %.2f after re-initialising all layers): the map may show image structure rather than "
                        + "what the model learned", gradcamAll);
        String gb = guidedAll < DEPENDS
                ? String.format(Locale.ROOT, "Guided Backprop decorrelates too (ρ = %.2f)", guidedAll)
                : String.format(Locale.ROOT, "Guided Backprop stays at ρ = %.2f, so its fine detail shows the image "
                        + "more than the model", guidedAll);
        return gc + "; " + gb + ".";
    }

    private static ResultsTable table(List<Stage> stages, double[][] rho, int layers) {
        ResultsTable rt = new ResultsTable();
        for (int s = 0; s < stages.size(); s++) {
            Stage st = stages.get(s);
            rt.incrementCounter();
            rt.addValue("Stage", st.name());
            rt.addValue("Layers re-initialised", st.layers().isEmpty() ? "none"
                    : st.layers().size() == layers && layers > 1 ? "all (" + layers + ")" : String.join(", ",
                            st.layers()));
            rt.addValue("Grad-CAM rho", rho[0][s]);
            rt.addValue("Guided Backprop rho", rho[1][s]);
            rt.addValue("Predicted", st.explanation().predicted().label());
            rt.addValue("Target probability", st.explanation().target().probability());
        }
        rt.setDecimalPlaces(rt.getColumnIndex("Grad-CAM rho"), 3);
        rt.setDecimalPlaces(rt.getColumnIndex("Guided Backprop rho"), 3);
        return rt;
    }

    /** Grad-CAM's three maps, then Guided Backprop's: 32-bit, 0..1, the image's calibration, Fire. */
    private ImagePlus stack(List<Stage> stages, String className) {
        int w = image.getWidth();
        int h = image.getHeight();
        ImageStack stack = new ImageStack(w, h);
        for (String method : new String[] {"Grad-CAM", "Guided Backprop"}) {
            for (Stage s : stages) {
                float[] values = method.equals("Grad-CAM") ? s.gradcam() : s.guided();
                stack.addSlice(method + ", " + s.name(), new FloatProcessor(w, h, values.clone()));
            }
        }
        ImagePlus imp = new ImagePlus(TITLE + " [" + className + "] of " + image.getTitle(), stack);
        Calibration cal = image.getCalibration().copy();
        cal.disableDensityCalibration();
        imp.setCalibration(cal);
        imp.setLut(ImagePlusImages.lut(ColorMap.FIRE));
        imp.setDisplayRange(0, 1);
        return imp;
    }

    /** The stack as one image: a row per method, a column per stage, each tile labelled. */
    private static ImagePlus montage(ImagePlus stack) {
        int columns = 3;
        int rows = stack.getStackSize() / columns;
        double scale = Math.max(1, Math.min(4, 160.0 / Math.max(stack.getWidth(), stack.getHeight())));
        ImagePlus m = new MontageMaker().makeMontage2(stack, columns, rows, scale, 1, stack.getStackSize(), 1, 2,
                true);
        m.setTitle(stack.getTitle().replace(TITLE, TITLE + " montage"));
        m.setLut(ImagePlusImages.lut(ColorMap.FIRE));
        m.setDisplayRange(0, 1);
        Calibration cal = stack.getCalibration().copy();
        cal.pixelWidth /= scale;
        cal.pixelHeight /= scale;
        m.setCalibration(cal);
        return m;
    }
}
