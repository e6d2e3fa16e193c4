package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sc.fiji.gradcam.api.batch.RunLock;
import sc.fiji.gradcam.support.Shared;

/**
 * Nothing lost at scale (issue H), through the command line: one bad image never costs the others, bad options stop
 * a run before anything is written, one run per folder, and a run killed with SIGKILL resumes to every image exactly
 * once with no partial files.
 */
class BatchReliabilityTest {

    @TempDir Path dir;

    static Path mnist() {
        return Shared.model("mnist_tfmodule");
    }

    /** {@code n} 28×28 digits copied from the shared MNIST images under new names. */
    Path digits(int n) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<Path> src;
        try (Stream<Path> s = Files.list(mnist().resolveSibling("images"))) {
            src = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        for (int i = 0; i < n; i++) {
            Files.copy(src.get(i % src.size()), in.resolve(String.format("digit-%04d.png", i)));
        }
        return in;
    }

    static List<String> csvRows(Path out) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"), StandardCharsets.UTF_8);
        assertEquals("image,predicted_index,predicted_label,predicted_probability,target_index,target_label,raw_max,"
                + "error,plane", lines.get(0));
        return lines.subList(1, lines.size());
    }

    static Map<String, Integer> perImage(List<String> rows) {
        Map<String, Integer> n = new HashMap<>();
        rows.forEach(r -> n.merge(r.substring(0, r.indexOf(',')), 1, Integer::sum));
        return n;
    }

    static List<String> listing(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(folder)) {
            return s.map(folder::relativize).map(Path::toString).sorted().toList();
        }
    }

    @Test
    void one_bad_image_never_costs_the_others() throws Exception {
        Path in = digits(4);
        Files.writeString(in.resolve("broken.png"), "not a png at all");
        FloatProcessor nan = new FloatProcessor(28, 28);
        nan.setf(3, 4, Float.NaN);
        IJ.saveAsTiff(new ImagePlus("nan", nan), in.resolve("nan.tif").toString());
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--json", "--quiet", "--batch", "8");
        assertEquals(1, r.code(), r.err());
        JsonObject summary = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray images = summary.getAsJsonArray("images");
        assertEquals(6, images.size());
        assertEquals(2, summary.get("errors").getAsInt());
        for (JsonElement e : images) {
            JsonObject o = e.getAsJsonObject();
            String name = Paths.get(o.get("image").getAsString()).getFileName().toString();
            if (name.startsWith("digit")) {
                assertTrue(o.get("error").isJsonNull(), o.toString());
                assertTrue(Files.isRegularFile(out.resolve(name.replace(".png", ".gradcam.tif"))), name);
            } else {
                String error = o.get("error").getAsString();
                assertFalse(error.contains("\n"), error);
                assertTrue(name.equals("nan.tif") ? error.contains("NaN") : error.contains("broken.png"), error);
            }
        }
        assertEquals(6, csvRows(out).size());
        assertFalse(Files.exists(out.resolve(RunLock.NAME)), "the lock is released");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--range|5:1|MIN is above MAX",
            "--range|2:2|it is empty",
            "--size|0x28|Invalid size",
            "--opacity|1.5|between 0 and 1",
            "--lut|Rainbowz|Unknown colour map",
            "--percentiles|1:120|0..100",
            "--batch|0|at least 1"})
    void bad_options_stop_the_run_before_anything_is_written(String option, String value, String says)
            throws Exception {
        Path in = digits(2);
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), option, value, "--quiet");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(says), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out), "written: " + listing(out));
    }

    @Test
    void an_output_folder_inside_the_input_or_unwritable_is_refused() throws Exception {
        Path in = digits(2);
        CliTest.Run inside = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                in.resolve("maps").toString(), "--quiet");
        assertEquals(2, inside.code());
        assertTrue(inside.err().contains("inside the input folder"), inside.err());
        assertFalse(Files.exists(in.resolve("maps")));
        // a folder below a plain file cannot be made by anyone, root included
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        CliTest.Run unwritable = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(),
                "--out", file.resolve("out").toString(), "--quiet");
        assertEquals(2, unwritable.code());
        assertTrue(unwritable.err().contains("cannot be written"), unwritable.err());
    }

    @Test
    void a_second_run_into_the_same_folder_is_refused_and_a_stale_lock_is_taken_over() throws Exception {
        Path in = digits(2);
        Path out = Files.createDirectories(dir.resolve("out"));
        try (RunLock held = RunLock.acquire(out)) { // held while the second run tries
            CliTest.Run second = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(),
                    "--out", out.toString(), "--quiet");
            assertEquals(2, second.code());
            assertTrue(second.err().contains("Another Grad-CAM run (process " + ProcessHandle.current().pid()),
                    second.err());
            assertFalse(Files.exists(out.resolve("predictions.csv")));
        }
        // a lock left by a process that is gone
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(out.resolve(RunLock.NAME), "pid=" + dead.pid() + "\nhost="
                + java.net.InetAddress.getLocalHost().getHostName() + "\nstarted=2026-01-01T00:00:00Z\n");
        CliTest.Run after = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(0, after.code(), after.err());
        assertEquals(2, csvRows(out).size());
    }

    @Test
    void existing_outputs_refuse_the_whole_run_unless_overwrite_or_resume() throws Exception {
        Path in = digits(3);
        Path out = dir.resolve("out");
        assertEquals(0, CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--quiet").code());
        List<String> before = listing(out);
        Files.delete(out.resolve("predictions.csv"));
        Files.delete(out.resolve("summary.json"));
        Files.delete(out.resolve("predictions.jsonl"));
        CliTest.Run again = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds") && again.err().contains("--resume"), again.err());
        assertFalse(Files.exists(out.resolve("predictions.csv")), "nothing written");
        CliTest.Run over = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--quiet", "--overwrite");
        assertEquals(0, over.code(), over.err());
        assertEquals(before, listing(out));
    }

    @Test
    void a_run_killed_with_sigkill_resumes_to_every_image_exactly_once() throws Exception {
        int n = 400;
        Path in = digits(n);
        Path out = dir.resolve("out");
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--methods", "gradcam,guided-gradcam", "--batch", "1", "--quiet"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile())
                .start();
        Path csv = out.resolve("predictions.csv");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()
                && (!Files.exists(csv) || Files.readAllLines(csv).size() < 30)) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(dir.resolve("run.log")));
        p.destroyForcibly(); // SIGKILL
        p.waitFor(30, TimeUnit.SECONDS);
        int doneBefore = Files.readAllLines(csv).size() - 1;
        assertTrue(doneBefore < n, "killed mid-run");
        assertTrue(Files.exists(out.resolve(RunLock.NAME)), "the killed run's lock is left behind");

        CliTest.Run refused = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--quiet", "--methods", "gradcam,guided-gradcam");
        assertEquals(2, refused.code(), "a rerun without --resume is refused");

        CliTest.Run resumed = CliTest.run("explain", "--model", mnist().toString(), "--image", in.toString(), "--out",
                out.toString(), "--methods", "gradcam,guided-gradcam", "--resume", "--json", "--quiet");
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Integer> rows = perImage(csvRows(out));
        assertEquals(n, rows.size());
        assertTrue(rows.values().stream().allMatch(c -> c == 1), "an image twice in predictions.csv");
        JsonArray entries = JsonParser.parseString(resumed.out()).getAsJsonObject().getAsJsonArray("images");
        Map<String, Integer> inSummary = new HashMap<>();
        entries.forEach(e -> inSummary.merge(e.getAsJsonObject().get("image").getAsString(), 1, Integer::sum));
        assertEquals(rows.keySet(), inSummary.keySet());
        assertTrue(inSummary.values().stream().allMatch(c -> c == 1), "an image twice in summary.json");
        assertEquals(n, Files.readAllLines(out.resolve("predictions.jsonl")).size());
        List<String> files = listing(out);
        assertTrue(files.stream().noneMatch(f -> f.endsWith(".part")), "partial files left: " + files);
        assertFalse(files.contains(RunLock.NAME));
        for (int i = 0; i < n; i++) {
            String name = String.format("digit-%04d", i);
            for (String suffix : List.of(".gradcam.tif", ".gradcam-raw.tif", ".guided-gradcam.tif",
                    ".gradcam-overlay.png")) {
                Path f = out.resolve(name + suffix);
                assertTrue(Files.isRegularFile(f), "missing " + f.getFileName());
            }
            ImagePlus map = IJ.openImage(out.resolve(name + ".gradcam.tif").toString());
            assertEquals(28, map.getWidth(), name + " is not a complete TIFF");
        }
    }
}
