package sc.fiji.gradcam.api;

/**
 * A problem with a user's model or request that the user can fix: the message names the problem, then
 * the fix. Front ends print it as one line (CLI exit code 2) instead of a stack trace.
 */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String problem, String fix) {
        super(problem + (fix == null || fix.isEmpty() ? "" : " Fix: " + fix));
    }

    public ModelException(String problem, String fix, Throwable cause) {
        super(problem + (fix == null || fix.isEmpty() ? "" : " Fix: " + fix), cause);
    }
}
