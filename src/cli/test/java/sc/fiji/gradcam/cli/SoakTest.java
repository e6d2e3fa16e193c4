package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak (issue H.6): 10,000 small images in one {@code explain} run, default model and methods, in a JVM whose
 * heap is fixed and touched up front ({@code -Xms = -Xmx}, {@code AlwaysPreTouch}), so that what its resident memory
 * does after warm-up is what native memory does: every session run's tensors closed, nothing kept per image. RSS is
 * sampled from {@code /proc} while it runs; after 2,000 images it may grow by at most 5 % to the end.
 */
class SoakTest {

    static final int IMAGES = 10_000;
    static final int WARM = 2_000;

    @TempDir
    Path dir;

    @Test
    void tenThousandImagesInOneRunWithFlatMemory() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<Path> cells;
        try (var s = Files.list(Paths.get(System.getProperty("gradcam.home"), "test-images"))) {
            cells = s.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
        for (int i = 0; i < IMAGES; i++) {
            Files.copy(cells.get(i % cells.size()), in.resolve(String.format(Locale.ROOT, "cell-%05d.png", i)));
        }
        Path out = dir.resolve("out");
        List<String> cmd = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xms768m",
                "-Xmx768m", "-XX:+AlwaysPreTouch", "-Djava.awt.headless=true",
                "-Dgradcam.home=" + System.getProperty("gradcam.home"), "-Dorg.slf4j.simpleLogger.logFile=System.err",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "explain", "--image",
                in.toString(), "--out", out.toString(), "--quiet");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile())
                .start();
        Path csv = out.resolve("predictions.csv");
        List<long[]> samples = new ArrayList<>(); // {rows done, RSS kB}
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (!p.waitFor(1, TimeUnit.SECONDS)) {
            long rss = rssKb(p.pid());
            if (rss > 0) {
                samples.add(new long[] {rows(csv), rss});
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the soak took over 20 minutes");
            }
        }
        assertEquals(0, p.exitValue(), () -> tail(dir.resolve("run.log")));
        assertEquals(IMAGES, rows(csv), "every image once");
        long[] warm = samples.stream().filter(s -> s[0] >= WARM).findFirst().orElseThrow();
        long[] end = samples.stream().filter(s -> s[0] >= IMAGES * 9 / 10).reduce((a, b) -> b).orElseThrow();
        double growth = (double) (end[1] - warm[1]) / warm[1];
        String report = String.format(Locale.ROOT, "RSS %d MB after %d images, %d MB after %d: %+.1f %% (%d samples)",
                warm[1] / 1024, warm[0], end[1] / 1024, end[0], 100 * growth, samples.size());
        Files.writeString(Paths.get(System.getProperty("gradcam.home"), "src", "cli", "target", "soak.txt"),
                report + "\n");
        System.out.println("soak: " + report);
        assertTrue(growth <= 0.05, report);
    }

    /** Data rows of the CSV so far (lines after the header). */
    private static long rows(Path csv) throws IOException {
        if (!Files.exists(csv)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(csv);
        long lines = 0;
        for (byte x : b) {
            if (x == '\n') {
                lines++;
            }
        }
        return Math.max(0, lines - 1);
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process just ended
        }
        return -1;
    }

    private static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", l.subList(Math.max(0, l.size() - 20), l.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
