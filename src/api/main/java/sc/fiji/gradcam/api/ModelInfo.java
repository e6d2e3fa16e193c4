package sc.fiji.gradcam.api;

import java.util.List;

/**
 * What a model takes and offers, as plain values.
 *
 * @param description readable lines: source, graph, signatures, input, output, classes, input range, layout, default
 *     layer, {@code gradcam.properties}, warnings
 * @param classes the number of classes (2 for a one-unit binary model)
 * @param labels the class labels (empty without a labels file)
 * @param layers the candidate target layers, in graph order
 * @param defaultLayer the layer {@code auto} means, or null
 * @param dense whether the output is dense ({@code [batch, y, x, channels]}: its "classes" are channels, its target a
 *     channel over a region)
 */
public record ModelInfo(String description, int classes, List<String> labels, List<Layer> layers, Layer defaultLayer,
        boolean dense) {

    /** A classifier's description. */
    public ModelInfo(String description, int classes, List<String> labels, List<Layer> layers, Layer defaultLayer) {
        this(description, classes, labels, layers, defaultLayer, false);
    }

    public ModelInfo {
        labels = List.copyOf(labels);
        layers = List.copyOf(layers);
    }
}
