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
import sc.fiji.gradcam.explain.PreprocessingOptions;
import sc.fiji.gradcam.graph.Layer;
import sc.fiji.gradcam.graph.LayerCatalog;
import sc.fiji.gradcam.model.LoadedModel;

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
            LoadedModel m = cache.explainer(model).model();
            info = describe(m);
            layers = table(m.catalog());
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

    static String describe(LoadedModel m) {
        StringBuilder b = new StringBuilder();
        b.append("Model: ").append(m.source()).append('\n');
        b.append("Graph: ").append(m.style()).append(", ").append(m.opCount()).append(" ops\n");
        b.append("Signatures: ").append(m.signatureKeys()).append(" (using '").append(m.signature().key())
                .append("')\n");
        m.signature().inputs().forEach(t -> b.append("Input: ").append(t).append('\n'));
        m.signature().outputs().forEach(t -> b.append("Output: ").append(t).append('\n'));
        b.append("Classes: ").append(m.classes()).append(m.labels().isEmpty() ? " (no labels file)" : " " + m.labels())
                .append(m.singleUnitBinary() ? " from one output unit (binary: 0 = negative, 1 = positive)" : "")
                .append('\n');
        b.append("Input range: ").append(PreprocessingOptions.none().inputRange(m).describe()).append('\n');
        b.append("Input layout: ").append(m.inputLayout().describe()).append('\n');
        b.append("Default layer: ").append(m.catalog().defaultLayer() == null ? "none" : m.catalog().defaultLayer()
                .name()).append(" — ").append(m.catalog().reason()).append('\n');
        m.properties().forEach((k, v) -> b.append("gradcam.properties: ").append(k).append('=').append(v).append('\n'));
        m.warnings().forEach(w -> b.append("Warning: ").append(w).append('\n'));
        return b.toString();
    }

    static ResultsTable table(LayerCatalog catalog) {
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
