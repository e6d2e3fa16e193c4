package sc.fiji.gradcam.evaluation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Re-initialises the weights of a loaded TF1-style model (float {@code VariableV2} variables) in memory,
 * layer by layer, for the model-randomisation sanity check (Adebayo et al., NeurIPS 2018). Assign ops are
 * added to the loaded graph and run in its session; the model's files are never written. Layers are the
 * variables' name scopes ({@code block1/kernel} and {@code block1/bias} form {@code block1}), ordered
 * as in the graph (input side first). Kernels get He-normal values (sd = sqrt(2 / fan-in)), biases zeros.
 */
public final class WeightRandomiser {

    private record Var(String name, long[] shape, Placeholder<TFloat32> feed, Assign<TFloat32> assign) {}

    private final Session session;
    private final Map<String, List<Var>> layers = new LinkedHashMap<>();
    private final Map<String, float[]> original = new LinkedHashMap<>();

    @SuppressWarnings("unchecked")
    public WeightRandomiser(LoadedModel model) {
        Graph graph = model.serving().graph();
        this.session = model.serving().session();
        List<GraphOperation> vars = new ArrayList<>();
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
            GraphOperation op = it.next();
            if ((op.type().equals("VariableV2") || op.type().equals("Variable"))
                    && (op.output(0).dataType() == DataType.DT_FLOAT || op.output(0).dataType() == DataType.DT_FLOAT_REF)) {
                vars.add(op);
            }
        }
        if (vars.isEmpty()) {
            throw new IllegalArgumentException("The model has no TF1-style float variables (VariableV2) to randomise.");
        }
        Ops tf = Ops.create(graph).withSubScope("evaluation_randomise");
        int k = 0;
        for (GraphOperation op : vars) {
            String name = op.name();
            String layer = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : name;
            long[] shape = op.output(0).shape().asArray();
            Placeholder<TFloat32> feed = tf.withName("feed" + k).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(shape)));
            Assign<TFloat32> assign = tf.withName("assign" + k).assign((Operand<TFloat32>) (Operand<?>) op.output(0), feed);
            k++;
            layers.computeIfAbsent(layer, x -> new ArrayList<>()).add(new Var(name, shape, feed, assign));
        }
        for (List<Var> list : layers.values()) {
            for (Var v : list) {
                original.put(v.name(), read(v.name()));
            }
        }
    }

    /** Layer names, input side first. */
    public List<String> layers() {
        return new ArrayList<>(layers.keySet());
    }

    /** Re-initialises every variable of {@code layer}. */
    public void randomise(String layer, Random random) {
        List<Var> list = layers.get(layer);
        if (list == null) {
            throw new IllegalArgumentException("No layer '" + layer + "'; layers: " + layers.keySet());
        }
        for (Var v : list) {
            int n = 1;
            for (long d : v.shape()) {
                n *= (int) d;
            }
            float[] values = new float[n];
            if (v.shape().length >= 2) {
                long fanIn = 1;
                for (int i = 0; i < v.shape().length - 1; i++) {
                    fanIn *= v.shape()[i];
                }
                double sd = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (sd * random.nextGaussian());
                }
            }
            write(v, values);
        }
    }

    /** Puts every variable back to its value at load time. */
    public void restore() {
        for (List<Var> list : layers.values()) {
            for (Var v : list) {
                write(v, original.get(v.name()));
            }
        }
    }

    /** Current values of a variable (row-major). */
    public float[] read(String variable) {
        try (var r = session.runner().fetch(variable).run()) {
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
