package sc.fiji.gradcam.fiji.engine;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import sc.fiji.gradcam.api.FijiApp;
import sc.fiji.gradcam.api.GradCamEngine;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

/**
 * Finds and starts the engine once per JVM. In Fiji the engine (DJL, TensorFlow Java, protobuf, JavaCPP, the
 * natives, this project's own engine jar) lives in {@code Fiji.app/lib/gradcam/}, outside the folders Fiji puts on
 * its class path, and is loaded by one {@link ChildFirstClassLoader} that is never replaced: native libraries
 * cannot be unloaded, so a second loader could not load them again. Where no such folder exists (the command line,
 * the tests, a developer's IDE), the engine is looked up on the class path of this layer.
 *
 * <p>The folder: the system property {@value #ENGINE_DIR_PROPERTY}; else {@code lib/gradcam} under the system
 * property {@code imagej.dir} (set by Fiji's launcher); else {@code lib/gradcam} beside the {@code jars/} folder this
 * plugin's jar is in. Every call into the engine runs with the engine loader as the thread's context class loader.
 */
public final class EngineLoader {

    /** System property naming the engine folder explicitly. */
    public static final String ENGINE_DIR_PROPERTY = "gradcam.engine.dir";

    /** Where the engine lives below Fiji.app. */
    public static final String RELATIVE = FijiApp.ENGINE_RELATIVE;

    private static volatile Loaded loaded;

    /** The engine and the loader it came from. */
    public record Loaded(GradCamEngine engine, ClassLoader loader, Path folder) {}

    private EngineLoader() {}

    /** The engine, started on first use; every later call returns the same one. */
    public static Loaded get() {
        Loaded l = loaded;
        if (l != null) {
            return l;
        }
        synchronized (EngineLoader.class) {
            if (loaded == null) {
                loaded = load();
            }
            return loaded;
        }
    }

    /** The engine folder this JVM would use, or null when the engine is expected on the class path. */
    public static Path engineFolder() {
        String explicit = System.getProperty(ENGINE_DIR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        Path fiji = FijiApp.dir();
        if (fiji != null && Files.isDirectory(fiji.resolve(RELATIVE))) {
            return fiji.resolve(RELATIVE);
        }
        return null;
    }

    private static Loaded load() {
        return load(engineFolder(), EngineLoader.class.getClassLoader());
    }

    /** The engine of {@code folder} (null: of {@code parent}'s class path) over {@code parent}. */
    static Loaded load(Path folder, ClassLoader parent) {
        if (folder == null) {
            return new Loaded(find(parent, null), parent, null);
        }
        if (!Files.isDirectory(folder)) {
            throw new RuntimeUnavailableException("The Grad-CAM engine folder " + folder + " does not exist. Fix: copy "
                    + "the contents of the plugin's target/fiji/ into Fiji.app (it holds " + RELATIVE + "/).");
        }
        ChildFirstClassLoader loader = new ChildFirstClassLoader(jars(folder), parent);
        return new Loaded(contextual(find(loader, folder), loader), loader, folder);
    }

    private static URL[] jars(Path folder) {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                urls.add(p.toUri().toURL());
            }
        } catch (IOException e) {
            throw new RuntimeUnavailableException("The Grad-CAM engine folder " + folder + " cannot be read: "
                    + e.getMessage() + ". Fix: check its permissions, or reinstall the plugin.", e);
        }
        if (urls.isEmpty()) {
            throw new RuntimeUnavailableException("The Grad-CAM engine folder " + folder + " holds no jar. Fix: copy "
                    + "the contents of the plugin's target/fiji/ into Fiji.app again.");
        }
        return urls.toArray(URL[]::new);
    }

    private static GradCamEngine find(ClassLoader loader, Path folder) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            Iterator<GradCamEngine> it = ServiceLoader.load(GradCamEngine.class, loader).iterator();
            if (it.hasNext()) {
                return it.next();
            }
        } finally {
            t.setContextClassLoader(before);
        }
        throw new RuntimeUnavailableException("The Grad-CAM engine is not installed"
                + (folder == null ? " (no folder " + RELATIVE + " in Fiji.app and no engine on the class path)"
                        : " in " + folder) + ". Fix: copy the contents of the plugin's target/fiji/ into Fiji.app"
                + " and restart Fiji.");
    }

    /** Wraps an engine object so that every call runs with {@code loader} as the context class loader. */
    @SuppressWarnings("unchecked")
    static <T> T contextual(T target, ClassLoader loader) {
        Class<?>[] interfaces = target instanceof ModelExplainer ? new Class<?>[] {ModelExplainer.class}
                : new Class<?>[] {GradCamEngine.class};
        InvocationHandler h = (proxy, method, args) -> {
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(loader);
            try {
                Object result = method.invoke(target, args);
                return result instanceof ModelExplainer m && !(Proxy.isProxyClass(m.getClass())) ? contextual(m, loader)
                        : result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                t.setContextClassLoader(before);
            }
        };
        return (T) Proxy.newProxyInstance(EngineLoader.class.getClassLoader(), interfaces, h);
    }

}
