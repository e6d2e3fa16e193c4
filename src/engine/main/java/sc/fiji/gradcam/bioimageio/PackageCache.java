package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import sc.fiji.gradcam.api.ModelException;

/**
 * Unpacks zips from strangers (BioImage.IO packages and their weights) into one folder per zip,
 * {@code ROOT/<sha256 of the zip>/}, and nowhere else. Refused, each with one line, before or while anything is
 * written: an entry whose name would land outside that folder ({@code ../}, an absolute path, a drive letter, a NUL),
 * a symbolic-link entry, two entries of one name, more than {@value #MAX_ENTRIES} entries, a zip whose declared
 * uncompressed total, or whose bytes actually written, exceed {@link Limits#allowed} (a zip bomb; the bytes are
 * counted while streaming, so headers that lie do not help), and an entry that holds more bytes than its header
 * declares. The zip is unpacked into a temporary folder inside ROOT and renamed into place in one step, so a
 * folder named after a hash is always complete; a failed unpack leaves nothing behind.
 *
 * <p>ROOT: the system property {@value #DIR_PROPERTY}; else {@code $XDG_CACHE_HOME/gradcam/bioimageio}; else
 * {@code ~/.cache/gradcam/bioimageio}. (The project has no other cache folder; this follows the XDG convention that
 * JavaCPP's {@code ~/.javacpp/cache} does not.)
 */
public final class PackageCache {

    /** System property naming the cache folder. */
    public static final String DIR_PROPERTY = "gradcam.bioimageio.cache";

    static final int MAX_ENTRIES = 100_000;
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    /**
     * How much a zip may unpack to: at most {@code ratio} times its own size, but always up to {@code floor} bytes
     * (small zips of text compress well).
     */
    public record Limits(long ratio, long floor) {
        /** 100 times the zip, at least 256 MB. */
        public static final Limits DEFAULT = new Limits(100, 256L << 20);

        public long allowed(long zipSize) {
            long r = zipSize > Long.MAX_VALUE / ratio ? Long.MAX_VALUE : zipSize * ratio;
            return Math.max(r, floor);
        }
    }

    private final Path root;
    private final Limits limits;

    public PackageCache(Path root, Limits limits) {
        this.root = root.toAbsolutePath().normalize();
        this.limits = limits;
    }

    /** The cache in {@link #defaultRoot()} with the default limits. */
    public static PackageCache defaults() {
        return new PackageCache(defaultRoot(), Limits.DEFAULT);
    }

