package sc.fiji.gradcam.fiji;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * {@code Plugins > Grad-CAM > Grad-CAM Batch...}: Grad-CAM of every image in a folder, the dialog of {@link GradCamBatchCommand} with the model's classes and layers
 * as choice lists (see {@link ExplanationDialog}); macros {@code run("Grad-CAM Batch...", ...)} use the same keys.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Batch...")
public class GradCamBatchDialog extends ExplanationDialog {

    @Override
    protected Class<? extends Command> command() {
        return GradCamBatchCommand.class;
    }
}
