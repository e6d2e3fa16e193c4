package sc.fiji.gradcam.spark;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.io.PredictionsCsv;

/**
 * Tasks lost after their work ({@code local[2,3]}: up to three attempts per task): a retried partition adds no row
 * twice, and the journals of a job that died let {@code --resume} keep what its tasks finished.
 */
class RetryTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTesting.session("local[2,3]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void noMoreFailures() {
        ExplainTask.failAttemptsBelow = 0;
    }

    @Test
    void aRetriedTaskAddsNoRowTwice(@TempDir Path tmp) throws Exception {
        ExplainTask.failAttemptsBelow = 1;
        Path out = tmp.resolve("out");
        SparkJob.Summary s = SparkJob.run(spark, SparkTesting.job("--model", SparkTesting.model().toString(),
                "--image", SparkTesting.images().toString(), "--out", out.toString(), "--partition-size", "2"));
        assertEquals(6, s.explained());
        assertEquals(6, s.rows());
        int n = PredictionsCsv.CLI.size();
        Map<String, List<List<String>>> rows = SparkTesting.rowsByImage(out.resolve("predictions.csv"), n + 2);
        assertEquals(6, rows.size());
        for (var e : rows.entrySet()) {
            assertEquals(1, e.getValue().size(), e.getKey());
            assertTrue(e.getValue().get(0).get(n + 1).endsWith(".1"), "the second attempt's row: "
                    + e.getValue().get(0).get(n + 1));
        }
        assertEquals(6, spark.read().parquet(out.resolve("predictions.parquet").toString()).count());
        assertFalse(Files.exists(out.resolve(ExplainTask.JOURNALS)));
    }

    @Test
    void aDeadJobIsResumedFromItsTasksJournals(@TempDir Path tmp) throws Exception {
        ExplainTask.failAttemptsBelow = Integer.MAX_VALUE;
        Path out = tmp.resolve("out");
        String[] args = {"--model", SparkTesting.model().toString(), "--image", SparkTesting.images().toString(),
            "--out", out.toString(), "--partition-size", "3"};
        assertThrows(Exception.class, () -> SparkJob.run(spark, SparkTesting.job(args)));
        assertFalse(Files.exists(out.resolve("predictions.csv")));
        assertFalse(Files.exists(out.resolve(".gradcam-run.lock")), "the lock is released");
        assertFalse(SparkTesting.imageFiles(out).isEmpty(), "the dead tasks' files");
        try (var journals = Files.list(out.resolve(ExplainTask.JOURNALS))) {
            assertTrue(journals.count() >= 2);
        }

        ExplainTask.failAttemptsBelow = 0;
        String[] resume = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--resume")).toArray(String[]::new);
        SparkJob.Summary s = SparkJob.run(spark, SparkTesting.job(resume));
        assertEquals(6, s.kept(), "every image was finished by a task of the dead job");
        assertEquals(0, s.explained());
        assertEquals(6, s.rows());
        assertEquals(6, SparkTesting.rowsByImage(out.resolve("predictions.csv"), PredictionsCsv.CLI.size()).size());
        assertFalse(Files.exists(out.resolve(ExplainTask.JOURNALS)));
    }
}
