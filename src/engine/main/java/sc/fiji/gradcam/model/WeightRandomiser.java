package sc.fiji.gradcam.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;
import sc.fiji.gradcam.graph.GraphView;
import sc.fiji.gradcam.graph.ServingGraph;

/**
 * Re-initialises the weights of a loaded model in memory, layer by layer, for the model-randomisation sanity check
 * (Adebayo et al., NeurIPS 2018). Works on TF1-style variables ({@code VariableV2}) and on TF2 resource variables
 * ({@code VarHandleOp}, as Keras and {@code tf.Module} exports hold them): assign ops are added to the loaded graph and
 * run in its session; the model's files are never written. Only the variables the serving output depends on count
 * (not optimizer slots, metrics or unused copies of a network). Layers are the variables' name scopes ({@code
 * block1/kernel} and {@code block1/bias} form {@code block1}); a group of bias-like variables only (a batch norm's, a
 * plain {@code tf.Module}'s {@code b1} beside {@code w1}) joins the layer before it; layers are ordered by where the
 * serving path first uses them (input side first). Kernels get He-normal values (sd = sqrt(2 / fan-in), fan-in = the
 * product of all but the last dimension); bias-like variables (every dimension but the last is 1) get Keras' initial
 * values: ones for {@code gamma} and {@code moving_variance}, zeros for everything else (biases, {@code beta},
 * {@code moving_mean}).
 */
public final class WeightRandomiser {

    private record Var(String name, long[] shape, Placeholder<TFloat32> feed, Op assign, String read) {}

    private final Session session;
    private final Map<String, List<Var>> layers = new LinkedHashMap<>();
    private final Map<String, float[]> original = new LinkedHashMap<>();

    /** Finds the model's float variables and adds one assign op per variable; remembers their values at load. */
    public WeightRandomiser(LoadedModel model) {
        this(model, true);
    }

