package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.graph.Layouts;
import sc.fiji.gradcam.graph.ServingGraph;

/**
 * Whether the model's image input is channels last ({@code [N, H, W, C]}) or channels first ({@code [N, C, H, W]}),
 * and where that came from. Images are always prepared as NHWC; a channels-first model is fed them transposed, and
 * its input gradients are transposed back.
 *
 * @param layout the input's layout
 * @param source {@link #OPTION}, {@link #PROPERTIES}, {@link #DETECTED} or {@link #DEFAULT}
 * @param reason why, in words (for a detected layout: the op or the shape that shows it)
 */
public record InputLayout(DataLayout layout, String source, String reason) {

    /** Given by the user (CLI {@code --layout}, {@link ModelOptions#layout()}). */
    public static final String OPTION = "option";
    /** {@code layout=} in the model folder's {@code gradcam.properties}. */
    public static final String PROPERTIES = "gradcam.properties";
    /** Read from the graph or the input shape ({@link Layouts#detectInput}). */
    public static final String DETECTED = "detected";
    /** Nothing said otherwise: channels last. */
    public static final String DEFAULT = "default";

    /** One line for people: {@code nchw (detected: …)}. */
    public String describe() {
        return layout.id() + " (" + source + ": " + reason + ")";
    }

    /**
     * The input layout of a model: {@code option} ({@code nhwc}, {@code nchw}; null, empty or {@code auto} to go on),
     * else {@code layout=} in its properties, else what its graph or input shape shows, else NHWC.
     */
    static InputLayout resolve(String option, Properties properties, ServingGraph serving, TensorInfo input,
            java.nio.file.Path propertiesFile) {
        if (given(option)) {
            return new InputLayout(parse(option, "--layout " + option, "give --layout nhwc, nchw or auto."),
                    OPTION, "given as an option");
        }
        String saved = properties.getProperty("layout");
        if (given(saved)) {
            return new InputLayout(parse(saved, "layout=" + saved.trim() + " in " + propertiesFile,
                    "write layout=nhwc, layout=nchw or layout=auto."), PROPERTIES,
                    "layout=" + saved.trim() + " in gradcam.properties");
        }
        Optional<Layouts.Evidence> detected = Layouts.detectInput(serving, input.shape());
        if (detected.isPresent()) {
            return new InputLayout(detected.get().layout(), DETECTED, detected.get().reason());
        }
        return new InputLayout(DataLayout.NHWC, DEFAULT, "nothing in the graph or the input shape "
                + (input.shape() == null ? "[?]" : Arrays.toString(input.shape())) + " says otherwise");
    }

    private static boolean given(String s) {
        return s != null && !s.isBlank() && !s.trim().equalsIgnoreCase("auto");
    }

    private static DataLayout parse(String text, String what, String fix) {
        try {
            return DataLayout.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ModelException(what + " is not a layout.", fix);
        }
    }
}
