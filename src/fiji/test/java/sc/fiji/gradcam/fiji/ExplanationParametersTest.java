package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import sc.fiji.gradcam.api.Method;

/**
 * The parameters the commands share come from {@link ExplanationParameters}: SciJava finds them in the superclass,
 * lists them first (its dialogs and the macro recorder follow this order) and keeps their macro keys and defaults.
 */
class ExplanationParametersTest {

    private static final List<String> BOXES = List.of("method_gradcam", "method_counterfactual", "method_gradient",
            "method_guided_backprop", "method_guided_gradcam", "method_gradcam_plusplus", "method_xgradcam",
            "method_layercam", "method_hirescam", "method_eigencam", "method_eigengradcam", "method_scorecam",
            "method_ablationcam", "method_input_x_gradient", "method_integrated_gradients", "method_smoothgrad",
            "method_smoothgrad_sq", "method_vargrad", "method_occlusion", "method_rise", "method_fullgrad");
    private static final List<String> SHARED = shared();

    private static List<String> shared() {
        List<String> keys = new java.util.ArrayList<>(List.of("model", "precision", "target", "layer"));
        keys.addAll(BOXES);
        keys.addAll(List.of("methods", "region", "aggregate", "score", "aug_smooth", "eigen_smooth", "size", "resize", "range", "opacity",
                "lut"));
        return keys;
    }

    /** The user-facing inputs (no services, no context) in CommandInfo order. */
    private static List<String> inputs(Context c, Class<? extends Command> command) {
        CommandInfo info = c.service(CommandService.class).getCommand(command);
        return StreamSupport.stream(info.inputs().spliterator(), false)
                .filter(i -> !Service.class.isAssignableFrom(i.getType()) && i.getType() != Context.class)
                .map(ModuleItem::getName).toList();
    }

    private static Map<String, Object> defaults(Context c, Class<? extends Command> command) {
        CommandInfo info = c.service(CommandService.class).getCommand(command);
        Module m = c.service(ModuleService.class).createModule(info);
        Map<String, Object> d = new LinkedHashMap<>();
        SHARED.forEach(k -> d.put(k, m.getInput(k)));
        return d;
    }

    @Test
    void everyInputIsListedSharedOnesFirst() {
        try (Context c = new Context()) {
            var single = new java.util.ArrayList<>(SHARED);
            single.addAll(List.of("image", "slices", "box"));
            assertEquals(single, inputs(c, GradCamCommand.class));
            var batch = new java.util.ArrayList<>(SHARED);
            batch.addAll(List.of("input", "output", "overwrite", "resume", "mask"));
            assertEquals(batch, inputs(c, GradCamBatchCommand.class));
        }
    }

    @Test
    void macroKeysKeepTheirDefaultsInBothCommands() {
        try (Context c = new Context()) {
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("model", ModelCache.defaultModel());
            expected.put("precision", "float32");
            expected.put("target", "auto");
            expected.put("layer", "auto");
            for (String box : BOXES) {
                expected.put(box, box.equals("method_gradcam") || box.equals("method_guided_gradcam"));
            }
            expected.put("methods", "");
            expected.put("region", "auto");
            expected.put("aggregate", "sum");
            expected.put("score", "logit");
            expected.put("aug_smooth", false);
            expected.put("eigen_smooth", false);
            expected.put("size", "auto");
            expected.put("resize", "auto");
            expected.put("range", "auto");
            expected.put("opacity", 0.5);
            expected.put("lut", "Fire");
            assertEquals(expected, defaults(c, GradCamCommand.class));
            assertEquals(expected, defaults(c, GradCamBatchCommand.class));
            CommandInfo info = c.service(CommandService.class).getCommand(GradCamBatchCommand.class);
            assertEquals("Overlay opacity", info.getInput("opacity").getLabel());
            assertEquals(List.of("Fire", "Jet", "Turbo", "Magma", "Grays"), info.getInput("lut").getChoices());
            assertEquals(List.of("float32", "bf16"), info.getInput("precision").getChoices());
            assertEquals("Augmentation smoothing (pytorch-grad-cam aug_smooth)", info.getInput("aug_smooth").getLabel());
            assertEquals("Eigen smoothing (pytorch-grad-cam eigen_smooth)", info.getInput("eigen_smooth").getLabel());
            assertEquals(boolean.class, info.getInput("aug_smooth").getType());
        }
    }

    /** A box per method, keyed method_ and the id with underscores, labelled with the method's title. */
    @Test
    void everyMethodHasABox() {
        try (Context c = new Context()) {
            CommandInfo info = c.service(CommandService.class).getCommand(GradCamCommand.class);
            assertEquals(BOXES, java.util.Arrays.stream(Method.values()).map(ExplanationParameters::boxKey).toList());
            for (Method m : Method.values()) {
                assertEquals(boolean.class, info.getInput(ExplanationParameters.boxKey(m)).getType());
                assertEquals(m.title(), info.getInput(ExplanationParameters.boxKey(m)).getLabel());
            }
        }
    }

    /** {@code methods} wins when given; else the boxes; else (a macro with neither key) Grad-CAM + Guided Grad-CAM. */
    @Test
    void theMethodsListWinsOverTheBoxes() {
        var boxes = java.util.EnumSet.of(Method.GRADIENT, Method.LAYERCAM);
        assertEquals(java.util.EnumSet.of(Method.XGRADCAM), ExplanationParameters.chooseMethods("xgradcam", boxes));
        assertEquals(java.util.EnumSet.allOf(Method.class), ExplanationParameters.chooseMethods("all", boxes));
        assertEquals(boxes, ExplanationParameters.chooseMethods("", boxes));
        assertEquals(boxes, ExplanationParameters.chooseMethods(null, boxes));
        assertEquals(java.util.EnumSet.of(Method.GRADCAM, Method.GUIDED_GRADCAM),
                ExplanationParameters.chooseMethods(" ", java.util.EnumSet.noneOf(Method.class)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ExplanationParameters.chooseMethods("gradcam,nope", boxes));
    }

    /** The methods field's description (the dialog's tooltip) names every method id. */
    @Test
    void theMethodsDescriptionNamesEveryMethod() {
        try (Context c = new Context()) {
            for (Class<? extends Command> command : List.of(GradCamCommand.class, GradCamBatchCommand.class)) {
                String description = c.service(CommandService.class).getCommand(command).getInput("methods")
                        .getDescription();
                for (Method m : Method.values()) {
                    assertTrue(description.contains(m.id()), m.id() + " missing from " + description);
                }
            }
        }
    }
}
