package sc.fiji.gradcam.fiji;

import java.awt.GraphicsEnvironment;
import org.scijava.log.LogService;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

/** Which exceptions are problems the user can fix (shown as a message) rather than bugs (a stack trace). */
final class Failures {

    private Failures() {}

    static boolean isUserError(Throwable e) {
        return e instanceof ModelException || e instanceof IllegalArgumentException
                || e instanceof UnsupportedOperationException || e instanceof RuntimeUnavailableException;
    }

    /** Logs the problem and, with a screen, shows it in a dialog. */
    static void report(LogService log, String title, String message) {
        log.error(title + ": " + message);
        if (!GraphicsEnvironment.isHeadless()) {
            ij.IJ.error(title, message);
        }
    }
}
