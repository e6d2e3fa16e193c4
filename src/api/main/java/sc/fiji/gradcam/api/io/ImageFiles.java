package sc.fiji.gradcam.api.io;

import ij.IJ;
import ij.ImagePlus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Finding and reading image files (through ImageJ 1's openers: TIFF, PNG, JPEG, BMP, GIF). */
public final class ImageFiles {

    /** File endings treated as images when a folder is given. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif");

    private ImageFiles() {}

    /** The image files of {@code path}: itself when a file, else its image files sorted by name. */
    public static List<Path> list(Path path) throws IOException {
        return list(path, null);
    }

    /** Like {@link #list(Path)}, keeping only file names that match {@code glob} (null: all). */
    public static List<Path> list(Path path, String glob) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException(path + " does not exist.");
        }
        java.nio.file.PathMatcher matcher = glob == null ? null
                : path.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> s = Files.list(path)) {
            return s.filter(Files::isRegularFile).filter(ImageFiles::isImage)
                    .filter(p -> matcher == null || matcher.matches(p.getFileName())).sorted().toList();
        }
    }

    public static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Opens an image; an unreadable file gives an IOException naming it. */
    public static ImagePlus open(Path p) throws IOException {
        if (!Files.isReadable(p)) {
            throw new IOException("cannot read " + p);
        }
        ImagePlus imp = IJ.openImage(p.toString());
        if (imp == null || imp.getWidth() == 0) {
            throw new IOException("not an image ImageJ can open: " + p.getFileName());
        }
        return imp;
    }

    /** The file name without its last extension. */
    public static String baseName(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
