package sc.fiji.gradcam.fiji;

import ij.measure.ResultsTable;
import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.Arrays;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.fiji.engine.EngineLoader;

/**
 * Runs a BioImage.IO package's test inputs through its TensorFlow model and compares with its test outputs (the
 * engine's {@code GradCamEngine#verifyPackage}); shows one table row per output and PASS or FAIL in the log.
 * Macro: {@code run("Verify BioImage.IO Model...", "model=/path/to/package.zip");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Verify BioImage.IO Model...")
public class VerifyPackageCommand extends ContextCommand implements ShowsOwnOutputs {

    public static final String TITLE = "BioImage.IO Verification";

    @Parameter private LogService log;

    @Parameter(label = "Package (.zip, rdf.yaml or bioimageio.yaml)", style = FileWidget.OPEN_STYLE)
    private File model;

    @Parameter(type = ItemIO.OUTPUT) private String verdict;
    @Parameter(type = ItemIO.OUTPUT) private boolean passed;
    @Parameter(type = ItemIO.OUTPUT) private ResultsTable results;

    @Override
    public void run() {
        PackageVerification v;
        try {
            if (model == null) {
                throw new sc.fiji.gradcam.api.ModelException("No package was given.",
                        "choose a BioImage.IO package .zip or its rdf.yaml / bioimageio.yaml.");
            }
            v = EngineLoader.get().engine().verifyPackage(model.toPath());
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            cancel(e.getMessage());
            Failures.report(log, TITLE, e.getMessage());
            return;
        }
        passed = v.passed();
        results = table(v);
        verdict = (passed ? "PASS" : "FAIL") + ": " + v.name() + " (format " + v.formatVersion() + ") "
                + (passed ? "reproduces its test outputs" : "does not reproduce its test outputs")
                + " within the package's tolerance." + (v.notes().isEmpty() ? "" : " " + String.join(" ", v.notes()));
        log.info(verdict);
        if (!GraphicsEnvironment.isHeadless()) {
            ij.IJ.log(verdict);
            results.show(TITLE);
        }
    }

    static ResultsTable table(PackageVerification v) {
        ResultsTable rt = new ResultsTable();
        for (PackageVerification.OutputCheck c : v.outputs()) {
            rt.incrementCounter();
            rt.addValue("Output", c.id());
            rt.addValue("Shape", Arrays.toString(c.shape()));
            rt.addValue("Max abs diff", c.maxAbsDiff());
            rt.addValue("Mismatches", c.mismatches());
            rt.addValue("Allowed", c.allowed());
            rt.addValue("rtol", c.relativeTolerance());
            rt.addValue("atol", c.absoluteTolerance());
            rt.addValue("Result", c.passed() ? "PASS" : "FAIL");
        }
        return rt;
    }
}
