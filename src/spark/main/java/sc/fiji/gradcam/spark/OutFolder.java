package sc.fiji.gradcam.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The job's {@code --out} folder on any Hadoop file system (a local or shared folder through the raw local file
 * system, so that no {@code .crc} files appear next to the outputs). Every file is written under a temporary name
 * ({@code .NAME.part}, as the batch runner writes) and renamed when complete, so readers and a resumed run only ever
 * see complete files.
 */
final class OutFolder {

    private final String uri;
    private final FileSystem fs;
    private final Path root;

    OutFolder(String uri, Configuration conf) throws IOException {
        this.uri = uri;
        if (HadoopPaths.isRemote(uri)) {
            this.root = new Path(uri);
            this.fs = root.getFileSystem(conf);
        } else {
            this.root = new Path(HadoopPaths.local(uri).toAbsolutePath().normalize().toUri());
            this.fs = FileSystem.getLocal(conf).getRawFileSystem();
        }
    }

    boolean isLocal() {
        return !HadoopPaths.isRemote(uri);
    }

    /** The folder as Spark writes to it (a qualified URI). */
    String qualified() {
        return fs.makeQualified(root).toString();
    }

    Path path(String name) {
        return new Path(root, name);
    }

    boolean exists(String name) throws IOException {
        return fs.exists(path(name));
    }

    void mkdirs(String name) throws IOException {
        fs.mkdirs(name.isEmpty() ? root : path(name));
    }

    /** Writes {@code text} to {@code name} under a temporary name, then renames it into place. */
    void write(String name, String text) throws IOException {
        Path tmp = temp(name);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        moveIntoPlace(tmp, path(name));
    }

    /** A writer for a large file: write to the stream, then {@link #moveIntoPlace}. */
    OutputStream create(Path tmp) throws IOException {
        return fs.create(tmp, true);
    }

    Path temp(String name) {
        Path target = path(name);
        return new Path(target.getParent(), "." + target.getName() + ".part");
    }

    /** Uploads a local file to {@code name} (the local copy is deleted). */
    void upload(java.nio.file.Path local, String name) throws IOException {
        Path tmp = temp(name);
        fs.copyFromLocalFile(true, true, new Path(local.toUri()), tmp);
        moveIntoPlace(tmp, path(name));
    }

    void moveIntoPlace(Path tmp, Path target) throws IOException {
        if (fs.exists(target)) {
            fs.delete(target, true);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }

    String read(String name) throws IOException {
        try (var in = fs.open(path(name))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The names of the files in the sub-folder {@code name} (none when it does not exist), hidden files left out. */
    List<String> list(String name) throws IOException {
        List<String> names = new ArrayList<>();
        if (!fs.exists(path(name))) {
            return names;
        }
        for (FileStatus s : fs.listStatus(path(name))) {
            String n = s.getPath().getName();
            if (s.isFile() && !n.startsWith(".")) {
                names.add(name + "/" + n);
            }
        }
        names.sort(null);
        return names;
    }

    void delete(String name) throws IOException {
        fs.delete(path(name), true);
    }

    boolean rename(String from, String to) throws IOException {
        return fs.rename(path(from), path(to));
    }
}
