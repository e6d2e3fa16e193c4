package sc.fiji.gradcam.api;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What preprocessing needs to know about a loaded model, without the engine: its folder, its
 * {@code gradcam.properties}, its NHWC input shape and the input range its graph asks for.
 */
public interface ModelFacts {

    /** The file beside {@code saved_model.pb} that holds a model's preprocessing and default layer. */
    String PROPERTIES = "gradcam.properties";

    /** The model folder. */
    Path dir();

    /** The values of {@code gradcam.properties} (empty without the file). */
    Properties properties();

    /** The NHWC view of the input shape, -1 for free dimensions. */
    long[] imageShape();

    /** The input range the graph itself asks for (a Rescaling, a mean subtraction, a uint8 input), if any. */
    Optional<InputRange> detectedInputRange();
}
