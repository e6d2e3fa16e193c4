package sc.fiji.gradcam.graph;

/** The model uses an op this TensorFlow runtime does not have (a custom op, or a newer TF version's op). */
public class UnsupportedOpException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;
    private final String op;

    public UnsupportedOpException(String op, String node) {
        super("The model uses the op '" + op + "' (node '" + node + "') which this TensorFlow runtime ("
                + org.tensorflow.TensorFlow.version() + ") does not provide. Fix: re-export the model with standard "
                + "TensorFlow ops (no custom ops), or load the op library that defines it.");
        this.op = op;
    }

    public String op() {
        return op;
    }
}
