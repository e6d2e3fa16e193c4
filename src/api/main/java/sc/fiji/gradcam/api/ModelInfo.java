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
 */
public record ModelInfo(String description, int classes, List<String> labels, List<Layer> layers, Layer defaultLayer) {

    public ModelInfo {
        labels = List.copyOf(labels);
        layers = List.copyOf(layers);
    }
}
