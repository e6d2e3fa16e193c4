package sc.fiji.gradcam.spark;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Paths as users give them: local ({@code /data}, {@code data/x.png}, {@code file:///data}) or on a Hadoop file system. */
final class HadoopPaths {

    private HadoopPaths() {}

    /** The URI scheme of a path, or null for a plain local path. */
    static String scheme(String path) {
        int colon = path.indexOf(':');
        int slash = path.indexOf('/');
        if (colon <= 1 || (slash >= 0 && slash < colon)) {
            return null; // no scheme (a one-letter "scheme" would be a Windows drive)
        }
        String s = path.substring(0, colon);
        return s.matches("[A-Za-z][A-Za-z0-9+.-]*") ? s.toLowerCase(java.util.Locale.ROOT) : null;
    }

    /** Whether the path is on a file system other than this machine's ({@code hdfs://}, {@code s3a://}, ...). */
    static boolean isRemote(String path) {
        String s = scheme(path);
        return s != null && !s.equals("file");
    }

    /** A local path ({@code file:} URIs included) as a {@link Path}. */
    static Path local(String path) {
        return "file".equals(scheme(path)) ? Paths.get(URI.create(path)) : Paths.get(path);
    }
}
