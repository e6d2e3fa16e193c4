package sc.fiji.gradcam.api;

import sc.fiji.gradcam.api.image.Preprocessing;

/**
 * The value range image pixels are mapped to for a model, and where that range came from.
 *
 * @param min the value an image's low end maps to
 * @param max the value an image's high end maps to
 * @param source {@link #OPTION}, {@link #PROPERTIES}, {@link #DETECTED} or {@link #DEFAULT}
 * @param reason why, in words (for a detected range: the op in the graph that asks for it)
 */
public record InputRange(double min, double max, String source, String reason) {

    /** Given by the user (CLI {@code --range}, an API or macro option). */
    public static final String OPTION = "option";
    /** {@code range=} in the model folder's {@code gradcam.properties}. */
    public static final String PROPERTIES = "gradcam.properties";
    /** Read from the graph ({@link sc.fiji.gradcam.graph.InputScaling}). */
    public static final String DETECTED = "detected";
    /** Nothing said otherwise: 0:1. */
    public static final String DEFAULT = "default";

    /** {@code MIN:MAX}, e.g. {@code 0:255}. */
    public String range() {
        return Preprocessing.formatRange(min, max);
    }

    /** One line for people: {@code 0:255 (detected: …)}. */
    public String describe() {
        return range() + " (" + source + ": " + reason + ")";
    }
}
