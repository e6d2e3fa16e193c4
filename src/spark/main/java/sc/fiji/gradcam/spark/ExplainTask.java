package sc.fiji.gradcam.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.batch.BatchListener;
import sc.fiji.gradcam.api.batch.BatchOptions;
import sc.fiji.gradcam.api.batch.BatchRunner;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.PredictionRows;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.explain.Explainer;

/**
 * One Spark task: the images of one partition, explained by this JVM's explainer ({@link Explainers}) through the
 * CLI's batch runner ({@link BatchRunner#runFiles}: the same chunks of {@code --batch} planes, preprocessing, writers
 * and per-image isolation), in slices of {@link #SLICE} images. The per-image files go to {@code --out} (written
 * locally under temporary names and renamed; on a Hadoop file system, written to a local staging folder and uploaded
 * the same way); the rows come back to Spark, and after each slice they are also written to the task's journal in
 * {@code --out/_spark-rows/} so that a killed job loses at most a slice when resumed. An image that cannot be read or
 * explained is a row with its error, never a failed task.
 */
final class ExplainTask implements Function2<Integer, Iterator<String>, Iterator<Row>> {

    private static final long serialVersionUID = 1L;

    /** The journals' sub-folder of {@code --out}. */
    static final String JOURNALS = "_spark-rows";

    /** Images per runner call and journal file. */
    static final int SLICE = 64;

    /**
     * Tests only: attempts below this number throw once their partition is done (its files and journal written), as
     * a task lost after its work would; Spark then runs the partition again. 0: never.
     */
    static volatile int failAttemptsBelow;

    private final JobSpec spec;
    private final HadoopConf hadoop;

    ExplainTask(JobSpec spec, HadoopConf hadoop) {
        this.spec = spec;
        this.hadoop = hadoop;
    }

    @Override
    public Iterator<Row> call(Integer partition, Iterator<String> keys) throws IOException {
        TaskContext tc = TaskContext.get();
        String task = partition + "." + (tc == null ? 0 : tc.attemptNumber());
        String host = host();
        Configuration conf = hadoop.get();
        OutFolder out = new OutFolder(spec.out(), conf);
        Explainer explainer = Explainers.get(spec, conf);
        List<Row> rows = new ArrayList<>();
        List<String> slice = new ArrayList<>();
        int part = 0;
        while (keys.hasNext()) {
            slice.add(keys.next());
            if (slice.size() == SLICE || !keys.hasNext()) {
                List<Row> done = explain(explainer, out, conf, slice, host, task);
                out.write(JOURNALS + "/part-" + String.format("%05d", partition) + "-" + (tc == null ? 0
                        : tc.attemptNumber()) + "-" + String.format("%05d", part++) + ".csv", journal(done));
                rows.addAll(done);
                slice.clear();
            }
        }
        if (tc != null && tc.attemptNumber() < failAttemptsBelow) {
            throw new IllegalStateException("test: attempt " + tc.attemptNumber() + " of partition " + partition
                    + " lost after its work");
        }
        return rows.iterator();
    }

    private static String journal(List<Row> rows) {
        StringBuilder b = new StringBuilder(Predictions.journalHeader()).append('\n');
        rows.forEach(r -> b.append(Predictions.journalLine(r)).append('\n'));
        return b.toString();
    }

    /** Explains a slice of images; their rows in input order, an image's rows in the runner's order. */
    private List<Row> explain(Explainer explainer, OutFolder out, Configuration conf, List<String> keys, String host,
            String task) throws IOException {
        Path staging = out.isLocal() ? null : Files.createTempDirectory("gradcam-spark-");
        try {
            Path folder = out.isLocal() ? HadoopPaths.local(spec.out()) : staging.resolve("out");
            Map<Path, String> keyOf = new HashMap<>();
            Map<String, List<List<String>>> cells = new HashMap<>();
            List<Path> files = new ArrayList<>();
            for (String key : keys) {
                cells.put(key, new ArrayList<>());
                if (!HadoopPaths.isRemote(key)) {
                    Path p = HadoopPaths.local(key);
                    keyOf.put(p, key);
                    files.add(p);
                    continue;
                }
                try {
                    Path local = staging.resolve("in").resolve(String.valueOf(files.size()));
                    Files.createDirectories(local);
                    org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(key);
                    local = local.resolve(src.getName());
                    src.getFileSystem(conf).copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(local.toUri()),
                            true);
                    keyOf.put(local, key);
                    files.add(local);
                } catch (IOException | RuntimeException e) {
                    cells.get(key).add(PredictionsCsv.failedCells(Predictions.CLI, Path.of(key), 0, "cannot read "
                            + key + " (" + oneLine(e) + ")"));
                }
            }
            BatchOptions o = spec.batchOptions(folder);
            PredictionRows sink = (image, c) -> cells.get(keyOf.get(image)).add(c);
            java.util.Set<Path> uploaded = new java.util.HashSet<>();
            BatchRunner.runFiles(explainer, o, files, sink, new BatchListener() {
                @Override
                public void explained(Path file, int plane, Explanation e, InputImage image,
                        Map<String, Path> written, Map<String, Double> timingsMs) {
                    if (!out.isLocal()) {
                        upload(out, written, uploaded);
                    }
                }
            });
            List<Row> rows = new ArrayList<>();
            int image = Predictions.CLI.indexOf(PredictionsCsv.Column.IMAGE);
            for (String key : keys) {
                int seq = 0;
                for (List<String> c : cells.get(key)) {
                    List<String> withKey = new ArrayList<>(c);
                    withKey.set(image, key);
                    rows.add(Predictions.row(withKey, host, task, seq++));
                }
            }
            return rows;
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    /** A remote run's files of one image (each uploaded when first heard: its planes are all written by then). */
    private static void upload(OutFolder out, Map<String, Path> written, java.util.Set<Path> uploaded) {
        for (Path f : written.values()) {
            try {
                if (uploaded.add(f)) {
                    out.upload(f, f.getFileName().toString());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("could not upload " + f.getFileName() + ": " + e.getMessage(),
                        e);
            }
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
