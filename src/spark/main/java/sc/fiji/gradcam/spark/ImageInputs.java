package sc.fiji.gradcam.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import sc.fiji.gradcam.api.io.ImageFiles;

/**
 * The images of {@code --image}: a folder (its image files, sorted by name, optionally only those matching
 * {@code --glob}, as the CLI lists them), a glob ({@code /data/plate1/*.tif}, {@code s3a://bucket/run/**}), one image,
 * or a text file of paths ({@code .txt}, {@code .lst}, {@code .list}: one local path or URI per line, blank lines and
 * {@code #} comments skipped). Local paths stay as given (the CLI's {@code image} column); anything else is read
 * through Hadoop's file systems. Paths listed twice are explained once.
 */
final class ImageInputs {

    static final Set<String> LIST_EXTENSIONS = Set.of("txt", "lst", "list");

    private ImageInputs() {}

    static List<String> list(String image, String glob, Configuration conf) throws IOException {
        List<String> found = HadoopPaths.isRemote(image) ? remote(image, glob, conf) : local(image, glob, conf);
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(found));
        if (unique.isEmpty()) {
            throw new IllegalArgumentException("No image files (" + String.join(", ", new TreeSet<>(
                    ImageFiles.EXTENSIONS)) + ") in " + image + (glob == null ? "" : " matching " + glob)
                    + ". Fix: give a folder of images, a glob, or a .txt file listing one image per line.");
        }
        return unique;
    }

    private static boolean isGlob(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static boolean isList(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && LIST_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static List<String> local(String image, String glob, Configuration conf) throws IOException {
        Path p = HadoopPaths.local(image);
        if (Files.isDirectory(p)) {
            return ImageFiles.list(p, glob).stream().map(Path::toString).toList();
        }
        if (Files.isRegularFile(p)) {
            if (ImageFiles.isImage(p)) {
                return List.of(p.toString());
            }
            if (isList(p.getFileName().toString())) {
                return lines(Files.newBufferedReader(p, StandardCharsets.UTF_8));
            }
            throw notImages(image);
        }
        if (isGlob(image)) {
            FileStatus[] st = FileSystem.getLocal(conf).globStatus(new org.apache.hadoop.fs.Path(
                    p.toAbsolutePath().toString()));
            return st == null ? List.of() : Arrays.stream(st).filter(FileStatus::isFile)
                    .map(s -> Path.of(s.getPath().toUri().getPath())).filter(ImageFiles::isImage).sorted()
                    .map(Path::toString).toList();
        }
        throw new IllegalArgumentException("--image " + image + " does not exist. Fix: give a folder of images, a "
                + "glob, an image, or a .txt file listing one image per line.");
    }

    private static List<String> remote(String image, String glob, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(image);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] found;
        if (isGlob(image)) {
            found = fs.globStatus(p);
        } else if (!fs.exists(p)) {
            throw new IllegalArgumentException("--image " + image + " does not exist. Fix: give a folder of images, "
                    + "a glob, an image, or a .txt file listing one image per line.");
        } else if (fs.getFileStatus(p).isDirectory()) {
            found = glob == null ? fs.listStatus(p) : fs.listStatus(p, new GlobFilter(glob));
        } else if (isList(p.getName())) {
            return lines(new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8)));
        } else if (ImageFiles.isImage(Path.of(p.getName()))) {
            return List.of(fs.getFileStatus(p).getPath().toString());
        } else {
            throw notImages(image);
        }
        return found == null ? List.of() : Arrays.stream(found).filter(FileStatus::isFile)
                .filter(s -> ImageFiles.isImage(Path.of(s.getPath().getName()))).map(s -> s.getPath().toString())
                .sorted().toList();
    }

    private static List<String> lines(BufferedReader in) throws IOException {
        try (in) {
            return in.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    private static IllegalArgumentException notImages(String image) {
        return new IllegalArgumentException("--image " + image + " is neither an image (" + String.join(", ",
                new TreeSet<>(ImageFiles.EXTENSIONS)) + "), a folder, a glob nor a list of paths (.txt, .lst, .list)."
                + " Fix: give one of those.");
    }
}
