package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * K independently trained {@link SmallCnn}s of one architecture (global-average-pooling head) as one
 * inference graph whose logits are the mean of the members' logits, built so that Grad-CAM still has one
 * conv layer to look at.
 *
 * <p>Member {@code i} (1-based) is the member's conv stack under {@code memberI/} (ops {@code memberI/blockB/...},
 * variables {@code memberI/blockB/kernel}, ...). The members' last conv maps are concatenated along the
 * channels into {@code features} ({@code ConcatV2}, H×W×(K·C)), then {@code gap}, {@code dense/matmul},
 * {@code logits} and {@code probabilities} as in a single {@link SmallCnn}. The dense kernel is the members'
 * kernels stacked and divided by K, the bias their mean, so that (global average pooling being per channel)
 * {@code logits = (1/K) Σ_i logits_i} exactly. Grad-CAM at {@code features} is then the ReLU of the mean of the
 * members' pre-ReLU class activation maps; the map is still a CAM of the whole model (Grad-CAM equals CAM with
 * the stacked weights).
 */
public final class CnnEnsemble implements ClassifierNet {

    /** Op name of the concatenated last conv maps (the Grad-CAM layer). */
    public static final String FEATURES = "features";

    private final SmallCnn member;
    private final int members;

    /**
     * @param member  the architecture of every member; its head must be {@link SmallCnn.Head#AVG}
     * @param members how many members (≥ 2)
     */
    public CnnEnsemble(SmallCnn member, int members) {
        if (members < 2) {
            throw new IllegalArgumentException("an ensemble needs at least 2 members, got " + members);
        }
        if (member.head() != SmallCnn.Head.AVG) {
            throw new IllegalArgumentException("an ensemble averages global-average-pooling members; use --head avg"
                    + " (got " + member.head() + ")");
        }
        this.member = member;
        this.members = members;
    }

    public int members() {
        return members;
    }

    @Override
    public int size() {
        return member.size();
    }

    @Override
    public int channels() {
        return member.channels();
    }

    @Override
    public int classes() {
        return member.classes();
    }

    @Override
    public int lastConvSize() {
        return member.lastConvSize();
    }

    @Override
    public String lastConvOpName() {
        return FEATURES;
    }

    /** Scope of member {@code i} (0-based index): {@code member1}, {@code member2}, ... */
    static String scope(int i) {
        return "member" + (i + 1);
    }

    private static SmallCnn.Param renamed(SmallCnn.Param p, int i) {
        return new SmallCnn.Param(scope(i) + "/" + p.name(), p.shape(), p.fanIn());
    }

    private SmallCnn.Param denseParam(String name) {
        SmallCnn.Param p = member.params().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
        long[] shape = p.shape().clone();
        if (shape.length == 2) {
            shape[0] *= members;
        }
        return new SmallCnn.Param(name, shape, p.fanIn() * (shape.length == 2 ? members : 1));
    }

    /** The weights of the ensemble graph: each member's conv weights renamed, then {@code dense/kernel}, {@code dense/bias}. */
    public List<SmallCnn.Param> params() {
        List<SmallCnn.Param> params = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            for (SmallCnn.Param p : member.params()) {
                if (!p.name().startsWith("dense/")) {
                    params.add(renamed(p, i));
                }
            }
        }
        params.add(denseParam("dense/kernel"));
        params.add(denseParam("dense/bias"));
        return params;
    }

    @Override
    public SmallCnn.Outputs build(Ops tf, Operand<TFloat32> image, SmallCnn.Weights factory) {
        List<Operand<TFloat32>> maps = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            int index = i;
            maps.add(member.convStack(tf.withSubScope(scope(i)), image,
                    (scope, p) -> factory.create(scope, renamed(p, index))));
        }
        Operand<TFloat32> features = tf.withName(FEATURES).concat(maps, tf.constant(3));
        Operand<TFloat32> pooled = tf.withName("gap").math.mean(features, tf.constant(new int[] {1, 2}));
        SmallCnn.Outputs head = SmallCnn.dense(tf, pooled, this::denseParam, factory);
        return new SmallCnn.Outputs(features, head.logits(), head.probabilities());
    }

    /**
     * The ensemble's weights from the members' trained weights (as {@link ClassifierTraining.Outcome#weights()}
     * names them, in member order): conv weights copied under {@code memberI/}, dense kernels stacked along the
     * input axis and divided by K, dense biases averaged.
     */
    public Map<String, float[]> merge(List<Map<String, float[]>> memberWeights) {
        if (memberWeights.size() != members) {
            throw new IllegalArgumentException("expected weights of " + members + " members, got " + memberWeights.size());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < members; i++) {
            for (SmallCnn.Param p : member.params()) {
                if (!p.name().startsWith("dense/")) {
                    out.put(renamed(p, i).name(), memberWeights.get(i).get(p.name()).clone());
                }
            }
        }
        int kernelSize = member.params().stream().filter(p -> p.name().equals("dense/kernel")).findFirst()
                .orElseThrow().size();
        float[] kernel = new float[kernelSize * members];
        float[] bias = new float[member.classes()];
        for (int i = 0; i < members; i++) {
            float[] k = memberWeights.get(i).get("dense/kernel");
            float[] b = memberWeights.get(i).get("dense/bias");
            for (int j = 0; j < k.length; j++) {
                kernel[i * kernelSize + j] = k[j] / members;
            }
            for (int c = 0; c < b.length; c++) {
                bias[c] += b[c] / members;
            }
        }
        out.put("dense/kernel", kernel);
        out.put("dense/bias", bias);
        return out;
    }
}
