package sc.fiji.gradcam.fiji;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * {@code Plugins > Grad-CAM > Grad-CAM Sanity Check...}: the dialog of {@link SanityCheckCommand}, with the model's
 * classes and layers as choice lists (see {@link ExplanationDialog}); macros use the same keys.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Grad-CAM>Grad-CAM Sanity Check...")
public class SanityCheckDialog extends ExplanationDialog {

    @Override
    protected Class<? extends Command> command() {
        return SanityCheckCommand.class;
    }
}
