package sc.fiji.gradcam.fiji;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * {@code Plugins > Grad-CAM > Grad-CAM...}: Grad-CAM of the active image, the dialog of {@link GradCamCommand} with the model's classes and layers
 * as choice lists (see {@link ExplanationDialog}); macros {@code run("Grad-CAM...", ...)} use the same keys.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM...")
public class GradCamDialog extends ExplanationDialog {

    @Override
    protected Class<? extends Command> command() {
        return GradCamCommand.class;
    }
}
