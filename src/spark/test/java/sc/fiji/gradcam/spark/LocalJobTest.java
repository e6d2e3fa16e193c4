package sc.fiji.gradcam.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/** The job on {@code local[2]}: the CLI's predictions and bit-identical files, bad images, resume, one model per JVM. */
class LocalJobTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sameAsTheCli(@TempDir Path tmp) throws Exception {
        Path cliOut = tmp.resolve("cli");
        Path sparkOut = tmp.resolve("spark");
        String images = SparkTesting.images().toString();
        String model = SparkTesting.model().toString();
        assertEquals(0, sc.fiji.gradcam.cli.Main.run("explain", "--model", model, "--image", images, "--out",
                cliOut.toString(), "--quiet"));
        SparkJob.Summary s = SparkJob.run(spark, SparkTesting.job("--model", model, "--image", images, "--out",
                sparkOut.toString(), "--partition-size", "2"));
        assertEquals(6, s.images());
        assertEquals(6, s.explained());
        assertEquals(0, s.failed());
        assertEquals(3, s.partitions());

        // the same rows in the CLI's columns, then host and task
        List<String> header = Files.readAllLines(sparkOut.resolve("predictions.csv")).subList(0, 1);
        assertEquals(PredictionsCsv.header(PredictionsCsv.CLI) + ",host,task", header.get(0));
        int n = PredictionsCsv.CLI.size();
        Map<String, List<List<String>>> cli = SparkTesting.rowsByImage(cliOut.resolve("predictions.csv"), n);
        Map<String, List<List<String>>> job = SparkTesting.rowsByImage(sparkOut.resolve("predictions.csv"), n + 2);
        assertEquals(cli.keySet(), job.keySet());
        for (var e : cli.entrySet()) {
            List<List<String>> mine = job.get(e.getKey());
            assertEquals(1, mine.size(), e.getKey());
            assertEquals(e.getValue().get(0), mine.get(0).subList(0, n), e.getKey());
            assertFalse(mine.get(0).get(n).isEmpty(), "host");
            assertTrue(mine.get(0).get(n + 1).matches("[0-2]\\.0"), "task " + mine.get(0).get(n + 1));
        }

