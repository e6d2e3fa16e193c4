package sc.fiji.gradcam.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * A real standalone cluster on localhost: Spark's {@code Master} and one {@code Worker} (2 cores) from the Spark jars,
 * each a child JVM on the test class path; the job is submitted to {@code spark://localhost:PORT} and runs in the
 * worker's executor JVM, with the CLI's predictions and bit-identical files.
 */
class StandaloneClusterTest {

    @Test
    void theJobOnAStandaloneCluster(@TempDir Path tmp) throws Exception {
        String cp = System.getProperty("java.class.path");
        Path sparkHome = Files.createDirectories(tmp.resolve("spark-home/jars")).getParent();
        Path work = Files.createDirectories(tmp.resolve("work"));
        int port = freePort();
        List<Process> started = new ArrayList<>();
        SparkSession spark = null;
        try {
            started.add(start(cp, sparkHome, tmp.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                    "--host", "localhost", "--port", String.valueOf(port), "--webui-port",
                    String.valueOf(freePort())));
            awaitPort(port, started.get(0), tmp.resolve("master.log"));
            started.add(start(cp, sparkHome, tmp.resolve("worker.log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "localhost", "--cores", "2", "--memory", "2g", "--work-dir", work.toString(),
                    "--webui-port", String.valueOf(freePort()), "spark://localhost:" + port));

            spark = SparkSession.builder().master("spark://localhost:" + port).appName("gradcam-spark-cluster-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "localhost")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.executor.memory", "1500m")
                    .config("spark.executor.cores", "2")
                    .config("spark.cores.max", "2")
                    .config("spark.executor.extraClassPath", cp)
                    .config("spark.executorEnv.TF_CPP_MIN_LOG_LEVEL", "2")
                    .getOrCreate();
            Path out = tmp.resolve("out");
            Path cliOut = tmp.resolve("cli");
            String model = SparkTesting.model().toString();
            String images = SparkTesting.images().toString();
            SparkJob.Summary s = SparkJob.run(spark, SparkTesting.job("--model", model, "--image", images, "--out",
                    out.toString(), "--partition-size", "3"));
            assertEquals(6, s.explained(), () -> log(tmp));
            assertEquals(0, s.failed());
            assertEquals(2, s.partitions());
            assertTrue(Files.isRegularFile(out.resolve("predictions.parquet/_SUCCESS")));

            // the tasks ran in the worker's executor JVM (its folder under the work dir), not in this one
            try (var apps = Files.list(work)) {
                assertEquals(1, apps.filter(p -> p.getFileName().toString().startsWith("app-")).count());
            }

            assertEquals(0, sc.fiji.gradcam.cli.Main.run("explain", "--model", model, "--image", images, "--out",
                    cliOut.toString(), "--quiet"));
            int n = PredictionsCsv.CLI.size();
            Map<String, List<List<String>>> cli = SparkTesting.rowsByImage(cliOut.resolve("predictions.csv"), n);
            Map<String, List<List<String>>> job = SparkTesting.rowsByImage(out.resolve("predictions.csv"), n + 2);
            assertEquals(cli.keySet(), job.keySet());
            for (var e : cli.entrySet()) {
                assertEquals(e.getValue().get(0), job.get(e.getKey()).get(0).subList(0, n));
                assertFalse(job.get(e.getKey()).get(0).get(n).isEmpty());
            }
            List<Path> files = SparkTesting.imageFiles(cliOut);
            assertEquals(24, files.size());
            for (Path f : files) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(out.resolve(f.getFileName())),
                        f.getFileName().toString());
            }
        } finally {
            if (spark != null) {
                spark.stop();
            }
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).destroy();
                started.get(i).waitFor();
            }
        }
    }

    /** A child JVM running {@code main} on the test class path, its output in {@code log}. */
    private static Process start(String cp, Path sparkHome, Path log, String main, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", cp));
        cmd.addAll(List.of(System.getProperty("spark.java.opens", "").trim().split("\\s+")));
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd.stream().filter(s -> !s.isEmpty()).toList())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // the worker builds its executors' command from SPARK_HOME (an empty jars/: the class path is the test's)
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process p, Path log) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            if (!p.isAlive()) {
                throw new AssertionError("the master exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the master did not listen on " + port + ": " + Files.readString(log));
    }

    private static String log(Path tmp) {
        try {
            return Files.readString(tmp.resolve("worker.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
