package sc.fiji.gradcam.api;

import java.nio.file.Path;

/**
 * The engine's entry point, found with {@link java.util.ServiceLoader} in the engine's class loader (in Fiji, the
 * child-first loader over {@code Fiji.app/lib/gradcam}; elsewhere the class path).
 */
public interface GradCamEngine {

    /** Loads the model in {@code folder} (a SavedModel folder or zip); throws {@link ModelException} with the fix. */
    ModelExplainer open(Path folder);

    /** One line on the runtime: engine, TensorFlow version, where the natives came from. */
    String describe();
}
