package sc.fiji.gradcam.bioimageio;

/**
 * The {@code tensorflow_saved_model_bundle} entry of a description's {@code weights}.
 *
 * @param source the weights' file (a zip of the SavedModel) or folder, relative to the package, or a URL
 * @param sha256 the SHA-256 of the source file as the description gives it (null when not given)
 * @param tensorflowVersion the TensorFlow version it was exported with (null when not given)
 */
public record Weights(String source, String sha256, String tensorflowVersion) {

    /** The weights format this project runs. */
    public static final String FORMAT = "tensorflow_saved_model_bundle";
}
