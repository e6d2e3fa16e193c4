package sc.fiji.gradcam.graph;

import java.util.Set;
import org.tensorflow.Output;

/**
 * TF's symbolic gradients of a score with respect to tensors of the serving graph
 * ({@code Graph.addGradients}, the C++ gradient registry). Errors for ops without a registered gradient
 * are turned into a message that names the op.
 */
public final class Gradients {

    private Gradients() {}

    /** d score / d x for each x, added to the graph under {@code scope}. */
    public static Output<?>[] of(ServingGraph serving, Output<?> score, String scope, Output<?>... xs) {
        try {
            return serving.graph().addGradients(scope, new Output<?>[] {score}, xs, null);
        } catch (RuntimeException e) {
            throw explain(e);
        }
    }

    /** d ys / d xs with upstream gradients dys (the chain rule for one op), under {@code scope}. */
    static Output<?>[] of(ServingGraph serving, String scope, Output<?>[] ys, Output<?>[] xs, Output<?>[] dys) {
        try {
            return serving.graph().addGradients(scope, ys, xs, dys);
        } catch (RuntimeException e) {
            throw explain(e);
        }
    }

    private static RuntimeException explain(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No gradient defined for op")) {
            return new UnsupportedOperationException("TensorFlow has no gradient for an op on this model's path ("
                    + m.trim() + "). Fix: choose a target layer after that op, or a method that needs no input "
                    + "gradient (Grad-CAM).", e);
        }
        return e;
    }

    static final Set<String> FLOAT_TYPES = Set.of("DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16");

    static boolean isFloat(Output<?> o) {
        return FLOAT_TYPES.contains(o.dataType().name());
    }
}
