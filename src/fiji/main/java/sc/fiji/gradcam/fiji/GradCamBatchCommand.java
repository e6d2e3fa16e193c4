package sc.fiji.gradcam.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.io.ExplanationWriter;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * Grad-CAM of every image in a folder (every plane of stacks), written by {@link ExplanationWriter} like the
 * CLI's files, with the batch's {@code predictions.csv} columns (a row per plane). Nothing is written when any
 * output exists already, unless {@code overwrite}; unreadable files are reported and skipped; cancellable between
 * images (Esc in Fiji).
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Batch...")
public class GradCamBatchCommand extends ExplanationParameters {

    @Parameter(label = "Input folder", style = FileWidget.DIRECTORY_STYLE) private File input;
    @Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE) private File output;
    @Parameter(label = "Overwrite existing outputs", persist = false) private boolean overwrite;

    @Parameter(type = ItemIO.OUTPUT) private int processed;
    @Parameter(type = ItemIO.OUTPUT) private int skipped;

    public GradCamBatchCommand() {
        super("Grad-CAM Batch");
    }

    @Override
    public void run() {
        try {
            ColorMap colors = colors();
            ExplainRequest request = request();
            List<File> files = images();
            checkOutputs(files, request);
            ModelExplainer explainer = explainer();
            explainer.validate(request);
            announceCost(explainer, request);
            try (ExplanationWriter writer = new ExplanationWriter(output.toPath(), PredictionsCsv.BATCH, colors,
                    opacity())) {
                for (int i = 0; i < files.size() && !stopped(); i++) {
                    status.showStatus(i, files.size(), "Grad-CAM: " + files.get(i).getName());
                    explainOne(explainer, request, files.get(i), writer);
                }
            }
            status.showStatus(files.size(), files.size(), "Grad-CAM: " + processed + " images done");
        } catch (IOException e) {
            fail("Cannot write to " + output + ": " + e.getMessage() + ". Fix: choose a writable output folder.");
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void explainOne(ModelExplainer explainer, ExplainRequest request, File file, ExplanationWriter writer)
            throws IOException {
        Opener opener = new Opener();
        opener.setSilentMode(true);
        ImagePlus imp = opener.openImage(file.getPath());
        if (imp == null) {
            skip(file, "not an image ImageJ can read", writer);
            return;
        }
        try {
            writer.write(ImageExplanation.explain(explainer, imp, request, true, (a, b) -> {}).toExplainedImage(file.toPath()));
            processed++;
        } catch (IllegalArgumentException e) {
            skip(file, e.getMessage(), writer);
        }
    }

    private void skip(File file, String reason, ExplanationWriter writer) throws IOException {
        log.warn("Grad-CAM batch: skipped " + file.getName() + ": " + reason);
        writer.failed(file.toPath(), reason);
        skipped++;
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

    /** Refuses the batch, before anything is written, when any file it would write exists (unless overwriting). */
    private void checkOutputs(List<File> files, ExplainRequest request) {
        Path dir = output.toPath();
        List<Path> planned = new ArrayList<>(List.of(dir.resolve(ExplanationWriter.PREDICTIONS)));
        for (File f : files) {
            planned.addAll(ExplanationWriter.plan(dir, ImageFiles.baseName(f.toPath()), request.methods()).values());
        }
        List<Path> existing = ExplanationWriter.existing(planned);
        if (!existing.isEmpty() && !overwrite) {
            throw new IllegalArgumentException("The output folder already holds " + existing.size() + " of the files "
                    + "this batch writes (e.g. " + existing.get(0).getFileName() + "). Fix: choose an empty output "
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
}
