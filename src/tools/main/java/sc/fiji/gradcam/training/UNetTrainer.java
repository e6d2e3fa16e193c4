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
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Graph-mode training of a {@link UNet}: per-pixel softmax cross-entropy, each pixel weighted by its class's weight
 * (the loss is Σ w·ℓ / Σ w over the batch), minimised with Adam ({@link AdamUpdates}).
 */
public final class UNetTrainer implements AutoCloseable {

    private final UNet net;
    private final Graph graph = new Graph();
    private final Session session;
    private final WeightVariables weights;
    private final Placeholder<TFloat32> image;
    private final Placeholder<TInt32> labels;
    private final Placeholder<TFloat32> stepSize;
    private final Placeholder<TFloat32> decay;
    private final Operand<TFloat32> loss;
    private final Operand<TFloat32> probabilities;
    private final Op train;
    private int step;

    /**
     * @param classWeights loss weight of each pixel class (null: all 1)
     */
    public UNetTrainer(UNet net, Map<String, float[]> initial, float[] classWeights) {
        this.net = net;
        Ops tf = Ops.create(graph);
        image = tf.withName("image").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, -1, -1, net.channels())));
        labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
        stepSize = tf.withName("step_size").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        decay = tf.withName("decay").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        weights = new WeightVariables();
        UNet.Outputs out = net.build(tf, image, weights::create);
        weights.addLoaders(tf);
        probabilities = out.probabilities();
        Operand<TInt32> flat = tf.reshape(labels, tf.constant(new int[] {-1}));
        Operand<TFloat32> logits = tf.reshape(out.logits(), tf.constant(new int[] {-1, net.classes()}));
        Operand<TFloat32> oneHot = tf.oneHot(flat, tf.constant(net.classes()), tf.constant(1f), tf.constant(0f));
        // (the sparse variant of the cross-entropy op has no C++ gradient, the dense one has)
        Operand<TFloat32> perPixel = tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
        float[] w = classWeights == null ? ones(net.classes()) : classWeights;
        Operand<TFloat32> pixelWeights = tf.gather(tf.constant(w), flat, tf.constant(0));
        loss = tf.withName("loss").math.div(tf.sum(tf.math.mul(perPixel, pixelWeights), tf.constant(0)),
                tf.sum(pixelWeights, tf.constant(0)));
        train = AdamUpdates.minimize(tf, graph, loss, weights, stepSize, decay);
        session = new Session(graph);
        session.initialize();
        weights.load(session, initial);
    }

    private static float[] ones(int n) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1f);
        return w;
    }

    /**
     * One AdamW step on {@code n} images of {@code size}² (HWC, row-major) and their pixel classes; returns the batch
     * loss before the step.
     */
    public float step(float[] batch, int[] pixelClasses, int n, int size, float learningRate, float weightDecay) {
        step++;
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, net.channels()), DataBuffers.of(batch, true, false));
                TInt32 y = TInt32.tensorOf(Shape.of(n, size, size), DataBuffers.of(pixelClasses, true, false));
                TFloat32 lr = TFloat32.scalarOf(AdamUpdates.stepSize(learningRate, step));
                TFloat32 wd = TFloat32.scalarOf(learningRate * weightDecay);
                Result r = session.runner().feed(image, x).feed(labels, y).feed(stepSize, lr).feed(decay, wd)
                        .addTarget(train).fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** The loss of a batch without a step. */
    public float loss(float[] batch, int[] pixelClasses, int n, int size) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, net.channels()), DataBuffers.of(batch, true, false));
                TInt32 y = TInt32.tensorOf(Shape.of(n, size, size), DataBuffers.of(pixelClasses, true, false));
                Result r = session.runner().feed(image, x).feed(labels, y).fetch(loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** The pixel class (argmax) of each pixel of one {@code height × width} image (HWC). */
    public int[] classify(float[] hwc, int height, int width) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, height, width, net.channels()), DataBuffers.of(hwc, true, false));
                Result r = session.runner().feed(image, x).fetch(probabilities).run()) {
            TFloat32 p = (TFloat32) r.get(0);
            float[] v = new float[height * width * net.classes()];
            p.copyTo(DataBuffers.of(v, false, false));
            return argmax(v, net.classes());
        }
    }

    static int[] argmax(float[] probabilities, int classes) {
        int[] out = new int[probabilities.length / classes];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[i * classes + c] > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** The current weights by variable name. */
    public Map<String, float[]> weights() {
        return weights.read(session);
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
