package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam (Kingma &amp; Ba 2015) written with plain graph ops, shared by the trainers:
 *
 * <pre>
 * m = b1 m + (1 - b1) g
 * v = b2 v + (1 - b2) g^2
 * w = w - lr_t m / (sqrt(v) + eps),   lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
 * </pre>
 *
 * Gradients come from {@link Graph#addGradients}; all of them are computed before any weight changes. Kernels also
 * get a decoupled weight decay (AdamW, Loshchilov &amp; Hutter 2019): {@code w -= decay * w}, the decay fed per step
 * (learning rate × weight decay).
 */
final class AdamUpdates {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-7f;

    private AdamUpdates() {}

    /** The bias-corrected step size {@code lr_t} of step {@code step} (1-based). */
    static float stepSize(float learningRate, int step) {
        return (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step)));
    }

    /** Adds the gradients of {@code loss}, the Adam slots and updates of every weight; returns the training op. */
    static Op minimize(Ops tf, Graph graph, Operand<TFloat32> loss, WeightVariables weights,
            Operand<TFloat32> stepSize, Operand<TFloat32> decay) {
        List<Variable<TFloat32>> vars = new ArrayList<>(weights.variables().values());
        Output<?>[] xs = vars.stream().map(Variable::asOutput).toArray(Output<?>[]::new);
        Output<?>[] grads = graph.addGradients(loss.asOutput(), xs);
        List<Operand<TFloat32>> gradients = new ArrayList<>();
        for (Output<?> g : grads) {
            gradients.add(tf.withSubScope("gradient").identity(g.expect(TFloat32.class)));
        }
        List<Op> gradOps = new ArrayList<>();
        gradients.forEach(g -> gradOps.add((Op) g));
        Ops slots = tf.withSubScope("adam").withInitScope();
        Ops adam = tf.withSubScope("adam").withControlDependencies(gradOps);
        List<Op> updates = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>(weights.shapes().values());
        List<String> names = new ArrayList<>(weights.variables().keySet());
        for (int i = 0; i < vars.size(); i++) {
            updates.add(update(slots, adam, shapes.get(i), vars.get(i), gradients.get(i),
                    names.get(i).endsWith("kernel"), stepSize, decay));
        }
        return tf.withControlDependencies(updates).withName("train").noOp();
    }

    private static Op update(Ops slots, Ops tf, long[] shape, Variable<TFloat32> w, Operand<TFloat32> g,
            boolean decays, Operand<TFloat32> stepSize, Operand<TFloat32> decay) {
        Variable<TFloat32> m = slots.variable(slots.zeros(slots.constant(shape), TFloat32.class));
        Variable<TFloat32> v = slots.variable(slots.zeros(slots.constant(shape), TFloat32.class));
        Operand<TFloat32> b1 = tf.constant(BETA1);
        Operand<TFloat32> b2 = tf.constant(BETA2);
        Operand<TFloat32> mNew = tf.assign(m, tf.math.add(tf.math.mul(b1, m), tf.math.mul(tf.constant(1 - BETA1), g)));
        Operand<TFloat32> vNew = tf.assign(v, tf.math.add(tf.math.mul(b2, v),
                tf.math.mul(tf.constant(1 - BETA2), tf.math.square(g))));
        Operand<TFloat32> delta = tf.math.div(tf.math.mul(stepSize, mNew),
                tf.math.add(tf.math.sqrt(vNew), tf.constant(EPSILON)));
        if (decays) {
            delta = tf.math.add(delta, tf.math.mul(decay, w));
        }
        return tf.assignSub(w, delta);
    }
}
