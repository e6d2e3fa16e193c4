package sc.fiji.gradcam.fiji;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.command.DynamicCommand;
import org.scijava.command.DynamicCommandInfo;
import org.scijava.log.LogService;
import org.scijava.module.DefaultMutableModuleItem;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.MutableModuleItem;
import org.scijava.plugin.Parameter;
import org.scijava.service.Service;
import sc.fiji.gradcam.api.ModelInfo;

/**
 * The menu face of a plain command (Grad-CAM, Grad-CAM Batch, Sanity Check): the same inputs and outputs, with the
 * same names, copied from the command's {@link CommandInfo}, plus choice lists for {@code target} and {@code layer}
 * filled from the chosen model's {@link ModelInfo} (through {@link ModelCache}) when the dialog opens and again when
 * the model changes. Running it runs the plain command with the values and hands back its outputs.
 *
 * <p>Why two classes: choice lists that change need a {@link DynamicCommand} (its items are mutable), but
 * {@code CommandService.run(...)} returns null for a command that is itself a module, and scripts call the plain
 * commands that way. So scripts keep the plain classes; menus and macros ({@code run("Grad-CAM...", ...)}) reach
 * this one, which reads every macro key the plain command has. A value that is not in a list (a tensor name, a class
 * index) is still accepted from macros and scripts: only the dialog's widgets keep to the list.
 */
public abstract class ExplanationDialog extends DynamicCommand implements ShowsOwnOutputs {

    @Parameter private ModelCache cache;
    @Parameter private CommandService commands;
    @Parameter private LogService log;

    private boolean copied;
    private final java.util.Set<String> copiedInputs = new java.util.LinkedHashSet<>();

    /** The plain command this dialog runs. */
    protected abstract Class<? extends Command> command();

    @Override
    public DynamicCommandInfo getInfo() {
        DynamicCommandInfo info = super.getInfo();
        if (!copied) {
            copied = true;
            copyItems(info);
        }
        return info;
    }

    private void copyItems(DynamicCommandInfo info) {
        CommandInfo plain = commands.getCommand(command());
        Module prototype;
        try {
            prototype = moduleService.createModule(plain);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot create " + plain.getClassName() + ": " + e, e);
        }
        for (ModuleItem<?> item : plain.inputs()) {
            if (Service.class.isAssignableFrom(item.getType()) || Context.class.isAssignableFrom(item.getType())) {
                continue;
            }
            DefaultMutableModuleItem<?> copy = copy(info, item);
            if (item.getName().equals("model")) {
                copy.setInitializer("modelChanged");
                copy.setCallback("modelChanged");
            }
            info.addInput(copy);
            copiedInputs.add(item.getName());
            Object value = prototype.getInput(item.getName());
            if (value != null) {
                setInput(item.getName(), value);
            }
        }
        for (ModuleItem<?> item : plain.outputs()) {
            info.addOutput(copy(info, item));
        }
    }

    private static <T> DefaultMutableModuleItem<T> copy(DynamicCommandInfo info, ModuleItem<T> item) {
        return new DefaultMutableModuleItem<>(info, item);
    }

    /**
     * Fills the target and layer lists from the model's labels and layer catalog; a model that cannot be read leaves
     * the lists at {@code auto} (its error comes when the command runs). Values not in the new lists become
     * {@code auto}.
     */
    protected void modelChanged() {
        ModelInfo info = null;
        Object model = getInput("model");
        if (model instanceof File folder) {
            try {
                info = cache.explainer(folder).info();
            } catch (RuntimeException e) {
                log.debug("Grad-CAM: no choices for " + folder + ": " + e.getMessage());
            }
        }
        refill("target", info == null ? List.of("auto") : ModelChoices.targets(info), info != null);
        refill("layer", info == null ? List.of("auto") : ModelChoices.layers(info), info != null);
    }

    @SuppressWarnings("unchecked")
    private void refill(String name, List<String> choices, boolean loaded) {
        ModuleItem<?> item = getInfo().getInput(name);
        if (!(item instanceof MutableModuleItem<?>) || item.getType() != String.class) {
            return;
        }
        MutableModuleItem<String> mutable = (MutableModuleItem<String>) item;
        if (!loaded && (mutable.getChoices() == null || mutable.getChoices().isEmpty())) {
            return; // never had a list: stays a text field
        }
        mutable.setChoices(choices);
        Object value = getInput(name);
        if (!isResolved(name) && (value == null || !choices.contains(value.toString()))) {
            setInput(name, "auto");
        }
    }

    @Override
    public void run() {
        Map<String, Object> inputs = new LinkedHashMap<>();
        getInfo();
        for (String name : copiedInputs) {
            inputs.put(name, getInput(name));
        }
        Module done;
        try {
            // no pre- or postprocessing of its own: this module's ran already (macro values, dialog, recording,
            // persisted inputs), and the plain command's services are injected when it is created
            done = moduleService.run(commands.getCommand(command()), false, inputs).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel("Interrupted.");
            return;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        for (ModuleItem<?> item : done.getInfo().outputs()) {
            setOutput(item.getName(), done.getOutput(item.getName()));
        }
        if (done instanceof org.scijava.Cancelable c && c.isCanceled()) {
            cancel(c.getCancelReason()); // the command reported it already
        }
    }
}
