package sc.fiji.gradcam.api.batch;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.image.InputImage;

/** What a front end hears of a batch run, in file order, as it happens (all methods optional). */
public interface BatchListener {

    /** A resumed run keeps these files from the earlier run (their rows stay in {@code predictions.csv}). */
    default void resumed(Set<Path> kept) {}

    /** One explained plane ({@code plane} 1-based) and target, after its files were written. */
    default void explained(Path file, int plane, Explanation explanation, InputImage image, Map<String, Path> written,
            Map<String, Double> timingsMs) {}

    /** A file ({@code plane} null) or one of its planes that could not be explained, and why (one line). */
    default void failed(Path file, Integer plane, String reason) {}

    /** {@code done} of {@code total} files are finished. */
    default void progress(int done, int total) {}

    /** Asked between chunks: true stops the run (what is done so far stays complete). */
    default boolean stopRequested() {
        return false;
    }
}
