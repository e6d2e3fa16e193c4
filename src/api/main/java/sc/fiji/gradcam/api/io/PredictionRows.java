package sc.fiji.gradcam.api.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the rows of a run go, one at a time, as the cells of the run's columns: {@code predictions.csv}
 * ({@link PredictionsCsv}), or a front end that collects them itself (the Spark job's tasks hand theirs to Spark).
 */
public interface PredictionRows extends AutoCloseable {

    /** The row of {@code image} (the path as the runner was given it), its cells in column order. */
    void row(Path image, List<String> cells) throws IOException;

    /** Makes the rows so far durable (default: nothing to do). */
    default void flush() throws IOException {}

    @Override
    default void close() throws IOException {}
}
