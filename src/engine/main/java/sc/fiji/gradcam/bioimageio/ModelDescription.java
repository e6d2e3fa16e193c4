package sc.fiji.gradcam.bioimageio;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A BioImage.IO model description (spec 0.4 or 0.5), as far as this plugin reads it.
 *
 * @param name the model's name
 * @param formatVersion e.g. {@code 0.4.8}, {@code 0.5.3}
 * @param inputs the input tensors in order
 * @param outputs the output tensors in order
 * @param weights the {@code tensorflow_saved_model_bundle} weights, or null when the model has none
 * @param weightFormats every weights format the description lists
 * @param tolerances {@code config.bioimageio.reproducibility_tolerance} (empty: {@link Tolerance#DEFAULT})
 * @param config the whole {@code config} mapping (e.g. {@code deepimagej}, {@code stardist})
 * @param file the description file
 * @param root the folder its relative file names start from
 */
public record ModelDescription(String name, String formatVersion, List<TensorDescription> inputs,
        List<TensorDescription> outputs, Weights weights, List<String> weightFormats, List<Tolerance> tolerances,
        Map<String, Object> config, Path file, Path root) {

    public ModelDescription {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        weightFormats = List.copyOf(weightFormats);
        tolerances = List.copyOf(tolerances);
        config = config == null ? Map.of() : config;
    }

    /** Whether this is spec 0.5 (else 0.4). */
    public boolean isV05() {
        return formatVersion.startsWith("0.5");
    }

    /** The tolerance for output {@code id} with the SavedModel weights. */
    public Tolerance tolerance(String outputId) {
        return tolerances.stream().filter(t -> t.appliesTo(outputId, Weights.FORMAT)).findFirst()
                .orElse(Tolerance.DEFAULT);
    }

    /** The tensor {@code id} among inputs and outputs. */
    public Optional<TensorDescription> tensor(String id) {
        return java.util.stream.Stream.concat(inputs.stream(), outputs.stream()).filter(t -> t.id().equals(id))
                .findFirst();
    }

    /** {@code config.deepimagej}, empty when absent. */
    public Map<String, Object> deepImageJ() {
        return Yaml.optMap(config, "deepimagej", "config");
    }
}
