package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.image.ColorMap;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;

/**
 * Grad-CAM of every image in a folder (every plane of stacks), written by {@link BatchWriter}. Existing
 * outputs are kept unless {@code overwrite}; unreadable files are reported and skipped; cancellable
 * between images (Esc in Fiji).
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Batch...")
public class GradCamBatchCommand extends ContextCommand implements ShowsOwnOutputs {

    @Parameter private ModelCache cache;
    @Parameter private StatusService status;
    @Parameter private LogService log;

    @Parameter(label = "Input folder", style = FileWidget.DIRECTORY_STYLE) private File input;
    @Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE) private File output;
    @Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE) private File model = ModelCache.defaultModel();
    @Parameter(label = "Target class", persist = false) private String target = "auto";
    @Parameter(label = "Layer", persist = false) private String layer = "auto";
    @Parameter(label = "Methods", persist = false) private String methods = "gradcam,guided-gradcam";
    @Parameter(label = "Score", choices = {"logit", "probability", "log-probability"}, persist = false)
    private String score = "logit";
    @Parameter(label = "Input size", description = "auto (the model's) or WxH for models without a fixed input size",
            persist = false) private String size = "auto";
    @Parameter(label = "Resize", choices = {"auto", "stretch", "crop", "pad"}, description = "how the image meets the "
            + "input size; auto: gradcam.properties, else stretch", persist = false) private String resize = "auto";
    @Parameter(label = "Input range", description = "auto (gradcam.properties, else detected from the graph, else 0:1) "
            + "or MIN:MAX the pixel range is mapped to, e.g. 0:1, 0:255 or -1:1", persist = false)
    private String range = "auto";
    @Parameter(label = "Overlay opacity", min = "0", max = "1", persist = false) private double opacity = 0.5;
    @Parameter(label = "LUT", choices = {"Fire", "Jet", "Turbo", "Magma", "Grays"}, persist = false) private String lut = "Fire";
    @Parameter(label = "Overwrite existing outputs", persist = false) private boolean overwrite;

    @Parameter(type = ItemIO.OUTPUT) private int processed;
    @Parameter(type = ItemIO.OUTPUT) private int skipped;

    @Override
    public void run() {
        try {
            ColorMap colors = ColorMap.parse(lut);
            ExplainRequest request = RequestOptions.of(target, layer, methods, score, size, resize, range);
            List<File> files = images();
            checkOutputs(files, request);
            Explainer explainer = cache.explainer(model);
            explainer.validate(request);
            try (BatchWriter writer = new BatchWriter(output)) {
                for (int i = 0; i < files.size() && !stopped(); i++) {
                    status.showStatus(i, files.size(), "Grad-CAM: " + files.get(i).getName());
                    explainOne(explainer, request, files.get(i), writer, colors);
                }
            }
            status.showStatus(files.size(), files.size(), "Grad-CAM: " + processed + " images done");
        } catch (IOException e) {
            fail("Cannot write to " + output + ": " + e.getMessage() + ". Fix: choose a writable output folder.");
        } catch (RuntimeException e) {
            if (!Failures.isUserError(e)) {
                throw e;
            }
            fail(e.getMessage());
        }
    }

    private void explainOne(Explainer explainer, ExplainRequest request, File file, BatchWriter writer,
            ColorMap colors) throws IOException {
        Opener opener = new Opener();
        opener.setSilentMode(true);
        ImagePlus imp = opener.openImage(file.getPath());
        if (imp == null) {
            log.warn("Grad-CAM batch: skipped " + file.getName() + ": not an image ImageJ can read.");
            writer.skipped(file, "not an image ImageJ can read");
            skipped++;
            return;
        }
        try {
            writer.write(file, imp, ImageExplanation.explain(explainer, imp, request, true, (a, b) -> {}), colors,
                    opacity);
            processed++;
        } catch (IllegalArgumentException e) {
            log.warn("Grad-CAM batch: skipped " + file.getName() + ": " + e.getMessage());
            writer.skipped(file, e.getMessage());
            skipped++;
        }
    }

    private List<File> images() {
        if (input == null || !input.isDirectory()) {
            throw new IllegalArgumentException("The input folder " + input + " does not exist. Fix: choose a folder "
                    + "of images.");
        }
        if (output == null || (!output.isDirectory() && !output.mkdirs())) {
            throw new IllegalArgumentException("The output folder " + output + " cannot be created. Fix: choose a "
                    + "writable folder.");
        }
        if (input.getAbsoluteFile().toPath().normalize().equals(output.getAbsoluteFile().toPath().normalize())) {
            throw new IllegalArgumentException("The output folder is the input folder. Fix: choose another output "
                    + "folder, so results are not read as images next time.");
        }
        File[] all = input.listFiles(f -> f.isFile() && !f.isHidden() && !f.getName().startsWith("."));
        Arrays.sort(all);
        return List.of(all);
    }

    private void checkOutputs(List<File> files, ExplainRequest request) {
        List<File> existing = BatchWriter.outputs(output, files, request.methods()).stream().filter(File::exists)
                .toList();
        if (!existing.isEmpty() && !overwrite) {
            throw new IllegalArgumentException("The output folder already holds " + existing.size() + " of the files "
                    + "this batch writes (e.g. " + existing.get(0).getName() + "). Fix: choose an empty output "
                    + "folder, or tick 'Overwrite existing outputs' (overwrite=true).");
        }
    }

    private boolean stopped() {
        if (IJ.escapePressed() && !isCanceled()) {
            cancel("Stopped with Esc.");
        }
        if (isCanceled()) {
            log.info("Grad-CAM batch stopped after " + processed + " images: " + getCancelReason());
        }
        return isCanceled();
    }

    private void fail(String message) {
        cancel(message);
        Failures.report(log, "Grad-CAM Batch", message);
    }
}
