package sc.fiji.gradcam.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.batch.BatchRunner;
import sc.fiji.gradcam.api.batch.RunLock;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.io.ExplanationWriter;
import sc.fiji.gradcam.explain.Explainer;

/**
 * The driver's side of {@code gradcam-spark}: checks the options and the model (one line naming the fix, before any
 * task starts), lists the images, keeps the complete images of an earlier run when resuming, spreads the rest over
 * partitions ({@link ExplainTask}), and writes the predictions table once: {@code predictions.parquet} (with Spark's
 * {@code _SUCCESS}) and one {@code predictions.csv} (sorted by image), each image's rows exactly once.
 */
final class SparkJob {

    static final String PARQUET = "predictions.parquet";
    static final String PARQUET_NEXT = "predictions.parquet.next";
    static final String SUCCESS = "_SUCCESS";

    /** What to run: the spec shipped to tasks, and what only the driver needs. */
    record Job(JobSpec spec, String image, String glob, boolean overwrite, boolean resume, int partitionSize) {}

    /** The outcome: images in the run, explained now, with an error, kept from an earlier run; the table's rows. */
    record Summary(int images, int explained, int failed, int kept, long rows, int partitions, double seconds,
            String layer, String parquet, String csv, Map<String, Double> stepSeconds) {

        double imagesPerSecond() {
            return seconds > 0 ? (explained + failed) / seconds : 0;
        }
    }

    private SparkJob() {}