    /**
     * {@code remember}: read every variable's value now, for {@link #restore} (not needed when the model instance is
     * thrown away after randomising).
     */
    @SuppressWarnings("unchecked")
    public WeightRandomiser(LoadedModel model, boolean remember) {
        Graph graph = model.serving().graph();
        this.session = model.serving().session();
        Map<String, List<GraphOperation>> groups = groups(model);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("The model has no float variables (VariableV2 or VarHandleOp) on its "
                    + "serving path to re-initialise: its weights are constants of the graph.");
        }
        Ops tf = Ops.create(graph).withSubScope("gradcam_randomise");
        int k = 0;
        for (Map.Entry<String, List<GraphOperation>> group : groups.entrySet()) {
            for (GraphOperation op : group.getValue()) {
                String name = op.name();
                boolean resource = op.type().equals("VarHandleOp");
                long[] shape = shape(op);
                if (shape == null || java.util.Arrays.stream(shape).anyMatch(d -> d < 0)) {
                    continue; // a variable of unknown shape cannot be fed a value; it keeps its own
                }
                Placeholder<TFloat32> feed = tf.withName("feed" + k).placeholder(TFloat32.class,
                        Placeholder.shape(Shape.of(shape)));
                Op assign;
                String read;
                if (resource) {
                    Operand<? extends TType> handle = (Operand<? extends TType>) op.output(0);
                    assign = tf.withName("assign" + k).assignVariableOp(handle, feed);
                    read = tf.withName("read" + k).readVariableOp(handle, TFloat32.class).op().name();
                } else {
                    assign = tf.withName("assign" + k).assign((Operand<TFloat32>) (Operand<?>) op.output(0), feed);
                    read = name;
                }
                k++;
                layers.computeIfAbsent(group.getKey(), x -> new ArrayList<>())
                        .add(new Var(name, shape, feed, assign, read));
            }
        }
        if (remember) {
            for (List<Var> list : layers.values()) {
                for (Var v : list) {
                    original.put(v.name(), read(v));
                }
            }
        }
    }

    /**
     * The layers {@link #randomise} can re-initialise, input side first, without changing the graph (no op is added):
     * empty when the model has no float variables on its serving path.
     */
    public static List<String> layers(LoadedModel model) {
        return new ArrayList<>(groups(model).keySet());
    }

    /**
     * The float variables the serving output depends on (optimizer slots, metrics and unused copies left out),
     * grouped into layers by name scope and ordered by where the serving path first uses them (the topological
     * index of the first path node they feed). A group that holds only bias-like variables (a batch norm's {@code
     * gamma}/{@code beta}, a plain {@code tf.Module}'s {@code b1} next to {@code w1}) joins the layer before it.
     */
    private static Map<String, List<GraphOperation>> groups(LoadedModel model) {
        ServingGraph serving = model.serving();
        GraphView view = serving.view();
        Set<String> used = view.ancestors(List.of(serving.output().node()));
        Map<String, Integer> index = new HashMap<>();
        List<String> order = view.topological(serving.path());
        for (int i = 0; i < order.size(); i++) {
            index.put(order.get(i), i);
        }
        Map<GraphOperation, Integer> depth = new LinkedHashMap<>();
        for (Iterator<GraphOperation> it = serving.graph().operations(); it.hasNext();) {
            GraphOperation op = it.next();
            if (isFloatVariable(op) && used.contains(op.name())) {
                depth.put(op, firstUse(view, op.name(), index));
            }
        }
        List<GraphOperation> vars = new ArrayList<>(depth.keySet());
        vars.sort(java.util.Comparator.comparingInt(depth::get)); // stable: graph order among equals
        Map<String, List<GraphOperation>> groups = new LinkedHashMap<>();
        Map<String, Integer> groupDepth = new LinkedHashMap<>();
        for (GraphOperation op : vars) {
            String layer = layerOf(op.name());
            groups.computeIfAbsent(layer, x -> new ArrayList<>()).add(op);
            groupDepth.merge(layer, depth.get(op), Math::min);
        }
        List<String> names = new ArrayList<>(groups.keySet());
        names.sort(java.util.Comparator.comparingInt(groupDepth::get));
        Map<String, List<GraphOperation>> merged = new LinkedHashMap<>();
        String previous = null;
        for (String name : names) {
            List<GraphOperation> ops = groups.get(name);
            boolean vectors = ops.stream().allMatch(o -> shape(o) != null && vectorLike(shape(o)));
            if (previous != null && vectors) {
                merged.get(previous).addAll(ops);
            } else {
                merged.put(name, new ArrayList<>(ops));
                previous = name;
            }
        }
        return merged;
    }

    /** The smallest topological index among the path nodes a variable feeds (through its reads). */
    private static int firstUse(GraphView view, String variable, Map<String, Integer> index) {
        int best = Integer.MAX_VALUE;
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(view.consumers(variable));
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!seen.add(n)) {
                continue;
            }
            Integer i = index.get(n);
            if (i != null) {
                best = Math.min(best, i);
            } else if (seen.size() < 10_000) {
                todo.addAll(view.consumers(n));
            }
        }
        return best;
    }

    /**
     * A bias-like variable: every dimension but the last is 1 ({@code [C]}, or {@code [1, C]} as a {@code tf.Module}
     * keeps a broadcast bias); a kernel has a fan-in ({@code [N, 1]} is a one-unit dense kernel).
     */
    static boolean vectorLike(long[] shape) {
        for (int i = 0; i < shape.length - 1; i++) {
            if (shape[i] != 1) {
                return false;
            }
        }
        return true;
    }

    private static long[] shape(GraphOperation op) {
        Shape s = op.type().equals("VarHandleOp") ? op.attributes().getAttrShape("shape") : op.output(0).shape();
        return s == null || s.isUnknown() ? null : s.asArray();
    }

    private static String layerOf(String variable) {
        return variable.contains("/") ? variable.substring(0, variable.lastIndexOf('/')) : variable;
    }

    private static boolean isFloatVariable(GraphOperation op) {
        switch (op.type()) {
            case "VariableV2", "Variable":
                DataType t = op.output(0).dataType();
                return t == DataType.DT_FLOAT || t == DataType.DT_FLOAT_REF;
            case "VarHandleOp":
                return op.attributes().getAttrType("dtype") == DataType.DT_FLOAT;
            default:
                return false;
        }
    }

    /** Layer names, in graph order (input side first for the models this project trains). */
    public List<String> layers() {
        return new ArrayList<>(layers.keySet());
    }

    /** Re-initialises every variable of {@code layer} from {@code random}. */
    public void randomise(String layer, Random random) {
        List<Var> list = layers.get(layer);
        if (list == null) {
            throw new IllegalArgumentException("No layer '" + layer + "'; layers: " + layers.keySet());
        }
        for (Var v : list) {
            write(v, initialValues(v, random));
        }
    }

    /**
     * Re-initialises each of {@code names}, each from its own generator seeded by {@code seed} and the layer's
     * name, so a layer gets the same values whichever other layers are re-initialised with it (a cascade's steps
     * agree on the layers they share).
     */
    public void randomise(List<String> names, long seed) {
        for (String layer : names) {
            randomise(layer, new Random(seed * 1_000_003L + layer.hashCode()));
        }
    }

    private static float[] initialValues(Var v, Random random) {
        int n = 1;
        for (long d : v.shape()) {
            n = Math.multiplyExact(n, (int) d);
        }
        float[] values = new float[n];
        if (!vectorLike(v.shape())) {
            long fanIn = 1;
            for (int i = 0; i < v.shape().length - 1; i++) {
                fanIn *= v.shape()[i];
            }
            double sd = Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < n; i++) {
                values[i] = (float) (sd * random.nextGaussian());
            }
        } else if (v.name().endsWith("gamma") || v.name().endsWith("moving_variance")) {
            java.util.Arrays.fill(values, 1f);
        }
        return values;
    }

    /** Puts every variable back to its value at load time (only after the remembering constructor). */
    public void restore() {
        if (original.isEmpty()) {
            throw new IllegalStateException("This randomiser did not remember the values at load.");
        }
        for (List<Var> list : layers.values()) {
            for (Var v : list) {
                write(v, original.get(v.name()));
            }
        }
    }

    /** Current values of a variable (row-major), by its name. */
    public float[] read(String variable) {
        for (List<Var> list : layers.values()) {
            for (Var v : list) {
                if (v.name().equals(variable)) {
                    return read(v);
                }
            }
        }
        throw new IllegalArgumentException("No variable '" + variable + "'.");
    }

    private float[] read(Var v) {
        try (var r = session.runner().fetch(v.read()).run()) {
            Tensor t = r.get(0);
            float[] out = new float[Math.toIntExact(t.shape().size())];
            ((TFloat32) t).copyTo(DataBuffers.of(out, false, false));
            return out;
        }
    }

    private void write(Var v, float[] values) {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(v.shape()), DataBuffers.of(values, true, false))) {
            session.runner().feed(v.feed(), t).addTarget(v.assign()).run().close();
        }
    }
}
