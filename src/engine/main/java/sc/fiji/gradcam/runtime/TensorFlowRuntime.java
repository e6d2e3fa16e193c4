package sc.fiji.gradcam.runtime;

import ai.djl.engine.Engine;
import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

/**
 * Starts DJL's TensorFlow engine once per process, offline.
 *
 * <p>The TF 2.16 C library comes from {@code org.tensorflow:tensorflow-core-native} (Maven Central), one jar per
 * platform; it is loaded through JavaCPP from this class's own class loader (in Fiji the engine's child-first
 * loader, which finds the natives as its own resources) and DJL is pointed at it with {@code
 * TENSORFLOW_LIBRARY_PATH}. Before DJL starts, its usage tracking is switched off ({@code OPT_OUT_TRACKING}) and it
 * is put offline ({@code ai.djl.offline}), so it neither probes a cloud metadata address nor downloads natives: a
 * missing or wrong-platform natives jar is a {@link RuntimeUnavailableException} that names the platform and the
 * build option that fixes it.
 */
public final class TensorFlowRuntime {

    /** DJL's name of the engine. */
    public static final String ENGINE = "TensorFlow";

    /** The platforms {@code tensorflow-core-native:1.0.0} is published for (its classifiers). */
    public static final List<String> PLATFORMS = List.of("linux-x86_64", "macosx-arm64", "macosx-x86_64",
            "windows-x86_64");

    private static final String NATIVE_CLASS = "org.tensorflow.internal.c_api.global.tensorflow";
    private static final String NATIVE_FOLDER = "org/tensorflow/internal/c_api/";
    private static volatile Engine engine;
    private static volatile String folder;

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

    /**
     * Where the natives came from: always {@code "bundled"} (the natives jar; DJL's download, which older versions
     * fell back to, is switched off).
     */
    public static String nativeSource() {
        engine();
        return "bundled";
    }

    /** The folder the natives were unpacked to and loaded from. */
    public static String nativeFolder() {
        engine();
        return folder;
    }

    /** One line: engine, TensorFlow version, platform and the natives' folder. */
    public static String describe() {
        Engine e = engine();
        return "DJL " + Engine.getDjlVersion() + " " + e.getEngineName() + " " + e.getVersion() + " on " + platform()
                + ", natives from " + folder;
    }

    /** Switches off DJL's usage tracking and downloads, unless the user set them. */
    static void offline() {
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private static Engine start() {
        offline();
        folder = loadBundledNatives();
        try {
            Engine e = Engine.getEngine(ENGINE);
            if (e == null) {
                throw new RuntimeUnavailableException("DJL did not register its TensorFlow engine. "
                        + "Fix: put ai.djl.tensorflow:tensorflow-engine beside the plugin's engine jars.");
            }
            return e;
        } catch (RuntimeUnavailableException ex) {
            throw ex;
        } catch (RuntimeException | UnsatisfiedLinkError ex) {
            throw new RuntimeUnavailableException("The TensorFlow runtime could not be started from " + folder + ": "
                    + ex.getMessage() + ". Fix: check that the natives match this platform (" + platform()
                    + ") and reinstall the plugin's engine folder.", ex);
        }
    }

    /** This machine's platform in JavaCPP's (and the natives' classifiers') words, e.g. {@code linux-x86_64}. */
    public static String platform() {
        return org.bytedeco.javacpp.Loader.getPlatform();
    }

    /** The platforms whose natives this class's loader can see. */
    public static List<String> availablePlatforms() {
        List<String> found = new ArrayList<>();
        for (String p : PLATFORMS) {
            if (nativeLibrary(p) != null) {
                found.add(p);
            }
        }
        return found;
    }

    private static URL nativeLibrary(String platform) {
        String lib = platform.startsWith("windows") ? "jnitensorflow.dll"
                : platform.startsWith("macosx") ? "libjnitensorflow.dylib" : "libjnitensorflow.so";
        return TensorFlowRuntime.class.getClassLoader().getResource(NATIVE_FOLDER + platform + "/" + lib);
    }

    /** Checks that this platform's natives are there (else one line naming the fix), loads them, returns their folder. */
    private static String loadBundledNatives() {
        String platform = platform();
        if (nativeLibrary(platform) == null) {
            List<String> found = availablePlatforms();
            throw new RuntimeUnavailableException("No TensorFlow natives for this platform (" + platform + "): "
                    + (found.isEmpty() ? "no org.tensorflow:tensorflow-core-native jar was found"
                            : "the installed natives are for " + String.join(", ", found))
                    + ". Fix: build with -Dtf.native.classifier=" + platform + " (or -Pall-platforms) and copy "
                    + "target/fiji/ into Fiji.app again (on the command line: put tensorflow-core-native-1.0.0-"
                    + platform + ".jar on the class path).");
        }
        try {
            Class<?> natives = Class.forName(NATIVE_CLASS, true, TensorFlowRuntime.class.getClassLoader());
            String path = org.bytedeco.javacpp.Loader.load(natives);
            if (path == null) {
                throw new UnsatisfiedLinkError("JavaCPP found no library for " + NATIVE_CLASS);
            }
            String dir = new File(path).getParent();
            if (System.getProperty("TENSORFLOW_LIBRARY_PATH") == null) {
                System.setProperty("TENSORFLOW_LIBRARY_PATH", dir);
            }
            return dir;
        } catch (ClassNotFoundException | UnsatisfiedLinkError | RuntimeException e) {
            throw new RuntimeUnavailableException("The TensorFlow natives for " + platform + " could not be loaded: "
                    + e.getMessage() + ". Fix: the natives jar may be damaged or for another operating system version; "
                    + "reinstall it (tensorflow-core-native-1.0.0-" + platform.toLowerCase(Locale.ROOT)
                    + ".jar), and check that ~/.javacpp/cache is writable (the natives unpack there, about 600 MB).", e);
        }
    }
}
