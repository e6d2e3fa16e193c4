package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Graph-mode training of a {@link SmallCnn} with softmax cross-entropy and Adam
 * (Kingma &amp; Ba 2015), the update written with plain graph ops:
 *
 * <pre>
 * m = b1 m + (1 - b1) g
 * v = b2 v + (1 - b2) g^2
 * w = w - lr_t m / (sqrt(v) + eps),   lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
 * </pre>
 *
 * Gradients come from {@link Graph#addGradients}; all of them are computed before any weight changes.
 */
public final class AdamTrainer implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-7f;

    private final SmallCnn net;
    private final Graph graph = new Graph();
    private final Session session;
    private final WeightVariables weights;
    private final Placeholder<TFloat32> image;
    private final Placeholder<TInt32> labels;
    private final Placeholder<TFloat32> stepSize;
    private final Placeholder<TFloat32> decay;
    private final Operand<TFloat32> keep;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> probabilities;
    private final Op train;
    private int step;

    /** Builds the training graph (no label smoothing) and sets the weights to {@code initial}. */
    public AdamTrainer(SmallCnn net, Map<String, float[]> initial, long seed) {
        this(net, initial, seed, 0f);
    }

    /**
     * Builds the training graph and sets the weights to {@code initial}.
     *
     * @param labelSmoothing share of the target probability spread evenly over all classes (0: one-hot)
     */
    public AdamTrainer(SmallCnn net, Map<String, float[]> initial, long seed, float labelSmoothing) {
        this(net, initial, seed, labelSmoothing, null);
    }

    /**
     * Builds the training graph and sets the weights to {@code initial}.
     *
     * @param labelSmoothing share of the target probability spread evenly over all classes (0: one-hot)
     * @param classWeights   loss weight of each class (null: all 1); the loss is the mean of the weighted
     *                       per-example cross-entropies
     */
    public AdamTrainer(SmallCnn net, Map<String, float[]> initial, long seed, float labelSmoothing,
            float[] classWeights) {
        this.net = net;
        Ops tf = Ops.create(graph);
        image = tf.withName("image").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, net.size(), net.size(), net.channels())));
        labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        stepSize = tf.withName("step_size").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        decay = tf.withName("decay").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        keep = tf.withName("keep_probability").placeholderWithDefault(tf.constant(1f), Shape.scalar());
        weights = new WeightVariables();
        SmallCnn.Outputs out = net.build(tf, image, weights::create, x -> dropout(tf, x, seed));
        weights.addLoaders(tf);
        probabilities = out.probabilities();
        // (the sparse variant of the cross-entropy op has no C++ gradient, the dense one has)
        float off = labelSmoothing / net.classes();
        Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(net.classes()), tf.constant(1f - labelSmoothing + off),
                tf.constant(off));
        Operand<TFloat32> perExample = tf.nn.softmaxCrossEntropyWithLogits(out.logits(), oneHot).loss();
        if (classWeights != null) {
            perExample = tf.math.mul(perExample,
                    tf.gather(tf.constant(classWeights), labels, tf.constant(0)));
        }
        loss = tf.withName("loss").math.mean(perExample, tf.constant(0));

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
            updates.add(adamUpdate(slots, adam, shapes.get(i), vars.get(i), gradients.get(i),
                    names.get(i).endsWith("kernel")));
        }
        train = tf.withControlDependencies(updates).withName("train").noOp();

        session = new Session(graph);
        session.initialize();
        weights.load(session, initial);
    }

    /** Inverted dropout: keeps each feature with probability {@code keep} and scales it by 1 / keep. */
    private Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, long seed) {
        Operand<TFloat32> uniform = tf.random.randomUniform(tf.shape(x), TFloat32.class,
                RandomUniform.seed(seed), RandomUniform.seed2(seed + 1));
        Operand<TFloat32> mask = tf.math.floor(tf.math.add(uniform, keep));
        return tf.withName("dropout").math.div(tf.math.mul(x, mask), keep);
    }

    /**
     * Adds the slots m, v of weight {@code w} (initialised to zero) and its update; kernels also get a
     * decoupled weight decay (AdamW, Loshchilov &amp; Hutter 2019): {@code w -= decay * w} with the decay
     * fed per step (learning rate x weight decay).
     */
    private Op adamUpdate(Ops slots, Ops tf, long[] shape, Variable<TFloat32> w, Operand<TFloat32> g,
            boolean decays) {
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

    /** One Adam step on a batch of {@code n} images without weight decay; returns the batch loss before the step. */
    public float step(float[] batch, int[] batchLabels, int n, float learningRate, float keepProbability) {
        return step(batch, batchLabels, n, learningRate, keepProbability, 0f);
    }

    /**
     * One AdamW step on a batch of {@code n} images; returns the batch loss before the step.
     *
     * @param weightDecay decoupled weight decay of the kernels, multiplied by the learning rate
     */
    public float step(float[] batch, int[] batchLabels, int n, float learningRate, float keepProbability,
            float weightDecay) {
        step++;
        float lrT = (float) (learningRate * Math.sqrt(1 - Math.pow(BETA2, step)) / (1 - Math.pow(BETA1, step)));
        try (TFloat32 x = images(batch, n);
                TInt32 y = TInt32.tensorOf(Shape.of(n), DataBuffers.of(batchLabels, true, false));
                TFloat32 lr = TFloat32.scalarOf(lrT);
                TFloat32 k = TFloat32.scalarOf(keepProbability);
                TFloat32 wd = TFloat32.scalarOf(learningRate * weightDecay);
                Result r = session.runner().feed(image, x).feed(labels, y).feed(stepSize, lr).feed(keep, k)
                        .feed(decay, wd)
                        .addTarget(train).fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** Class probabilities of {@code n} images, row by row. */
    public float[][] predict(float[] batch, int n) {
        try (TFloat32 x = images(batch, n);
                Result r = session.runner().feed(image, x).fetch(probabilities).run()) {
            TFloat32 p = (TFloat32) r.get(0);
            float[][] out = new float[n][net.classes()];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < net.classes(); c++) {
                    out[i][c] = p.getFloat(i, c);
                }
            }
            return out;
        }
    }

    /** The current weights by variable name. */
    public Map<String, float[]> weights() {
        return weights.read(session);
    }

    private TFloat32 images(float[] batch, int n) {
        int per = net.size() * net.size() * net.channels();
        float[] data = batch.length == n * per ? batch : java.util.Arrays.copyOf(batch, n * per);
        return TFloat32.tensorOf(Shape.of(n, net.size(), net.size(), net.channels()), DataBuffers.of(data, true, false));
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
