package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ModelInfo;

/**
 * The menu commands ({@link ExplanationDialog}s): the plain commands' inputs and outputs under the same names, target
 * and layer as choice lists of the chosen model (refilled when the model changes), values outside the lists still
 * accepted from macros and scripts, and the plain commands still returned by {@code CommandService.run}.
 */
class ExplanationDialogTest {

    private static List<String> names(Iterable<ModuleItem<?>> items) {
        return StreamSupport.stream(items.spliterator(), false)
                .filter(i -> !Service.class.isAssignableFrom(i.getType()) && i.getType() != Context.class)
                .map(ModuleItem::getName).toList();
    }

    /** A dialog module as the menu creates it, initialised (the model's initializer has run). */
    private static Module dialog(Context c, Class<? extends ExplanationDialog> type, java.io.File model)
            throws Exception {
        CommandInfo info = c.service(CommandService.class).getCommand(type);
        Module m = c.service(ModuleService.class).createModule(info);
        if (model != null) {
            m.setInput("model", model);
        }
        m.initialize();
        return m;
    }

    @Test
    void menuCommandsHaveThePlainCommandsKeysAndOutputs() throws Exception {
        try (Context c = new Context()) {
            CommandService commands = c.service(CommandService.class);
            for (var pair : List.of(List.of(GradCamDialog.class, GradCamCommand.class),
                    List.of(GradCamBatchDialog.class, GradCamBatchCommand.class),
                    List.of(SanityCheckDialog.class, SanityCheckCommand.class))) {
                @SuppressWarnings("unchecked")
                Class<? extends ExplanationDialog> d = (Class<? extends ExplanationDialog>) pair.get(0);
                @SuppressWarnings("unchecked")
                Class<? extends Command> plain = (Class<? extends Command>) pair.get(1);
                Module m = c.service(ModuleService.class).createModule(commands.getCommand(d));
                CommandInfo p = commands.getCommand(plain);
                assertEquals(names(p.inputs()), names(m.getInfo().inputs()), d.getSimpleName());
                assertEquals(names(p.outputs()), names(m.getInfo().outputs()), d.getSimpleName());
                Module proto = c.service(ModuleService.class).createModule(p);
                for (String k : names(p.inputs())) {
                    assertEquals(proto.getInput(k), m.getInput(k), d.getSimpleName() + " default of " + k);
                    assertEquals(p.getInput(k).getLabel(), m.getInfo().getInput(k).getLabel());
                }
                assertNull(p.getMenuPath() == null || p.getMenuPath().isEmpty() ? null : p.getMenuPath(),
                        plain.getSimpleName() + " has no menu entry of its own");
                assertEquals("Grad-CAM", commands.getCommand(d).getMenuPath().get(1).getName());
            }
            assertEquals("Grad-CAM...", commands.getCommand(GradCamDialog.class).getMenuPath().getLeaf().getName());
            assertEquals("Grad-CAM Sanity Check...",
                    commands.getCommand(SanityCheckDialog.class).getMenuPath().getLeaf().getName());
        }
    }

