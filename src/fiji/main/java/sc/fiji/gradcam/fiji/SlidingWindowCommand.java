package sc.fiji.gradcam.fiji;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.EnumSet;
import java.util.List;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.SlidingWindow;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * A classifier's sliding window over a large image (a slide, a well): a class-probability map and a stitched
 * Grad-CAM, with the image's calibration, and a table of the windows ({@link SlidingWindow}). The image is not changed.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Sliding Window...")
public class SlidingWindowCommand extends ContextCommand implements ShowsOwnOutputs {

    @Parameter private ModelCache cache;
    @Parameter private LogService log;

    @Parameter(label = "Image") private ImagePlus image;
    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();
    @Parameter(label = "Target class", description = "auto: the class most windows predict", persist = false)
    private String target = "auto";
    @Parameter(label = "Layer", persist = false) private String layer = "auto";
    @Parameter(label = "Window (pixels)", description = "the model's input size keeps windows unresampled", min = "1",
            persist = false) private int window = 96;
    @Parameter(label = "Stride (pixels)", min = "1", persist = false) private int stride = 48;
    @Parameter(label = "Input range", description = "auto or MIN:MAX", persist = false) private String range = "auto";

    @Parameter(type = ItemIO.OUTPUT) private ImagePlus probability_map;
    @Parameter(type = ItemIO.OUTPUT) private ImagePlus gradcam_map;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable windows;
    @Parameter(type = ItemIO.OUTPUT) private String target_label;

    @Override
    public void run() {
        try {
            if (image == null) {
                throw new IllegalArgumentException("No image is open. Fix: open an image, then run the sliding window.");
            }
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(target)).withLayer(
                    ModelChoices.layerName(layer)).withMethods(EnumSet.of(Method.GRADCAM)).withPreprocessing(
                    new PreprocessingOptions(null, null, ExplanationParameters.unlessAuto(range), null).check());
            var explainer = cache.explainer(model);
            if (explainer.info().dense()) {
                throw new IllegalArgumentException("The sliding window is for classifiers; this model is dense. Fix: "
                        + "run Grad-CAM... on the image (large images are tiled).");
            }
            explainer.validate(request);
            SlidingWindow.Result r = SlidingWindow.run(explainer, ImagePlusImages.plane(image,
                    ImagePlusImages.currentPlane(image)), request, window, stride);
            target_label = r.target().label();
            probability_map = map(r.probability(), "P(" + target_label + ") of " + image.getTitle(), ColorMap.MAGMA);
            gradcam_map = map(r.gradcam(), "Grad-CAM (" + target_label + ", sliding) of " + image.getTitle(),
                    ColorMap.FIRE);
            windows = new ResultsTable();
            for (SlidingWindow.Window w : r.windows()) {
                windows.incrementCounter();
                windows.addValue("X", w.x());
                windows.addValue("Y", w.y());
                windows.addValue("Size", window);
                windows.addValue("P(" + target_label + ")", w.probability());
            }
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            cancel(e.getMessage());
            Failures.report(log, "Grad-CAM Sliding Window", e.getMessage());
            return;
        }
        if (!GraphicsEnvironment.isHeadless()) {
            probability_map.show();
            gradcam_map.show();
            windows.show("Grad-CAM Windows");
        }
    }

    private ImagePlus map(MapImage m, String title, ColorMap lut) {
        ImagePlus imp = new ImagePlus(title, new FloatProcessor(m.width(), m.height(), m.data().clone()));
        imp.setCalibration(image.getCalibration().copy());
        imp.setLut(ImagePlusImages.lut(lut));
        imp.setDisplayRange(0, 1);
        return imp;
    }
}
