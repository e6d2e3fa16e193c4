package sc.fiji.gradcam.benchmark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Peak resident memory of the command line on large images (issue H.2), run by {@code scripts/benchmark-memory};
 * not part of the test run. For each size it writes a synthetic 8-bit gray PNG (and RGB PNGs where asked), then runs
 * {@code gradcam explain} on it with the default methods in a fresh JVM with the CLI's default heap
 * ({@code -Xmx4g}) under {@code /usr/bin/time}, and reports the peak RSS, the wall time, whether the image was
 * explained, and how RSS grows against the input's size. Writes {@code target/memory-benchmark.json} and prints a
 * markdown table.
 *
 * <pre>
 * Options: --gray 1000,5000,10000,20000  --rgb 12000  --heap 4g  --work DIR (target/memory-benchmark)
 *          --out FILE (target/memory-benchmark.json)
 * </pre>
 */
public final class MemoryBenchmark {

    private MemoryBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--gray", "1000,5000,10000,20000", "--rgb", "12000",
                "--heap", "4g", "--work", "target/memory-benchmark", "--out", "target/memory-benchmark.json"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                throw new IllegalArgumentException("Unknown option " + args[i] + "; options: " + o.keySet());
            }
            o.put(args[i], args[i + 1]);
        }
        Path home = Paths.get(System.getProperty("gradcam.home", "."));
        Path work = home.resolve(o.get("--work"));
        Files.createDirectories(work);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String kind : new String[] {"gray", "rgb"}) {
            for (String s : o.get("--" + kind).split(",")) {
                if (s.isBlank()) {
                    continue;
                }
                int size = Integer.parseInt(s.trim());
                Path image = work.resolve(kind + "-" + size + ".png");
                if (!Files.exists(image)) {
                    long t0 = System.nanoTime();
                    write(image, size, kind.equals("rgb"));
                    System.err.printf(Locale.ROOT, "wrote %s (%.0f s)%n", image, (System.nanoTime() - t0) / 1e9);
                }
                rows.add(run(home, work, image, size, kind, o.get("--heap")));
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("heap", o.get("--heap"));
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("runs", rows);
        Path out = home.resolve(o.get("--out"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(report));
        System.out.println(table(rows));
    }

    /** A synthetic image: smooth blobs ("cells") on a textured background, deterministic. */
    static void write(Path file, int size, boolean rgb) throws IOException {
        BufferedImage img = new BufferedImage(size, size, rgb ? BufferedImage.TYPE_INT_RGB
                : BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(size);
        if (rgb) {
            int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int v = value(x, y, r);
                    px[y * size + x] = (v << 16) | (Math.max(0, v - 40) << 8) | Math.min(255, v + 30);
                }
            }
        } else {
            byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    px[y * size + x] = (byte) value(x, y, r);
                }
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, file);
    }

    private static int value(int x, int y, Random r) {
        double cells = Math.sin(x / 41.0) * Math.cos(y / 57.0);
        return (int) Math.max(0, Math.min(255, 140 + 70 * cells + r.nextInt(16)));
    }

    /** One CLI run in a fresh JVM under /usr/bin/time: peak RSS, time, outcome. */
    static Map<String, Object> run(Path home, Path work, Path image, int size, String kind, String heap)
            throws IOException, InterruptedException {
        Path out = work.resolve("out-" + kind + "-" + size);
        Path timeFile = work.resolve("time-" + kind + "-" + size + ".txt");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M %e", "-o", timeFile.toString(),
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-Djava.awt.headless=true", "-Dgradcam.home=" + home.toAbsolutePath(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.logFile=System.err",
                "-cp", System.getProperty("java.class.path"), "sc.fiji.gradcam.cli.Main", "explain",
                "--image", image.toString(), "--out", out.toString(), "--overwrite", "--quiet", "--json"));
        System.err.println("running gradcam explain on " + image.getFileName() + " (-Xmx" + heap + ")");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        String[] t = Files.readString(timeFile).trim().split("\\s+");
        String[] last = t.length >= 2 ? new String[] {t[t.length - 2], t[t.length - 1]} : new String[] {"0", "0"};
        Map<String, Object> row = new LinkedHashMap<>();
        int channels = kind.equals("rgb") ? 3 : 1;
        row.put("image", kind + " " + size + "×" + size);
        row.put("pixels", (long) size * size);
        row.put("input_mb", Math.round((double) size * size * (channels == 3 ? 4 : 1) / 1e6));
        row.put("peak_rss_mb", Math.round(Long.parseLong(last[0]) / 1024.0));
        row.put("seconds", Double.parseDouble(last[1]));
        row.put("exit", exit);
        String status = "exit " + exit;
        try {
            String json = stdout.substring(Math.max(0, stdout.indexOf("{\n")));
            JsonObject j = JsonParser.parseString(json).getAsJsonObject();
            JsonObject first = j.getAsJsonArray("images").get(0).getAsJsonObject();
            status = first.has("error") && !first.get("error").isJsonNull() ? "error: " + first.get("error").getAsString() : "explained";
        } catch (RuntimeException e) {
            status += " (no JSON: " + e.getMessage() + ")";
            Files.writeString(work.resolve("stdout-" + kind + "-" + size + ".txt"), stdout);
        }
        row.put("status", status);
        long outBytes = 0;
        if (Files.isDirectory(out)) {
            try (var files = Files.list(out)) {
                outBytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
        }
        row.put("output_mb", Math.round(outBytes / 1e6));
        System.err.println("  " + row);
        return row;
    }

    static String table(List<Map<String, Object>> rows) {
        StringBuilder b = new StringBuilder("| image | input MB | peak RSS MB | RSS − first row, per input MB | s | "
                + "outputs MB | result |\n|---|---|---|---|---|---|---|\n");
        Map<String, Object> base = rows.isEmpty() ? null : rows.get(0);
        for (Map<String, Object> r : rows) {
            long dIn = ((Number) r.get("input_mb")).longValue() - ((Number) base.get("input_mb")).longValue();
            long dRss = ((Number) r.get("peak_rss_mb")).longValue() - ((Number) base.get("peak_rss_mb")).longValue();
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.0f | %d | %s |%n", r.get("image"),
                    r.get("input_mb"), r.get("peak_rss_mb"), dIn <= 0 ? "—" : String.format(Locale.ROOT, "%.1f",
                            (double) dRss / dIn), r.get("seconds"), r.get("output_mb"), r.get("status")));
        }
        return b.toString();
    }
}
