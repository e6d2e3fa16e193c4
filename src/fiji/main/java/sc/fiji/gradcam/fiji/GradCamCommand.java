package sc.fiji.gradcam.fiji;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;

/**
 * Grad-CAM of the active image: heatmap overlay, one image per map, a row per plane in the results
 * table. Macro: {@code run("Grad-CAM...", "model=[/models/x] target=auto layer=auto methods=gradcam
 * score=logit opacity=0.5 lut=Fire slices=current box");}
 */
/* the menu entry is GradCamDialog, which runs this command; scripts call this class */
@Plugin(type = Command.class)
public class GradCamCommand extends ExplanationParameters {

    @Parameter(label = "Image") private ImagePlus image;
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
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> gradcam_plusplus;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> xgradcam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> layercam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> hirescam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> eigencam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> eigengradcam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> scorecam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> ablationcam;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> input_x_gradient;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> integrated_gradients;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> smoothgrad;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> smoothgrad_sq;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> vargrad;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> occlusion;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> rise;
    @Parameter(type = ItemIO.OUTPUT) private Img<FloatType> fullgrad;
    @Parameter(type = ItemIO.OUTPUT) private List<ImagePlus> map_images;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable results;

    public GradCamCommand() {
        super("Grad-CAM");
    }

    @Override
    public void run() {
        try {
            if (image == null) {
                throw new IllegalArgumentException("No image is open. Fix: open an image, then run Grad-CAM.");
            }
            ColorMap colors = colors();
            ExplainRequest request = request();
            boolean all = allPlanes(slices);
            announceCost(explainer(), request);
            List<ExplainRequest> perRegion = regionRequests(request);
            List<ImagePlus> maps = new java.util.ArrayList<>();
            for (int i = 0; i < perRegion.size(); i++) {
                ImageExplanation result = ImageExplanation.explain(explainer(), image, perRegion.get(i), all,
                        (done, total) -> status.showProgress(done, total));
                // the overlay shows the first region's map; every region's maps come back as images
                present(result, colors, i == 0);
                maps.addAll(map_images);
            }
            map_images = List.copyOf(maps);
            if (!GraphicsEnvironment.isHeadless()) {
                map_images.forEach(ImagePlus::show);
                results.show(ResultsTables.TITLE);
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** Whether {@code slices} asks for every plane ({@code all}) or the current one. */
    static boolean allPlanes(String slices) {
        String s = slices == null ? "" : slices.trim().toLowerCase();
        if (s.equals("all")) {
            return true;
        }
        if (s.isEmpty() || s.equals("current")) {
            return false;
        }
        throw new IllegalArgumentException("Unknown slices option '" + slices + "'. Valid: current, all.");
    }

    /**
     * The requests of the region key: for a dense model, {@code auto} takes the image's area selection when it has
     * one, {@code roi} requires it, {@code roi_manager} gives one request per ROI of the ROI Manager; otherwise the
     * request as it is (a classifier refuses any region but auto).
     */
    private List<ExplainRequest> regionRequests(ExplainRequest request) {
        String key = regionKey();
        boolean dense = explainer().info().dense();
        switch (key) {
            case "roi_manager" -> {
                return RoiRegions.manager(image).stream().map(request::withRegion).toList();
            }
            case "overlay" -> {
                return RoiRegions.overlay(image).stream().map(request::withRegion).toList();
            }
            case "roi" -> {
                sc.fiji.gradcam.api.Region r = RoiRegions.of(image.getRoi(), image, 0);
                if (r == null) {
                    throw new IllegalArgumentException("region=roi needs an area selection on the image. Fix: draw "
                            + "one (rectangle, oval, freehand) or use region=auto.");
                }
                return List.of(request.withRegion(r));
            }
            case "auto" -> {
                sc.fiji.gradcam.api.Region r = dense ? RoiRegions.of(image.getRoi(), image, 0) : null;
                return List.of(r == null ? request : request.withRegion(r));
            }
            default -> {
                return List.of(request);
            }
        }
    }

    private void present(ImageExplanation result, ColorMap colors, boolean overlay) {
        Method shown = overlay ? result.overlayMethod() : null;
        List<Rectangle> boxes = null;
        if (shown != null) {
            HeatmapOverlay.install(image, result.planes(), result.maps(shown), colors, opacity());
            if (box) {
                boxes = HeatmapOverlay.installBoxes(image, result.planes(), result.maps(shown));
            }
        }
        if (results == null) {
            results = GraphicsEnvironment.isHeadless() || ResultsTable.getResultsTable(ResultsTables.TITLE) == null
                    ? new ResultsTable() : ResultsTable.getResultsTable(ResultsTables.TITLE);
        }
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
        gradcam_plusplus = result.img(Method.GRADCAM_PLUSPLUS);
        xgradcam = result.img(Method.XGRADCAM);
        layercam = result.img(Method.LAYERCAM);
        hirescam = result.img(Method.HIRESCAM);
        eigencam = result.img(Method.EIGENCAM);
        eigengradcam = result.img(Method.EIGENGRADCAM);
        scorecam = result.img(Method.SCORECAM);
        ablationcam = result.img(Method.ABLATIONCAM);
        input_x_gradient = result.img(Method.INPUT_X_GRADIENT);
        integrated_gradients = result.img(Method.INTEGRATED_GRADIENTS);
        smoothgrad = result.img(Method.SMOOTHGRAD);
        smoothgrad_sq = result.img(Method.SMOOTHGRAD_SQ);
        vargrad = result.img(Method.VARGRAD);
        occlusion = result.img(Method.OCCLUSION);
        rise = result.img(Method.RISE);
        fullgrad = result.img(Method.FULLGRAD);
        map_images = result.methods().stream().map(result::imagePlus).toList();
        if (first.note() != null) {
            log.warn("Grad-CAM: " + first.note());
        }
        // shown by run() (or read by scripts): OwnOutputsPostprocessor keeps SciJava from displaying them again
    }
}
