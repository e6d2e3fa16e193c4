package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.image.ColorMap;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.io.File;
import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import org.scijava.widget.NumberWidget;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Explanation;
import sc.fiji.gradcam.explain.Method;

/**
 * Grad-CAM of the active image: heatmap overlay, one image per map, a row per plane in the results
 * table. Macro: {@code run("Grad-CAM...", "model=[/models/x] target=auto layer=auto methods=gradcam
 * score=logit opacity=0.5 lut=Fire slices=current box");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM...")
public class GradCamCommand extends ContextCommand implements ShowsOwnOutputs {

    @Parameter private ModelCache cache;
    @Parameter private StatusService status;
    @Parameter private LogService log;

    @Parameter(label = "Image") private ImagePlus image;
    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();
    @Parameter(label = "Target class", description = "auto (top-1), a class index or a label", persist = false)
    private String target = "auto";
    @Parameter(label = "Layer", description = "auto (last conv block) or a name from Model Info", persist = false)
    private String layer = "auto";
    @Parameter(label = "Methods", description = "comma list: gradcam, counterfactual, gradient, guided-backprop, "
            + "guided-gradcam, or all", persist = false) private String methods = "gradcam,guided-gradcam";
    @Parameter(label = "Score", choices = {"logit", "probability", "log-probability"}, persist = false)
    private String score = "logit";
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
    @Parameter(label = "Slices", choices = {"current", "all"}, persist = false) private String slices = "current";
    @Parameter(label = "Box around the hot region", persist = false) private boolean box;

    @Parameter(type = ItemIO.OUTPUT) private String predicted_label;
    @Parameter(type = ItemIO.OUTPUT) private double predicted_probability;
    @Parameter(type = ItemIO.OUTPUT) private String target_label;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> gradcam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> counterfactual;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> gradient;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> guided_backprop;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> guided_gradcam;
    @Parameter(type = ItemIO.OUTPUT) private List<ImagePlus> map_images;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable results;

    @Override
    public void run() {
        try {
            if (image == null) {
                throw new IllegalArgumentException("No image is open. Fix: open an image, then run Grad-CAM.");
            }
            ColorMap colors = ColorMap.parse(lut);
            ExplainRequest request = RequestOptions.of(target, layer, methods, score, size, resize, range);
            boolean all = RequestOptions.allPlanes(slices);
            ImageExplanation result = ImageExplanation.explain(cache.explainer(model), image, request, all,
                    (done, total) -> status.showProgress(done, total));
            present(result, colors);
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            cancel(e.getMessage());
            Failures.report(log, "Grad-CAM", e.getMessage());
        }
    }

    private void present(ImageExplanation result, ColorMap colors) {
        Method shown = result.overlayMethod();
        List<Rectangle> boxes = null;
        if (shown != null) {
            HeatmapOverlay.install(image, result.planes(), result.maps(shown), colors, opacity);
            if (box) {
                boxes = HeatmapOverlay.installBoxes(image, result.planes(), result.maps(shown));
            }
        }
        results = GraphicsEnvironment.isHeadless() || ResultsTable.getResultsTable(ResultsTables.TITLE) == null
                ? new ResultsTable() : ResultsTable.getResultsTable(ResultsTables.TITLE);
        ResultsTables.append(results, result, boxes);
        Explanation first = result.first();
        predicted_label = first.predicted().label();
        predicted_probability = first.predicted().probability();
        target_label = first.target().label();
        gradcam = result.img(Method.GRADCAM);
        counterfactual = result.img(Method.COUNTERFACTUAL);
        gradient = result.img(Method.GRADIENT);
        guided_backprop = result.img(Method.GUIDED_BACKPROP);
        guided_gradcam = result.img(Method.GUIDED_GRADCAM);
        map_images = result.methods().stream().map(result::imagePlus).toList();
        if (first.note() != null) {
            log.warn("Grad-CAM: " + first.note());
        }
        if (!GraphicsEnvironment.isHeadless()) {
            map_images.forEach(ImagePlus::show);
            results.show(ResultsTables.TITLE);
        }
        // shown above (or read by scripts): OwnOutputsPostprocessor keeps SciJava from displaying them again
    }
}
