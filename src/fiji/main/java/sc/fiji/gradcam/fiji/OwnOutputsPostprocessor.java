package sc.fiji.gradcam.fiji;

import org.scijava.Priority;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPostprocessorPlugin;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.plugin.Plugin;

/**
 * Marks the outputs of {@link ShowsOwnOutputs} commands as handled before SciJava's display postprocessor
 * runs, so Fiji does not pop up a window per output value. A plain command (not a DynamicCommand) keeps
 * {@code CommandService.run(...)} returning its module for scripts.
 */
@Plugin(type = PostprocessorPlugin.class, priority = Priority.VERY_HIGH)
public class OwnOutputsPostprocessor extends AbstractPostprocessorPlugin {

    @Override
    public void process(Module module) {
        if (module.getDelegateObject() instanceof ShowsOwnOutputs) {
            for (ModuleItem<?> item : module.getInfo().outputs()) {
                module.resolveOutput(item.getName());
            }
        }
    }
}