    @Test
    void targetAndLayerListTheModelsClassesAndLayers() throws Exception {
        try (Context c = new Context()) {
            Module m = dialog(c, GradCamDialog.class, Fixtures.malariaModel());
            assertEquals(List.of("auto", "Parasitized", "Uninfected"), m.getInfo().getInput("target").getChoices());
            @SuppressWarnings("unchecked")
            List<String> layers = List.copyOf((List<String>) m.getInfo().getInput("layer").getChoices());
            ModelInfo info = c.service(ModelCache.class).explainer(Fixtures.malariaModel()).info();
            assertEquals("auto", layers.get(0));
            assertEquals("block4/relu (12×12×256)", layers.get(1), "the default layer second, with its size");
            assertEquals(info.layers().size() + 1, layers.size(), "every layer once: " + layers);
            Layer first = info.layers().get(0);
            assertEquals(ModelChoices.label(first), layers.get(layers.size() - 1), "input side last");
            assertEquals("auto", m.getInput("target"));
            assertEquals("auto", m.getInput("layer"));

            // the model changes (the widget's callback): the lists are refilled from the new model
            m.setInput("model", Fixtures.mnistModel());
            ((GradCamDialog) m).modelChanged();
            assertEquals(List.of("auto", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                    m.getInfo().getInput("target").getChoices());
            assertEquals("Relu_1 (14×14×32)", m.getInfo().getInput("layer").getChoices().get(1));

            // a folder that is no model: back to auto, nothing thrown (the run reports it)
            m.setInput("model", new java.io.File("/nonexistent"));
            ((GradCamDialog) m).modelChanged();
            assertEquals(List.of("auto"), m.getInfo().getInput("layer").getChoices());

            // the sanity check's dialog has the same lists
            Module check = dialog(c, SanityCheckDialog.class, Fixtures.malariaModel());
            assertEquals(List.of("auto", "Parasitized", "Uninfected"), check.getInfo().getInput("target").getChoices());
            assertEquals(layers, check.getInfo().getInput("layer").getChoices());
        }
    }

    @Test
    void aLayerEntryIsTheLayerNameAndOtherValuesPassThrough() {
        assertEquals("block4/relu", ModelChoices.layerName("block4/relu (12×12×256)"));
        assertEquals("block4/relu", ModelChoices.layerName("block4/relu (12x12x256)"));
        assertEquals("Conv2D_1", ModelChoices.layerName("Conv2D_1 (?×?×32)"));
        assertEquals("model/conv:0", ModelChoices.layerName(" model/conv:0 "));
        assertEquals("auto", ModelChoices.layerName(""));
        assertEquals("odd (name)", ModelChoices.layerName("odd (name)"));
    }

    /**
     * Run from the menu with a chosen list entry, and with values no list holds (a class index, a tensor name): the
     * plain command gets them and its outputs come back.
     */
    @Test
    void theMenuCommandRunsThePlainOneWithListEntriesAndOtherValues() throws Exception {
        try (Context c = new Context()) {
            ImagePlus digit = Fixtures.mnist(0);
            Module m = Fixtures.runDialog(c, GradCamDialog.class, "image", digit, "model", Fixtures.mnistModel(),
                    "layer", "Conv2D_1 (14×14×32)", "target", "7", "method_guided_gradcam", false);
            assertFalse(Fixtures.canceled(m), () -> Fixtures.reason(m));
            assertEquals("7", m.getOutput("predicted_label"));
            assertNotNull(m.getOutput("gradcam"));
            assertNull(m.getOutput("guided_gradcam"), "the box was unticked");
            ij.measure.ResultsTable rt = (ij.measure.ResultsTable) m.getOutput("results");
            assertEquals("Conv2D_1", rt.getStringValue("Layer", 0));

            String tensor = c.service(ModelCache.class).explainer(Fixtures.mnistModel()).layer("Conv2D_1").tensor();
            Module byTensor = Fixtures.runDialog(c, GradCamDialog.class, "image", digit, "model",
                    Fixtures.mnistModel(), "layer", tensor, "target", "3", "methods", "gradcam");
            assertFalse(Fixtures.canceled(byTensor), () -> Fixtures.reason(byTensor));
            assertEquals("3", byTensor.getOutput("target_label"), "a class index outside the list is accepted");
            assertEquals("Conv2D_1", ((ij.measure.ResultsTable) byTensor.getOutput("results")).getStringValue("Layer",
                    0));

            // a user error is the plain command's, and cancels the menu command with its message
            Module bad = Fixtures.runDialog(c, GradCamDialog.class, "image", digit, "model", Fixtures.mnistModel(),
                    "target", "12");
            assertTrue(Fixtures.canceled(bad));
            assertTrue(Fixtures.reason(bad).contains("out of range"), Fixtures.reason(bad));

            // scripts keep calling the plain command: CommandService.run returns its module
            assertNotNull(c.service(CommandService.class).run(GradCamCommand.class, true, "image", digit, "model",
                    Fixtures.mnistModel()).get());
        }
    }
}
