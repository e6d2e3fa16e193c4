package sc.fiji.gradcam.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Where the bundled default model ({@code models/malaria-cells}) is: the system property
 * {@code gradcam.defaultModel}; else {@code models/malaria-cells} under {@code gradcam.home} (set by the
 * launcher); else {@code lib/gradcam/models/malaria-cells} in Fiji.app (where the plugin's install puts it, see
 * {@link FijiApp}); else {@code models/malaria-cells} in the working folder; else a copy inside a jar on the class
 * path, extracted once to a temporary folder.
 */
public final class DefaultModel {

    public static final String RELATIVE = "models/malaria-cells";
    private static final String RESOURCE = "/gradcam/models/malaria-cells/";
    private static final List<String> FILES = List.of("saved_model.pb", "variables/variables.index",
            "variables/variables.data-00000-of-00001", "labels.txt", "gradcam.properties");
    private static Path extracted;

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
        Path fiji = FijiApp.dir();
        if (fiji != null && Files.isDirectory(fiji.resolve(FijiApp.ENGINE_RELATIVE).resolve(RELATIVE))) {
            return fiji.resolve(FijiApp.ENGINE_RELATIVE).resolve(RELATIVE);
        }
        if (Files.isDirectory(Paths.get(RELATIVE)) || DefaultModel.class.getResource(RESOURCE + FILES.get(0)) == null) {
            return Paths.get(RELATIVE);
        }
        return fromJar();
    }

    private static synchronized Path fromJar() {
        if (extracted != null && Files.isRegularFile(extracted.resolve(FILES.get(0)))) {
            return extracted;
        }
        try {
            Path dir = Files.createTempDirectory("gradcam-default-model-");
            for (String f : FILES) {
                try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE + f)) {
                    if (in == null) {
                        throw new IOException("missing " + f);
                    }
                    Files.createDirectories(dir.resolve(f).getParent());
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            extracted = dir;
            return dir;
        } catch (IOException e) {
            throw new ModelException("The bundled default model could not be unpacked: " + e.getMessage() + ".",
                    "choose a model folder explicitly.", e);
        }
    }
}
