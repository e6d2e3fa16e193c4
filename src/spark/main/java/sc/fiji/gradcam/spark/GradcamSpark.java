package sc.fiji.gradcam.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sc.fiji.gradcam.api.DefaultModel;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

/**
 * {@code gradcam-spark}: {@code gradcam explain} as a Spark job. The options are the CLI's (mirrored: the CLI's option
 * classes are private to its package), plus {@code --master} and {@code --partition-size}. Without {@code --master}
 * and outside spark-submit the job runs in this JVM on every core ({@code local[*]}); under spark-submit its
 * {@code --master} decides. Exit codes as the CLI's: 0 done, 1 some images failed, 2 bad input (one line), 3 an
 * internal error.
 */
@Command(name = "gradcam-spark", mixinStandardHelpOptions = true, version = "gradcam-fiji 0.1.0",
        description = "Explain every image of a folder, a glob or a list (any Hadoop file system) on Apache Spark, "
                + "with the same outputs as 'gradcam explain'.")
public final class GradcamSpark implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", description = "SavedModel folder or .zip, local/shared or a "
            + "Hadoop URI (default: the bundled malaria-cells model).")
    String model;

    @Option(names = "--tags", split = ",", paramLabel = "TAG", description = "Meta-graph tags (default: serve).")
    List<String> tags = List.of("serve");

    @Option(names = "--signature", paramLabel = "NAME", description = "Signature (default: serving_default).")
    String signature;

    @Option(names = "--input", paramLabel = "KEY", description = "Signature input key (default: its image input).")
    String input;

    @Option(names = "--output", paramLabel = "KEY", description = "Signature output key (default: its first "
            + "[batch, classes] output).")
    String output;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels file, one per line (default: labels.txt "
            + "or synset.txt in the model folder).")
    Path labels;

    @Option(names = "--layout", paramLabel = "auto|nhwc|nchw", description = "The image input's layout (default: "
            + "auto).")
    String layout;

    @Option(names = "--image", required = true, paramLabel = "DIR|GLOB|LIST|FILE", description = "A folder of images, "
            + "a glob (quoted: '/data/*.tif'), a .txt/.lst/.list file with one path or URI per line, or one image; "
            + "local or any Hadoop file system (file://, hdfs://, s3a://).")
    String image;

    @Option(names = "--glob", paramLabel = "PATTERN", description = "With a folder: only file names matching this "
            + "glob, e.g. '*.tif'.")
    String glob;

    @Option(names = "--class", paramLabel = "auto|INDEX|LABEL", split = ",", description = "Target class(es) "
            + "(default: auto = the top-1 class).")
    List<String> targets = List.of("auto");

    @Option(names = "--layer", paramLabel = "auto|NAME", description = "Target layer (default: auto).")
    String layer = "auto";

    @Option(names = "--methods", paramLabel = "LIST", description = "Comma list of methods, as 'gradcam explain "
            + "--methods' (default: gradcam,guided-gradcam).")
    String methods = "gradcam,guided-gradcam";

    @Option(names = "--score", paramLabel = "logit|probability|log-probability", description = "What is "
            + "differentiated (default: logit).")
    String score = "logit";

    @Option(names = "--aug-smooth", description = "pytorch-grad-cam's aug_smooth (as the CLI).")
    boolean augSmooth;

    @Option(names = "--eigen-smooth", description = "pytorch-grad-cam's eigen_smooth (as the CLI).")
    boolean eigenSmooth;

    @Option(names = "--range", paramLabel = "A:B", description = "Model input value range (default: as the CLI).")
    String range;

    @Option(names = "--resize", paramLabel = "stretch|crop|pad", description = "How images meet the input size.")
    String resize;

    @Option(names = "--size", paramLabel = "WxH", description = "Input size for models without a fixed one.")
    String size;

    @Option(names = "--percentiles", paramLabel = "LOW:HIGH", description = "Range ends for 16-bit/float images "
            + "(default 1:99.8).")
    String percentiles;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder: local, shared by every executor, or a "
            + "Hadoop URI (default: gradcam-output).")
    String out = "gradcam-output";

    @Option(names = "--lut", description = "Colour map of overlays: Fire, Jet, Turbo, Magma, Grays (default: Fire).")
    String lut = "Fire";

    @Option(names = "--opacity", description = "Overlay opacity 0-1 (default: 0.5).")
    double opacity = 0.5;

    @Option(names = "--batch", description = "Images per session run (default: 8).")
    int batch = 8;

    @Option(names = "--planes", paramLabel = "first|all", description = "Planes of stacks to explain (default: all).")
    String planes = "all";

    @Option(names = "--overwrite", description = "Replace existing output files.")
    boolean overwrite;

    @Option(names = "--resume", description = "Continue an earlier (killed or partial) run into --out: images whose "
            + "outputs and rows are complete are kept, the others explained.")
    boolean resume;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master, e.g. local[2] or spark://HOST:7077 "
            + "(default: spark-submit's --master, else local[*]).")
    String master;

    @Option(names = "--partition-size", paramLabel = "N", description = "Images per Spark partition (default: 0 = "
            + "automatic, three partitions per task slot and at most 1,000 images each).")
    int partitionSize;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces and Spark's log.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** The job's settings for the executors. */
    JobSpec jobSpec() {
        boolean allPlanes = switch (planes) {
            case "first" -> false;
            case "all" -> true;
            default -> throw new IllegalArgumentException("Unknown --planes '" + planes + "'. Valid: first, all.");
        };
        String m = model != null ? model : DefaultModel.path().toAbsolutePath().toString();
        if (!HadoopPaths.isRemote(m)) {
            m = HadoopPaths.local(m).toAbsolutePath().normalize().toString(); // executors may run elsewhere
        }
        String o = HadoopPaths.isRemote(out) ? out : HadoopPaths.local(out).toAbsolutePath().normalize().toString();
        return new JobSpec(m, tags, signature, input, output, labels == null ? null
                : labels.toAbsolutePath().toString(), layout, targets, layer, methods, score, augSmooth, eigenSmooth,
                size, resize, range, percentiles, o, lut, opacity, allPlanes, batch);
    }

    SparkJob.Job job() {
        return new SparkJob.Job(jobSpec(), image, glob, overwrite, resume, partitionSize);
    }

    /** The session: {@code --master} if given, else spark-submit's, else {@code local[*]}. */
    SparkSession session() {
        SparkConf conf = new SparkConf().setAppName("gradcam-spark");
        if (master != null) {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.master", "local[*]");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    @Override
    public Integer call() throws Exception {
        SparkJob.Job job = job();
        SparkSession spark = session();
        try {
            if (!verbose) {
                spark.sparkContext().setLogLevel("WARN");
            }
            SparkJob.Summary s = SparkJob.run(spark, job);
            PrintWriter w = spec.commandLine().getOut();
            w.println(json ? json(s, spark.sparkContext().master()) : text(s));
            w.flush();
            return s.failed() > 0 ? 1 : 0;
        } finally {
            spark.stop();
        }
    }

    static String json(SparkJob.Summary s, String master) {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("master", master);
        o.addProperty("images", s.images());
        o.addProperty("explained", s.explained());
        o.addProperty("errors", s.failed());
        o.addProperty("kept", s.kept());
        o.addProperty("rows", s.rows());
        o.addProperty("partitions", s.partitions());
        o.addProperty("seconds", Math.round(s.seconds() * 1000) / 1000.0);
        o.addProperty("imagesPerSecond", Math.round(s.imagesPerSecond() * 100) / 100.0);
        if (s.layer() != null) {
            o.addProperty("layer", s.layer());
        }
        com.google.gson.JsonObject steps = new com.google.gson.JsonObject();
        s.stepSeconds().forEach((k, v) -> steps.addProperty(k, Math.round(v * 1000) / 1000.0));
        o.add("stepSeconds", steps);
        o.addProperty("parquet", s.parquet());
        o.addProperty("csv", s.csv());
        return o.toString();
    }

    static String text(SparkJob.Summary s) {
        return String.format(Locale.ROOT, "%d images: %d explained, %d with errors, %d kept from the earlier run "
                + "(%d partitions, %.1f s, %.1f images/s)%nPredictions: %s and %s", s.images(), s.explained(),
                s.failed(), s.kept(), s.partitions(), s.seconds(), s.imagesPerSecond(), s.csv(), s.parquet());
    }

    /** Runs the job and returns its exit code. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new GradcamSpark());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.matchedOption("--verbose") != null;
            Throwable root = userError(e);
            PrintWriter err = cmd.getErr();
            err.println("gradcam-spark: error: " + (root != null ? root : e).getMessage()
                    + (verbose || root != null ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return root != null ? 2 : 3;
        });
        cl.setParameterExceptionHandler((e, args2) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("gradcam-spark: error: " + e.getMessage());
            err.println("Try 'gradcam-spark --help'.");
            return 2;
        });
        return cl.execute(args);
    }

    /** The bad-input error behind {@code e} (also when a Spark task threw it), or null. */
    static Throwable userError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelException || t instanceof IllegalArgumentException
                    || t instanceof UnsupportedOperationException || t instanceof RuntimeUnavailableException
                    || t instanceof java.io.IOException) {
                return t;
            }
        }
        return null;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
