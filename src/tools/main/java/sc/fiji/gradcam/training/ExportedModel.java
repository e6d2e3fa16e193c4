package sc.fiji.gradcam.training;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.image.Preprocessing;

/**
 * A model folder as the explainer reads it: the SavedModel, {@code labels.txt} (one class per line,
 * in output order) and {@code gradcam.properties} (preprocessing). Also reloads the exported
 * SavedModel to check it independently of the training graph.
 */
public final class ExportedModel implements AutoCloseable, ClassifierTraining.Predictor {

    private final SavedModelBundle bundle;
    private final ClassifierNet net;

    private ExportedModel(SavedModelBundle bundle, ClassifierNet net) {
        this.bundle = bundle;
        this.net = net;
    }

    /** Loads the SavedModel in {@code dir} (tag {@code serve}). */
    public static ExportedModel load(Path dir, ClassifierNet net) {
        return new ExportedModel(SavedModelBundle.load(dir.toString(), SavedModelExport.TAG), net);
    }

    @Override
    public float[][] predict(float[] batch, int n) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, net.size(), net.size(), net.channels()),
                        DataBuffers.of(batch, true, false));
                Result r = bundle.function(SavedModelExport.SIGNATURE).call(Map.of(SavedModelExport.INPUT, x))) {
            TFloat32 p = (TFloat32) r.get(SavedModelExport.OUTPUT).orElseThrow();
            float[][] out = new float[n][net.classes()];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < net.classes(); c++) {
                    out[i][c] = p.getFloat(i, c);
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        bundle.close();
    }

    /** Writes {@code labels.txt} and {@code gradcam.properties} next to the SavedModel. */
    public static void writeMetadata(Path dir, ClassifierNet net, List<String> classes, String description)
            throws IOException {
        Files.write(dir.resolve("labels.txt"), classes, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("gradcam.properties"), propertiesText(net, description), StandardCharsets.UTF_8);
    }

    /** The {@code gradcam.properties} of a model folder for {@code net}. */
    public static String propertiesText(ClassifierNet net, String description) {
        return "# " + description + "\n"
                + "# preprocessing: the explainer's (sc.fiji.gradcam.api.image.Preprocessor); training used the same\n"
                + "size=" + net.size() + "x" + net.size() + "\n"
                + "resize=stretch\n"
                + "range=0:1\n"
                + "channels=rgb\n"
                + "labels=labels.txt\n"
                + "# graph facts\n"
                + "input=" + SavedModelExport.INPUT + "\n"
                + "output=" + SavedModelExport.OUTPUT + "\n"
                + "signature=" + SavedModelExport.SIGNATURE + "\n"
                + "layer=" + net.lastConvOpName() + "\n";
    }

    /**
     * The preprocessing the explainer will resolve for the exported model: the {@link #propertiesText}
     * values read back and resolved by {@link PreprocessingOptions} against the input shape.
     */
    public static Preprocessing preprocessing(ClassifierNet net) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(propertiesText(net, "")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PreprocessingOptions.none().resolve(p, new long[] {-1, net.size(), net.size(), net.channels()});
    }

    /**
     * Runs a trainer command line: expected failures (an existing output folder, unreadable data) end with a
     * one-line message on stderr and exit code 1, not a stack trace.
     */
    public static int execute(Object command, String[] args) {
        return new picocli.CommandLine(command).setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IOException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalArgumentException) {
                cmd.getErr().println(cmd.getCommandName() + ": error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        }).execute(args);
    }

    /** Refuses to touch an existing non-empty folder unless {@code overwrite}; then deletes it. */
    public static void prepareOutput(Path dir, boolean overwrite) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    if (!overwrite) {
                        throw new IOException(dir + " exists and is not empty; pass --overwrite to replace it");
                    }
                    try (Stream<Path> all = Files.walk(dir)) {
                        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** Total size of the files in {@code dir}, in bytes. */
    public static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
