package sc.fiji.gradcam.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Locations of the read-only shared models and data, and a checksum to prove files were not modified. */
public final class Shared {

    private Shared() {}

    public static Path root() {
        return Paths.get(System.getProperty("gradcam.shared", "../shared"));
    }

    /** {@code ../shared/models/NAME/model}. */
    public static Path model(String name) {
        return root().resolve("models").resolve(name).resolve("model");
    }

    public static Path images(String name) {
        return root().resolve("models").resolve(name).resolve("images");
    }

    /** SHA-256 over every file below {@code dir} (names and contents). */
    public static String checksum(Path dir) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                md.update(dir.relativize(p).toString().getBytes());
                md.update(Files.readAllBytes(p));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