    public static Path defaultRoot() {
        String p = System.getProperty(DIR_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Paths.get(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("gradcam").resolve("bioimageio");
    }

    public Path root() {
        return root;
    }

    /** The folder {@code zip} unpacks to (unpacking it first if needed). */
    public Path unpack(Path zip) {
        long size;
        String sha;
        try {
            size = Files.size(zip);
            sha = sha256(zip);
        } catch (IOException e) {
            throw new ModelException("The zip " + zip + " cannot be read: " + e.getMessage() + ".",
                    "check that the file exists and is readable.", e);
        }
        Path target = root.resolve(sha);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path tmp;
        try {
            Files.createDirectories(root);
            tmp = Files.createTempDirectory(root, ".unpacking-");
        } catch (IOException e) {
            throw new ModelException("The package cache " + root + " cannot be written: " + e.getMessage() + ".",
                    "make it writable, or choose another with -D" + DIR_PROPERTY + "=DIR.", e);
        }
        try {
            extract(zip, size, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                delete(tmp); // another process unpacked the same zip meanwhile
            } catch (AtomicMoveNotSupportedException e) {
                throw new ModelException("The package cache " + root + " cannot rename folders atomically.",
                        "choose a cache folder on a local disk with -D" + DIR_PROPERTY + "=DIR.", e);
            }
            return target;
        } catch (IOException e) {
            delete(tmp);
            throw new ModelException("The zip " + zip + " cannot be unpacked: " + Yaml.oneLine(e.getMessage()) + ".",
                    "check that it is a complete .zip (download it again).", e);
        } catch (RuntimeException e) {
            delete(tmp);
            throw e;
        }
    }

    private void extract(Path zip, long zipSize, Path into) throws IOException {
        long allowed = limits.allowed(zipSize);
        try (ZipFile zf = ZipFile.builder().setPath(zip).get()) {
            long declared = 0;
            int entries = 0;
            Set<String> names = new HashSet<>();
            for (ZipArchiveEntry e : java.util.Collections.list(zf.getEntries())) {
                if (++entries > MAX_ENTRIES) {
                    throw refuse(zip, "has more than " + MAX_ENTRIES + " entries");
                }
                String name = e.getName();
                checkName(zip, name);
                if (e.isUnixSymlink()) {
                    throw refuse(zip, "has a symbolic link entry (" + name + ")");
                }
                if (!names.add(trimSlash(name))) {
                    throw refuse(zip, "has two entries named " + name);
                }
                if (e.getSize() > 0) {
                    declared += e.getSize();
                }
                if (declared > allowed) {
                    throw refuse(zip, "declares " + declared + " bytes unpacked, more than " + allowed + " for a zip of "
                            + zipSize + " bytes (a zip bomb?)");
                }
            }
            long written = 0;
            byte[] buf = new byte[1 << 16];
            for (ZipArchiveEntry e : java.util.Collections.list(zf.getEntries())) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into) || out.equals(into)) {
                    if (out.equals(into) && e.isDirectory()) {
                        continue;
                    }
                    throw refuse(zip, "has an entry outside its folder (" + e.getName() + ")");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                long entryBytes = 0;
                try (InputStream in = zf.getInputStream(e);
                        OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        entryBytes += n;
                        written += n;
                        if (e.getSize() >= 0 && entryBytes > e.getSize()) {
                            throw refuse(zip, "has an entry (" + e.getName() + ") holding more bytes than its header "
                                    + "declares (" + e.getSize() + ")");
                        }
                        if (written > allowed) {
                            throw refuse(zip, "unpacks to more than " + allowed + " bytes for a zip of " + zipSize
                                    + " bytes (a zip bomb?)");
                        }
                        os.write(buf, 0, n);
                    }
                }
            }
        }
    }

    private static String trimSlash(String name) {
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    /** Refuses names that are absolute, carry a drive letter or a NUL, or climb with {@code ..}. */
    static void checkName(Path zip, String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0 || name.startsWith("/") || name.startsWith("\\")
                || DRIVE.matcher(name).matches()) {
            throw refuse(zip, "has an entry with an absolute or invalid path (" + name.replace('\0', '?') + ")");
        }
        try {
            Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw refuse(zip, "has an entry whose name is not a valid path here (" + name + ")");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw refuse(zip, "has an entry outside its folder (" + name + ")");
            }
        }
    }

    private static ModelException refuse(Path zip, String problem) {
        return new ModelException("Refused the zip " + zip.getFileName() + ": it " + problem + "; nothing of it was "
                + "kept.", "use a package from a source you trust, as bioimage.io serves it (or zip the folder "
                + "again with a standard tool).");
    }

    /** The lowercase hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Refuses {@code file} when {@code expected} (if given) is not its SHA-256. */
    public static void checkSha256(Path file, String expected, String what) {
        if (expected == null || expected.isBlank()) {
            return;
        }
        String actual;
        try {
            actual = sha256(file);
        } catch (IOException e) {
            throw new ModelException(what + " " + file + " cannot be read: " + e.getMessage() + ".",
                    "check that the package is complete.", e);
        }
        if (!actual.equalsIgnoreCase(expected.strip())) {
            throw new ModelException(what + " " + file.getFileName() + " has SHA-256 " + actual
                    + ", but the description says " + expected.strip() + ": it is damaged or not the file described.",
                    "download the package again from where it is published; never run a file whose checksum does "
                    + "not match.");
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder inside the cache; the next unpack uses a new one
        }
    }
}