    static Summary run(SparkSession spark, Job job) throws IOException {
        long t0 = System.nanoTime();
        JobSpec spec = job.spec();
        ExplainRequest request = spec.request();
        request.preprocessing().check();
        ColorMap.parse(spec.lut());
        if (!(spec.opacity() >= 0 && spec.opacity() <= 1)) {
            throw new IllegalArgumentException("--opacity must be between 0 and 1, not " + spec.opacity() + ".");
        }
        if (spec.batch() < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, not " + spec.batch() + ".");
        }
        if (job.partitionSize() < 0) {
            throw new IllegalArgumentException("--partition-size must be at least 1 (or 0: automatic), not "
                    + job.partitionSize() + ".");
        }
        if (job.overwrite() && job.resume()) {
            throw new IllegalArgumentException("--overwrite and --resume exclude each other. Fix: --resume to continue "
                    + "an earlier run, --overwrite to start it again.");
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        OutFolder out = new OutFolder(spec.out(), conf);
        refuseOutInsideInput(job, out);
        List<String> images = ImageInputs.list(job.image(), job.glob(), conf);
        if (!job.overwrite() && !job.resume()) {
            refuseExisting(out, spec, images);
        }
        // the model is loaded here once for the driver's checks; in local mode the tasks share this explainer
        Map<String, Double> steps = new java.util.concurrent.ConcurrentHashMap<>();
        steps.put("check", (System.nanoTime() - t0) / 1e9);
        final long tLoad = System.nanoTime();
        long t = tLoad;
        // the driver's model (its checks; in local mode the tasks' explainer too) loads while Spark SQL plans
        java.util.concurrent.CompletableFuture<Explainer> loading = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    Explainer e = Explainers.get(spec, conf);
                    e.validate(request);
                    steps.put("modelLoad", (System.nanoTime() - tLoad) / 1e9);
                    return e;
                });
        out.mkdirs("");
        try (RunLock lock = out.isLocal() ? RunLock.acquire(HadoopPaths.local(spec.out())) : null) {
            if (!job.overwrite() && !job.resume()) {
                refuseExisting(out, spec, images); // again, now that no other run can start writing
            }
            if (job.overwrite()) {
                out.delete(PARQUET);
                out.delete(PARQUET_NEXT);
                out.delete(ExplainTask.JOURNALS);
            }
            Dataset<Row> previous = job.resume() ? previousRows(spark, out) : null;
            Set<String> kept = previous == null ? Set.of() : complete(previous, out, spec, images);
            List<String> todo = images.stream().filter(i -> !kept.contains(i)).toList();
            int partitions = partitions(todo.size(), job.partitionSize(), spark.sparkContext().defaultParallelism());
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<Row> explained = jsc.parallelize(todo, partitions)
                    .mapPartitionsWithIndex(new ExplainTask(spec, new HadoopConf(conf)), false);
            StructType schema = Predictions.schema();
            Dataset<Row> rows = oneAttemptPerImage(spark.createDataFrame(explained, schema));
            if (!kept.isEmpty()) {
                Dataset<Row> keys = spark.createDataset(new ArrayList<>(kept), Encoders.STRING()).toDF(Predictions.IMAGE);
                rows = rows.unionByName(previous.join(org.apache.spark.sql.functions.broadcast(keys),
                        previous.col(Predictions.IMAGE).equalTo(keys.col(Predictions.IMAGE)), "left_semi"));
            }
            out.delete(PARQUET_NEXT);
            Explainer explainer = loaded(loading);
            String layer = request.methods().stream().anyMatch(Method::usesLayer)
                    ? explainer.model().catalog().find(request.layer()).name() : null;
            steps.put("modelLoadAndPlan", (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            rows.write().mode(SaveMode.ErrorIfExists).parquet(out.path(PARQUET_NEXT).toString());
            out.delete(PARQUET);
            if (!out.rename(PARQUET_NEXT, PARQUET)) {
                throw new IOException("could not rename " + out.path(PARQUET_NEXT) + " to " + out.path(PARQUET));
            }
            steps.put("explainAndParquet", (System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            Dataset<Row> table = spark.read().schema(schema).parquet(out.path(PARQUET).toString());
            long[] counts = writeCsv(table, out);
            out.delete(ExplainTask.JOURNALS);
            steps.put("csv", (System.nanoTime() - t) / 1e9);
            int failed = (int) counts[1];
            // kept images have no error rows: every failed image was one of this run's
            return new Summary(images.size(), todo.size() - failed, failed, kept.size(),
                    counts[0], partitions, (System.nanoTime() - t0) / 1e9, layer, out.path(PARQUET).toString(),
                    out.path(ExplanationWriter.PREDICTIONS).toString(), steps);
        }
    }

    /** The explainer once loaded, or the load's own exception (a bad model: one line naming the fix). */
    private static Explainer loaded(java.util.concurrent.CompletableFuture<Explainer> loading) {
        try {
            return loading.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Partitions: {@code size} images each, else enough for three per task slot and at most 1,000 images each. */
    static int partitions(int images, int size, int slots) {
        if (images == 0) {
            return 1;
        }
        if (size > 0) {
            return (images + size - 1) / size;
        }
        return Math.max(1, Math.min(images, Math.max(3 * slots, (images + 999) / 1000)));
    }

    /**
     * Each image's rows from one task attempt only (the first by name): what a retried or speculative task returns
     * for an image replaces nothing and adds nothing.
     */
    static Dataset<Row> oneAttemptPerImage(Dataset<Row> rows) {
        var w = Window.partitionBy(Predictions.IMAGE);
        return rows.withColumn("_first", min(col(Predictions.TASK)).over(w))
                .filter(col(Predictions.TASK).equalTo(col("_first"))).drop("_first");
    }

    private static void refuseOutInsideInput(Job job, OutFolder out) {
        if (!out.isLocal() || HadoopPaths.isRemote(job.image())) {
            return;
        }
        Path in = HadoopPaths.local(job.image()).toAbsolutePath().normalize();
        Path o = HadoopPaths.local(job.spec().out()).toAbsolutePath().normalize();
        if (Files.isDirectory(in) && o.startsWith(in)) {
            throw new IllegalArgumentException("The output folder " + job.spec().out() + " is " + (o.equals(in) ? "the"
                    : "inside the") + " input folder. Fix: choose an output folder outside " + job.image()
                    + ", so that results are never read as images.");
        }
    }

    /** The files an image's explanation writes into {@code --out}, by name (the CLI's names). */
    static List<String> planned(JobSpec spec, String image) {
        ExplainRequest request = spec.request();
        String fileName = new org.apache.hadoop.fs.Path(image).getName();
        List<String> names = new ArrayList<>();
        for (String t : request.targets()) {
            ExplanationWriter.plan(Path.of("."), BatchRunner.name(Path.of(fileName), t, request), request.methods())
                    .values().forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    private static void refuseExisting(OutFolder out, JobSpec spec, List<String> images) throws IOException {
        List<String> existing = new ArrayList<>();
        for (String n : List.of(ExplanationWriter.PREDICTIONS, PARQUET, PARQUET_NEXT, ExplainTask.JOURNALS)) {
            if (out.exists(n)) {
                existing.add(n);
            }
        }
        if (existing.isEmpty() && out.isLocal()) {
            Path dir = HadoopPaths.local(spec.out());
            for (String image : images) {
                for (String n : planned(spec, image)) {
                    if (Files.exists(dir.resolve(n))) {
                        existing.add(n);
                    }
                }
                if (!existing.isEmpty()) {
                    break;
                }
            }
        }
        if (!existing.isEmpty()) {
            throw new IllegalArgumentException("The output folder " + spec.out() + " already holds files this run "
                    + "writes (e.g. " + existing.get(0) + "). Fix: resume the earlier run (--resume), replace its "
                    + "files (--overwrite), or choose another output folder.");
        }
    }

    /**
     * An earlier run's rows: its tasks' journals (a killed run; per image, the rows of its latest journal file), and
     * the rows of its table for the images no journal has.
     */
    static Dataset<Row> previousRows(SparkSession spark, OutFolder out) throws IOException {
        StructType schema = Predictions.schema();
        Dataset<Row> table = null;
        for (String name : List.of(PARQUET, PARQUET_NEXT)) {
            if (out.exists(name + "/" + SUCCESS)) {
                table = spark.read().schema(schema).parquet(out.path(name).toString());
                break;
            }
        }
        Dataset<Row> journal = null;
        if (!out.list(ExplainTask.JOURNALS).isEmpty()) {
            Dataset<Row> lines = spark.read().text(out.path(ExplainTask.JOURNALS).toString())
                    .withColumn("_file", input_file_name());
            JavaRDD<Row> parsed = lines.javaRDD().flatMap(l -> {
                Row r = Predictions.fromJournal(l.getString(0));
                if (r == null || l.getString(0).equals(Predictions.journalHeader())) {
                    return java.util.Collections.emptyIterator();
                }
                Object[] v = new Object[r.length() + 1];
                for (int i = 0; i < r.length(); i++) {
                    v[i] = r.get(i);
                }
                v[r.length()] = l.getString(1);
                return List.<Row>of(org.apache.spark.sql.RowFactory.create(v)).iterator();
            });
            Dataset<Row> withFile = spark.createDataFrame(parsed, schema.add("_file",
                    org.apache.spark.sql.types.DataTypes.StringType));
            var w = Window.partitionBy(Predictions.IMAGE);
            journal = withFile.withColumn("_latest", max(col("_file")).over(w))
                    .filter(col("_file").equalTo(col("_latest"))).drop("_latest", "_file");
        }
        if (journal == null) {
            return table;
        }
        if (table == null) {
            return journal;
        }
        return journal.unionByName(table.join(journal.select(Predictions.IMAGE).distinct(),
                table.col(Predictions.IMAGE).equalTo(journal.col(Predictions.IMAGE)), "left_anti"));
    }

    /** The images of this run that an earlier run finished: rows without an error, and every planned file there. */
    private static Set<String> complete(Dataset<Row> previous, OutFolder out, JobSpec spec, List<String> images)
            throws IOException {
        Map<String, Boolean> ok = new HashMap<>();
        Iterator<Row> it = previous.groupBy(Predictions.IMAGE).agg(max(col(Predictions.ERROR).isNotNull()
                .and(col(Predictions.ERROR).notEqual(""))).as("bad")).toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            ok.put(r.getString(0), !r.getBoolean(1));
        }
        Set<String> kept = new LinkedHashSet<>();
        for (String image : images) {
            if (Boolean.TRUE.equals(ok.get(image)) && allExist(out, planned(spec, image))) {
                kept.add(image);
            }
        }
        return kept;
    }

    private static boolean allExist(OutFolder out, List<String> names) throws IOException {
        for (String n : names) {
            if (!out.exists(n)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code predictions.csv} from the table, sorted by image (then each image's rows in order); returns the
     * rows and the images with an error row.
     */
    private static long[] writeCsv(Dataset<Row> table, OutFolder out) throws IOException {
        org.apache.hadoop.fs.Path tmp = out.temp(ExplanationWriter.PREDICTIONS);
        long rows = 0;
        long failed = 0;
        try (Writer w = new BufferedWriter(new OutputStreamWriter(out.create(tmp), StandardCharsets.UTF_8))) {
            w.write(Predictions.csvHeader());
            w.write('\n');
            Iterator<Row> it = table.orderBy(col(Predictions.IMAGE), col(Predictions.SEQ)).toLocalIterator();
            String last = null;
            while (it.hasNext()) {
                Row r = it.next();
                w.write(Predictions.csvLine(r));
                w.write('\n');
                rows++;
                if (Predictions.failed(r) && !Predictions.image(r).equals(last)) {
                    failed++;
                    last = Predictions.image(r);
                }
            }
        }
        out.moveIntoPlace(tmp, out.path(ExplanationWriter.PREDICTIONS));
        return new long[] {rows, failed};
    }
}
