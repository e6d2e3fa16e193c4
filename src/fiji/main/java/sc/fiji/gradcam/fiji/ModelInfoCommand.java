package sc.fiji.gradcam.fiji;

import ij.measure.ResultsTable;
import java.awt.GraphicsEnvironment;
import java.io.File;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.ModelInfo;
import sc.fiji.gradcam.api.Layer;

/** What a model takes and offers: signature, input, output, labels, and the target layers in a table. */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Model Info...")
public class ModelInfoCommand extends ContextCommand implements ShowsOwnOutputs {

    public static final String TITLE = "Grad-CAM Layers";

    @Parameter private ModelCache cache;
    @Parameter private LogService log;

    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();

    @Parameter(type = ItemIO.OUTPUT) private String info;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable layers;

    @Override
    public void run() {
        try {
            ModelInfo m = cache.explainer(model).info();
            info = m.description();
            layers = table(m);
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            cancel(e.getMessage());
            Failures.report(log, "Grad-CAM Model Info", e.getMessage());
            return;
        }
        if (!GraphicsEnvironment.isHeadless()) {
            ij.IJ.log(info);
            layers.show(TITLE);
        }
    }

    static ResultsTable table(ModelInfo catalog) {
        ResultsTable rt = new ResultsTable();
        for (Layer l : catalog.layers()) {
            rt.incrementCounter();
            rt.addValue("Layer", l.name());
            rt.addValue("Op", l.op());
            rt.addValue("Height", l.height());
            rt.addValue("Width", l.width());
            rt.addValue("Channels", l.channels());
            rt.addValue("Layout", l.layout().id());
            rt.addValue("Default", l.equals(catalog.defaultLayer()) ? "yes" : "");
            rt.addValue("Tensor", l.tensor());
        }
        return rt;
    }
}
