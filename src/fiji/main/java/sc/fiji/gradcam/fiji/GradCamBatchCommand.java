package sc.fiji.gradcam.fiji;

import ij.IJ;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.batch.BatchListener;
import sc.fiji.gradcam.api.batch.BatchOptions;
import sc.fiji.gradcam.api.batch.BatchRunner;
import sc.fiji.gradcam.api.batch.BatchSummary;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * Grad-CAM of every image in a folder (every plane of stacks), run by the same {@link BatchRunner} as the CLI's
 * {@code explain} (same files, refusal rules, per-image isolation and crash-safe writing), with the batch's {@code
 * predictions.csv} columns (a row per plane). Nothing is written when any output exists already, unless {@code
 * overwrite} (replace) or {@code resume} (continue a killed or partial run: complete images are kept); a file that
 * cannot be explained is a {@code skipped: <why>} row and a log line; cancellable between chunks (Esc in Fiji).
 */
/* the menu entry is GradCamBatchDialog, which runs this command; scripts call this class */
@Plugin(type = Command.class)
public class GradCamBatchCommand extends ExplanationParameters {

    @Parameter(label = "Input folder", style = FileWidget.DIRECTORY_STYLE) private File input;
    @Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE) private File output;
    @Parameter(label = "Overwrite existing outputs", persist = false) private boolean overwrite;
    @Parameter(label = "Resume an earlier run into the output folder", persist = false) private boolean resume;
    @Parameter(label = "Region masks (dense models)", description = "optional: a mask image, or a folder of masks "
            + "named like the images (NAME.tif, NAME.png, NAME_mask.tif); their non-zero pixels are the region",
            required = false, persist = false) private File mask;

    @Parameter(type = ItemIO.OUTPUT) private int processed;
    @Parameter(type = ItemIO.OUTPUT) private int skipped;

    public GradCamBatchCommand() {
        super("Grad-CAM Batch");
    }

    @Override
    public void run() {
        try {
            if (input == null || !input.isDirectory()) {
                throw new IllegalArgumentException("The input folder " + input + " does not exist. Fix: choose a "
                        + "folder of images.");
            }
            if (output == null) {
                throw new IllegalArgumentException("No output folder was given. Fix: choose one.");
            }
            ExplainRequest request = request();
            if (mask != null && !mask.getPath().isBlank()) {
                request = request.withRegion(sc.fiji.gradcam.api.Region.maskFiles(mask.toPath()));
            }
            request.preprocessing().check();
            BatchOptions options = BatchOptions.of(input.toPath(), output.toPath(), request, PredictionsCsv.BATCH)
                    .withLook(colors(), opacity()).withExisting(overwrite, resume);
            BatchRunner.check(options);
            ModelExplainer explainer = explainer();
            explainer.validate(request);
            announceCost(explainer, request);
            BatchSummary summary = BatchRunner.run(explainer, options, new BatchListener() {
                @Override
                public void failed(Path file, Integer plane, String reason) {
                    log.warn("Grad-CAM batch: skipped " + file.getFileName() + (plane == null ? "" : " plane " + plane)
                            + ": " + reason);
                }

                @Override
                public void progress(int done, int total) {
                    status.showStatus(done, total, "Grad-CAM: " + done + " of " + total + " images");
                }

                @Override
                public boolean stopRequested() {
                    return stopped();
                }
            });
            processed = summary.explained() + summary.kept();
            skipped = summary.failed();
            status.showStatus(summary.files(), summary.files(), "Grad-CAM: " + processed + " images done"
                    + (summary.kept() > 0 ? " (" + summary.kept() + " kept from the earlier run)" : ""));
        } catch (IOException e) {
            fail("Cannot write to " + output + ": " + e.getMessage() + ". Fix: choose a writable output folder.");
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private boolean stopped() {
        if (!java.awt.GraphicsEnvironment.isHeadless() && IJ.escapePressed() && !isCanceled()) {
            cancel("Stopped with Esc.");
        }
        if (isCanceled()) {
            log.info("Grad-CAM batch stopped: " + getCancelReason());
        }
        return isCanceled();
    }
}
