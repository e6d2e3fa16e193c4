package sc.fiji.gradcam.training;

import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Graph-mode training of a {@link SmallCnn} with softmax cross-entropy and Adam ({@link AdamUpdates}).
 */
public final class AdamTrainer implements AutoCloseable {

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

        train = AdamUpdates.minimize(tf, graph, loss, weights, stepSize, decay);

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
        float lrT = AdamUpdates.stepSize(learningRate, step);
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
