package sc.fiji.gradcam.fiji.engine;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Loads classes and resources from its own jars before its parent's, except for the packages both sides must
 * share (see {@link #PARENT_FIRST}): so the engine's TensorFlow Java, protobuf, JavaCPP and DJL never meet the
 * ones Fiji's other plugins put on the class path (StarDist/CSBDeep's TensorFlow 1.15, Fiji's protobuf), in
 * either direction. Resources are child-first too: JavaCPP finds the engine's natives as resources.
 */
public final class ChildFirstClassLoader extends URLClassLoader {

    /**
     * Name prefixes always loaded by the parent: the JDK, the API both sides speak, and the Fiji-side libraries
     * whose types cross the boundary or carry global state (SciJava, ImgLib2, ImageJ 1, SLF4J).
     */
    public static final List<String> PARENT_FIRST = List.of("java.", "javax.", "jdk.", "sun.",
            "sc.fiji.gradcam.api.", "org.scijava.", "net.imglib2.", "ij.", "org.slf4j.");

    static {
        registerAsParallelCapable();
    }

    public ChildFirstClassLoader(URL[] urls, ClassLoader parent) {
        super("gradcam-engine", urls, parent);
    }

    /** Whether {@code name} (a class or a resource path) belongs to a package loaded parent-first. */
    public static boolean parentFirst(String name) {
        String dotted = name.replace('/', '.');
        for (String p : PARENT_FIRST) {
            if (dotted.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (parentFirst(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name);
                } catch (ClassNotFoundException notHere) {
                    c = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        if (parentFirst(name)) {
            return super.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> all = new ArrayList<>();
        if (parentFirst(name)) {
            all.addAll(Collections.list(getParent().getResources(name)));
            all.addAll(Collections.list(findResources(name)));
        } else {
            all.addAll(Collections.list(findResources(name)));
            all.addAll(Collections.list(getParent().getResources(name)));
        }
        return Collections.enumeration(all);
    }
}
