package sc.fiji.gradcam.api;

/** The TensorFlow runtime cannot start on this machine; the message says what is missing and the fix. */
public class RuntimeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RuntimeUnavailableException(String message) {
        super(message);
    }

    public RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
