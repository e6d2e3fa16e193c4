package sc.fiji.gradcam.runtime;

import ai.djl.engine.Engine;
import java.io.File;
import java.util.logging.Logger;

/**
 * Starts DJL's TensorFlow engine once per process.
 *
 * <p>When {@code org.tensorflow:tensorflow-core-native} (the TF 2.16 C library that Maven Central serves)
 * is on the class path, its library is loaded through JavaCPP and DJL is pointed at it with the system
 * property {@code TENSORFLOW_LIBRARY_PATH}: no network, nothing written to {@code ~/.djl.ai}. Without
 * that jar DJL falls back to its own download of the natives.
 */
public final class TensorFlowRuntime {

    /** DJL's name of the engine. */
    public static final String ENGINE = "TensorFlow";

    private static final Logger LOG = Logger.getLogger(TensorFlowRuntime.class.getName());
    private static final String NATIVE_CLASS = "org.tensorflow.internal.c_api.global.tensorflow";
    private static volatile Engine engine;
    private static volatile String source;

    private TensorFlowRuntime() {}

    /** Returns DJL's TensorFlow engine, starting the native runtime on first use. */
    public static Engine engine() {
        Engine e = engine;
        if (e != null) {
            return e;
        }
        synchronized (TensorFlowRuntime.class) {
            if (engine == null) {
                engine = start();
            }
            return engine;
        }
    }

    /** Where the natives came from: {@code "bundled"} (offline jar) or {@code "djl-download"}. */
    public static String nativeSource() {
        engine();
        return source;
    }

    private static Engine start() {
        String bundled = loadBundledNatives();
        source = bundled != null ? "bundled" : "djl-download";
        try {
            Engine e = Engine.getEngine(ENGINE);
            if (e == null) {
                throw new RuntimeUnavailableException("DJL did not register its TensorFlow engine. "
                        + "Fix: put ai.djl.tensorflow:tensorflow-engine on the class path.");
            }
            return e;
        } catch (RuntimeUnavailableException ex) {
            throw ex;
        } catch (RuntimeException | UnsatisfiedLinkError ex) {
            String fix = bundled != null
                    ? "the bundled library in " + bundled + " did not start; check that the jar matches this platform ("
                            + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ")"
                    : "add org.tensorflow:tensorflow-core-native:1.0.0 with your platform's classifier "
                            + "(linux-x86_64, macosx-arm64, windows-x86_64) to the class path, or let DJL download "
                            + "its natives once with network access";
            throw new RuntimeUnavailableException("The TensorFlow runtime could not be started: "
                    + ex.getMessage() + ". Fix: " + fix + ".", ex);
        }
    }

    /** Loads the natives from tensorflow-core-native if present; returns their folder or null. */
    private static String loadBundledNatives() {
        Class<?> natives;
        try {
            natives = Class.forName(NATIVE_CLASS);
        } catch (ClassNotFoundException e) {
            return null;
        }
        try {
            String path = org.bytedeco.javacpp.Loader.load(natives);
            if (path == null) {
                return null;
            }
            String dir = new File(path).getParent();
            if (System.getProperty("TENSORFLOW_LIBRARY_PATH") == null) {
                System.setProperty("TENSORFLOW_LIBRARY_PATH", dir);
            }
            return dir;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.fine(() -> "Bundled TensorFlow natives not usable here: " + e);
            return null;
        }
    }
}
