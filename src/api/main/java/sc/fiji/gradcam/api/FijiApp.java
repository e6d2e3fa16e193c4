package sc.fiji.gradcam.api;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where Fiji.app is, found as Fiji components do: the system property {@code imagej.dir} (Fiji's launcher sets
 * it), else the parent of the {@code jars/} folder this jar was loaded from. Null outside Fiji.
 */
public final class FijiApp {

    /** The plugin's own folder below Fiji.app: the engine's jars and the default model. */
    public static final String ENGINE_RELATIVE = "lib/gradcam";

    private FijiApp() {}

    /** Fiji.app, or null when this code does not run from a Fiji installation. */
    public static Path dir() {
        String dir = System.getProperty("imagej.dir");
        if (dir != null && !dir.isBlank()) {
            return Paths.get(dir);
        }
        return jarsParent(FijiApp.class);
    }

    /** The folder holding the {@code jars/} folder that {@code type}'s jar is in (at any depth), or null. */
    static Path jarsParent(Class<?> type) {
        try {
            URL where = type.getProtectionDomain().getCodeSource().getLocation();
            Path p = Paths.get(where.toURI());
            for (Path up = p.getParent(); up != null; up = up.getParent()) {
                if (up.getFileName() != null && up.getFileName().toString().equals("jars")) {
                    return up.getParent();
                }
            }
            return null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
