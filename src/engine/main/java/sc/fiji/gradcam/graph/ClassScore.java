package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.TensorName;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The differentiable class score: walks back from the classifier output through identities to the
 * pre-softmax logits (the input of a final Softmax or Sigmoid; the output itself if it already is logits)
 * and builds {@code sum(onehot * s)} where s is the logit, the probability or the log-probability. The
 * one-hot class input lets one gradient graph serve every class and every image of a batch.
 *
 * <p>A single-unit binary classifier ({@code [batch, 1]}, sigmoid or raw logit z) has two classes: the
 * per-class logits are {@code [-z, z]} (0 = negative, 1 = positive), the probabilities {@code sigmoid} of
 * those, and the top-1 class is 1 where z &gt; 0 (pytorch-grad-cam's {@code BinaryClassifierOutputTarget}).
 */
public final class ClassScore {

    private static final Set<String> PASS_THROUGH = Set.of("Identity", "IdentityN", "Snapshot");

    private final TensorName logits;
    private final String activation;
    private final String onehot;
    private final Operand<?> scores;
    private final Operand<?> score;
    private final String region;

    private ClassScore(TensorName logits, String activation, String onehot, Operand<?> scores, Operand<?> score,
            String region) {
        this.region = region;
        this.logits = logits;
        this.activation = activation;
        this.onehot = onehot;
        this.scores = scores;
        this.score = score;
    }

    /** Where the logits are and what the output applies to them ({@code Softmax}, {@code Sigmoid} or none). */
    public static TensorName findLogits(ServingGraph serving, String[] activationOut) {
        GraphView view = serving.view();
        TensorName t = serving.output();
        while (true) {
            String op = view.node(t.node()).getOp();
            if (PASS_THROUGH.contains(op)) {
                t = view.dataInputs(t.node()).get(op.equals("IdentityN") ? t.index() : 0);
                continue;
            }
            if (op.equals("Softmax") || op.equals("Sigmoid")) {
                activationOut[0] = op;
                return view.dataInputs(t.node()).get(0);
            }
            activationOut[0] = "";
            return t;
        }
    }

    /**
     * Builds the score graph for {@code kind} under the name scope {@code scope}, for a model whose output has
     * {@code units} values per image (1: a single-unit binary classifier, presented as two classes).
     */
    public static ClassScore build(ServingGraph serving, ScoreKind kind, String scope, int units) {
        return build(serving, kind, scope, OutputSpec.classes(units));
    }

    /**
     * Builds the score graph for {@code kind} for the output {@code spec} describes. For a dense output the per-class
     * scores are {@code s[b, c] = Σ_{y,x} W[b, y, x, c] · v[b, y, x, c]} with v the output's logits (or the
     * probabilities / log-probabilities, when the output has a softmax or sigmoid; an output without one is
     * explained by its raw values for every kind) in channels-last order, and W the fed region weights
     * ({@link #region()}, default all ones); the one-hot then picks the channel, as it picks a class.
     */
    public static ClassScore build(ServingGraph serving, ScoreKind kind, String scope, OutputSpec spec) {
        int units = spec.units();
        if (spec.dense()) {
            String[] act = new String[1];
            TensorName logits = findLogits(serving, act);
            Ops tf = Ops.create(serving.graph()).withSubScope(scope);
            return buildDense(tf, serving, logits, act[0], kind, spec);
        }
        String[] act = new String[1];
        TensorName logits = findLogits(serving, act);
        if (units == 1 && act[0].equals("Softmax")) {
            throw new IllegalArgumentException("a softmax over one unit is constant; there is no class score");
        }
        Ops tf = Ops.create(serving.graph()).withSubScope(scope);
        return build(tf, serving, logits, act[0], kind, units);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends TNumber> ClassScore build(Ops tf, ServingGraph serving, TensorName logitsName,
            String activation, ScoreKind kind, int units) {
        Operand<T> z = (Operand<T>) (Operand) serving.tensor(logitsName);
        boolean single = units == 1;
        int classes = single ? 2 : units;
        // per-class logits: [-z, z] for one unit (negative, positive), else the logits themselves
        Operand<T> logits = single ? tf.withName("binary_logits").concat(List.of(tf.math.neg(z), z), tf.constant(1))
                : z;
        // the top-1 class unless a one-hot target is fed; no gradient flows through the choice
        Operand<T> top1 = tf.stopGradient(tf.oneHot(tf.math.argMax(logits, tf.constant(1)), tf.constant(classes),
                tf.dtypes.cast(tf.constant(1f), logits.type()), tf.dtypes.cast(tf.constant(0f), logits.type())));
        Operand<T> onehot = tf.withName("onehot").placeholderWithDefault(top1,
                org.tensorflow.ndarray.Shape.of(-1, classes));
        Operand<T> target = tf.stopGradient(onehot);
        Operand<T> s;
        boolean sigmoid = single || activation.equals("Sigmoid");
        switch (kind) {
            case PROBABILITY -> s = sigmoid ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
            // log sigmoid(x) = -softplus(-x), finite where sigmoid(x) underflows to 0
            case LOG_PROBABILITY -> s = sigmoid ? tf.math.neg(tf.math.softplus(tf.math.neg(logits)))
                    : tf.nn.logSoftmax(logits);
            default -> s = logits;
        }
        s = tf.withName("scores").identity(s);
        Operand<T> score = tf.withName("score").reduceSum(tf.math.mul(s, target), tf.constant(new int[] {0, 1}));
        return new ClassScore(logitsName, activation, onehot.op().name(), s, score, null);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends TNumber> ClassScore buildDense(Ops tf, ServingGraph serving, TensorName logitsName,
            String activation, ScoreKind kind, OutputSpec spec) {
        Operand<T> z = (Operand<T>) (Operand) serving.tensor(logitsName);
        int classes = spec.units();
        if (spec.rank() <= 2) {
            // a regression output: [batch] or [batch, k] as a 1 × 1 map of k channels
            z = tf.reshape(z, tf.constant(new long[] {-1, 1, 1, classes}));
        } else if (spec.rank() == 3) {
            z = tf.expandDims(z, tf.constant(-1));
        } else if (spec.channelsFirst()) {
            z = tf.linalg.transpose(z, tf.constant(new int[] {0, 2, 3, 1}));
        }
        Operand<T> v;
        // TensorFlow's Softmax is over the last axis: with channels first, the model moved them there before it
        boolean softmax = activation.equals("Softmax") && classes > 1;
        switch (activation.isEmpty() ? ScoreKind.LOGIT : kind) {
            case PROBABILITY -> v = softmax ? tf.nn.softmax(z) : tf.math.sigmoid(z);
            case LOG_PROBABILITY -> v = softmax ? tf.nn.logSoftmax(z) : tf.math.neg(tf.math.softplus(tf.math.neg(z)));
            default -> v = z;
        }
        Operand<T> ones = tf.onesLike(v);
        Operand<T> weights = tf.withName("region").placeholderWithDefault(ones,
                org.tensorflow.ndarray.Shape.of(-1, -1, -1, classes));
        Operand<T> s = tf.withName("scores").reduceSum(tf.math.mul(v, tf.stopGradient(weights)),
                tf.constant(new int[] {1, 2}));
        Operand<T> top1 = tf.stopGradient(tf.oneHot(tf.math.argMax(s, tf.constant(1)), tf.constant(classes),
                tf.dtypes.cast(tf.constant(1f), s.type()), tf.dtypes.cast(tf.constant(0f), s.type())));
        Operand<T> onehot = tf.withName("onehot").placeholderWithDefault(top1,
                org.tensorflow.ndarray.Shape.of(-1, classes));
        Operand<T> score = tf.withName("score").reduceSum(tf.math.mul(s, tf.stopGradient(onehot)),
                tf.constant(new int[] {0, 1}));
        return new ClassScore(logitsName, activation, onehot.op().name(), s, score, weights.op().name());
    }

    /** The logits tensor the output is computed from ([batch, 1], z, for a single-unit binary model). */
    public TensorName logits() {
        return logits;
    }

    /** {@code Softmax}, {@code Sigmoid} or empty when the model outputs logits. */
    public String activation() {
        return activation;
    }

    /** Name of the one-hot input [batch, classes]; when not fed, the top-1 class of each image is used. */
    public String onehot() {
        return onehot;
    }

    /** The per-class scores s [batch, classes] of the chosen kind (what the one-hot selects from). */
    public Operand<?> scores() {
        return scores;
    }

    /** The scalar score, summed over the batch (each image's gradient depends on its own row only). */
    public Operand<?> score() {
        return score;
    }

    /**
     * Name of a dense output's region-weight input {@code [batch, y, x, channels]} (channels last, the output's
     * resolution; all ones when not fed), or null for a classifier.
     */
    public String region() {
        return region;
    }
}
