package sc.fiji.gradcam.api.batch;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * One run at a time per output folder: a lock file naming the running process (pid, host, start time), created
 * atomically and removed when the run ends. A lock whose process is gone (killed run, same host) is taken over; a
 * live one refuses the second run with one line naming it.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name inside the output folder. */
    public static final String NAME = ".gradcam-run.lock";

    /** Lock files held by runs in this JVM (a lock with this process's pid is live only if listed here). */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path file;

    private RunLock(Path file) {
        this.file = file;
    }

    /** Takes the lock of {@code folder} (created if needed); throws {@link IllegalArgumentException} when it is held. */
    public static RunLock acquire(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(NAME);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Files.writeString(Files.createFile(file), describeSelf(), StandardCharsets.UTF_8);
                HELD.add(file.toAbsolutePath().normalize());
                return new RunLock(file);
            } catch (FileAlreadyExistsException held) {
                Properties other = read(file);
                if (alive(other) || HELD.contains(file.toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("Another Grad-CAM run (process " + other.getProperty("pid")
                            + " on " + other.getProperty("host") + ", started " + other.getProperty("started")
                            + ") is writing into " + folder + ". Fix: wait for it to finish, or choose another output "
                            + "folder.");
                }
                Files.deleteIfExists(file); // stale: its process is gone
            }
        }
        throw new IOException("could not take the lock " + file);
    }

    private static String describeSelf() {
        return "pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted=" + Instant.now() + "\n";
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            // unreadable: treated as stale
        }
        return p;
    }

    /** Whether the lock's process still runs: same host and a live pid (another host's lock is kept). */
    static boolean alive(Properties lock) {
        String pid = lock.getProperty("pid");
        if (pid == null) {
            return false;
        }
        if (!host().equals(lock.getProperty("host"))) {
            return true;
        }
        try {
            long p = Long.parseLong(pid.trim());
            return p != ProcessHandle.current().pid() && ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() throws IOException {
        HELD.remove(file.toAbsolutePath().normalize());
        Files.deleteIfExists(file);
    }
}
