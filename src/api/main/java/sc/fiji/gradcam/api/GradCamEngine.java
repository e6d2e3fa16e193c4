package sc.fiji.gradcam.api;

import java.nio.file.Path;

/**
 * The engine's entry point, found with {@link java.util.ServiceLoader} in the engine's class loader (in Fiji, the
 * child-first loader over {@code Fiji.app/lib/gradcam}; elsewhere the class path).
 */
public interface GradCamEngine {

    /** Loads the model in {@code folder} (a SavedModel folder or zip); throws {@link ModelException} with the fix. */
    ModelExplainer open(Path folder);

    /**
     * Loads the model as {@link #open(Path)} does, its session computing in {@code precision}; throws
     * {@link ModelException} (one line with the fix) when this machine cannot run that precision.
     */
    default ModelExplainer open(Path folder, Precision precision) {
        if (precision == null || precision == Precision.FLOAT32) {
            return open(folder);
        }
        throw new ModelException("This Grad-CAM engine cannot run models in " + precision.id() + ".",
                "install the plugin's engine folder (lib/gradcam) of the same version as its jars, or use precision "
                + "float32.");
    }

    /** One line on the runtime: engine, TensorFlow version, where the natives came from. */
    String describe();

    /**
     * Runs a BioImage.IO package's test inputs through its model ({@code model}: the package .zip, its
     * {@code rdf.yaml} / {@code bioimageio.yaml}, or the folder holding it) and compares with its test outputs within
     * the package's tolerance; throws {@link ModelException} (one line with the fix) for a package that cannot be
     * used, including an unsafe zip or a checksum mismatch.
     */
    default PackageVerification verifyPackage(Path model) {
        throw new UnsupportedOperationException("This Grad-CAM engine cannot verify BioImage.IO packages. Fix: "
                + "install the plugin's engine folder (lib/gradcam) of the same version as its jars.");
    }
}