        // bit-identical maps, raw maps and overlays
        List<Path> cliFiles = SparkTesting.imageFiles(cliOut);
        assertEquals(6 * 4, cliFiles.size(), "gradcam, guided-gradcam, raw, overlay per image");
        assertEquals(cliFiles.stream().map(Path::getFileName).toList(),
                SparkTesting.imageFiles(sparkOut).stream().map(Path::getFileName).toList());
        for (Path f : cliFiles) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(sparkOut.resolve(f.getFileName())),
                    f.getFileName().toString());
        }

        // the table once, as Parquet, complete; no journal and no temporary file left
        assertTrue(Files.isRegularFile(sparkOut.resolve("predictions.parquet/_SUCCESS")));
        assertEquals(6, spark.read().parquet(sparkOut.resolve("predictions.parquet").toString()).count());
        assertFalse(Files.exists(sparkOut.resolve(ExplainTask.JOURNALS)));
        try (var files = Files.list(sparkOut)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".part") || f.equals(".gradcam-run.lock")).toList());
        }
        // one model in this JVM, however many tasks (and jobs: the other tests' too)
        assertEquals(1, Explainers.loads(SparkTesting.job("--model", model, "--image", images).spec()));
    }

    @Test
    void imagesOutputsAndModelOnAHadoopFileSystem(@TempDir Path tmp) throws Exception {
        spark.sparkContext().hadoopConfiguration().set("fs." + RemoteTestFileSystem.SCHEME + ".impl",
                RemoteTestFileSystem.class.getName());
        spark.sparkContext().hadoopConfiguration().setBoolean("fs." + RemoteTestFileSystem.SCHEME
                + ".impl.disable.cache", true);
        Path cliOut = tmp.resolve("cli");
        Path out = tmp.resolve("remote-out");
        String scheme = RemoteTestFileSystem.SCHEME + "://";
        assertEquals(0, sc.fiji.gradcam.cli.Main.run("explain", "--model", SparkTesting.model().toString(), "--image",
                SparkTesting.images().toString(), "--out", cliOut.toString(), "--quiet"));
        SparkJob.Job job = SparkTesting.job("--model", scheme + SparkTesting.model(), "--image", scheme
                + SparkTesting.images() + "/*.png", "--out", scheme + out, "--partition-size", "4");
        SparkJob.Summary s = SparkJob.run(spark, job);
        assertEquals(6, s.explained());
        assertEquals(1, Explainers.loads(job.spec()), "the copied model, once in this JVM");
        assertTrue(Files.isRegularFile(out.resolve("predictions.parquet/_SUCCESS")));
        int n = PredictionsCsv.CLI.size();
        Map<String, List<List<String>>> rows = SparkTesting.rowsByImage(out.resolve("predictions.csv"), n + 2);
        assertEquals(6, rows.size());
        for (String image : rows.keySet()) {
            assertTrue(image.startsWith(RemoteTestFileSystem.SCHEME + ":/"), image);
        }
        List<Path> files = SparkTesting.imageFiles(cliOut);
        assertEquals(files.stream().map(Path::getFileName).toList(),
                SparkTesting.imageFiles(out).stream().map(Path::getFileName).toList());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out.resolve(f.getFileName())),
                    f.getFileName().toString());
        }
        try (var left = Files.list(out)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".part")
                    || f.endsWith(".crc")).toList());
        }
    }

    @Test
    void anUnreadableImageIsARowNotAFailedTask(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        try (var s = Files.list(SparkTesting.images())) {
            for (Path p : s.filter(p -> p.toString().endsWith(".png")).toList()) {
                Files.copy(p, in.resolve(p.getFileName()));
            }
        }
        Files.write(in.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5});
        Path out = tmp.resolve("out");
        SparkJob.Summary s = SparkJob.run(spark, SparkTesting.job("--model", SparkTesting.model().toString(),
                "--image", in.toString(), "--out", out.toString(), "--partition-size", "3"));
        assertEquals(7, s.images());
        assertEquals(6, s.explained());
        assertEquals(1, s.failed());
        int n = PredictionsCsv.CLI.size();
        Map<String, List<List<String>>> rows = SparkTesting.rowsByImage(out.resolve("predictions.csv"), n + 2);
        assertEquals(7, rows.size());
        List<String> broken = rows.get(in.resolve("broken.png").toString()).get(0);
        String error = broken.get(PredictionsCsv.CLI.indexOf(PredictionsCsv.Column.ERROR));
        assertTrue(error.contains("broken.png"), error);
        assertEquals(6 * 4, SparkTesting.imageFiles(out).size());
        assertFalse(Files.exists(out.resolve("broken.gradcam.tif")));

        // resume: the complete images are kept, the broken one is tried again, every image once in the table
        Files.delete(out.resolve(rows.keySet().stream().filter(k -> k.contains("Uninfected")).findFirst()
                .map(k -> Path.of(k).getFileName().toString().replace(".png", ".gradcam.tif")).orElseThrow()));
        SparkJob.Summary r = SparkJob.run(spark, SparkTesting.job("--model", SparkTesting.model().toString(),
                "--image", in.toString(), "--out", out.toString(), "--resume"));
        assertEquals(5, r.kept());
        assertEquals(1, r.explained());
        assertEquals(1, r.failed());
        assertEquals(7, r.rows());
        assertEquals(7, SparkTesting.rowsByImage(out.resolve("predictions.csv"), n + 2).size());
        assertEquals(6 * 4, SparkTesting.imageFiles(out).size());

        // a second run without --resume or --overwrite is refused in one line, before any task
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkJob.run(spark,
                SparkTesting.job("--image", in.toString(), "--out", out.toString())));
        assertTrue(e.getMessage().contains("Fix: resume"), e.getMessage());
    }
}
