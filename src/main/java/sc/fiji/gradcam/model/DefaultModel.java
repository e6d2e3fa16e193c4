package sc.fiji.gradcam.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the bundled default model ({@code models/malaria-cells}) is: the system property
 * {@code gradcam.defaultModel}, else {@code models/malaria-cells} under {@code gradcam.home} (set by the
 * launcher), else under the working folder.
 */
public final class DefaultModel {

    public static final String RELATIVE = "models/malaria-cells";

    private DefaultModel() {}

    public static Path path() {
        String explicit = System.getProperty("gradcam.defaultModel");
        if (explicit != null && !explicit.isBlank()) {
            return Paths.get(explicit);
        }
        String home = System.getProperty("gradcam.home");
        if (home != null && Files.isDirectory(Paths.get(home, RELATIVE))) {
            return Paths.get(home, RELATIVE);
        }
        return Paths.get(RELATIVE);
    }
}
