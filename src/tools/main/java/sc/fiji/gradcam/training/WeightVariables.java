package sc.fiji.gradcam.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The network's weights as graph variables, plus {@code load/...} ops that set them from Java arrays.
 * The load ops are only helpers: {@link SavedModelExport} strips them from the exported graph.
 */
final class WeightVariables {

    static final String LOAD_SCOPE = "load";

    private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
    private final Map<String, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
    private final Map<String, Assign<TFloat32>> assigns = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** Use {@link #create} as the network's weight factory, then call {@link #addLoaders}. */
    WeightVariables() {}

    /** Creates the variable for {@code p} in {@code scope}, uninitialised. */
    Operand<TFloat32> create(Ops scope, SmallCnn.Param p) {
        String leaf = p.name().substring(p.name().lastIndexOf('/') + 1);
        Variable<TFloat32> v = scope.withName(leaf).variable(Shape.of(p.shape()), TFloat32.class);
        variables.put(p.name(), v);
        shapes.put(p.name(), p.shape());
        return v;
    }

    /** Adds a placeholder and an assign op per variable, under {@code load/}. */
    void addLoaders(Ops tf) {
        Ops load = tf.withSubScope(LOAD_SCOPE);
        for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
            String flat = e.getKey().replace('/', '_');
            Placeholder<TFloat32> feed = load.withName(flat)
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(shapes.get(e.getKey()))));
            feeds.put(e.getKey(), feed);
            assigns.put(e.getKey(), load.withName(flat + "_assign").assign(e.getValue(), feed));
        }
    }

    Map<String, long[]> shapes() {
        return shapes;
    }

    Map<String, Variable<TFloat32>> variables() {
        return variables;
    }

    /** Sets every variable to the given values (same names, row-major). */
    void load(Session session, Map<String, float[]> values) {
        Session.Runner runner = session.runner();
        List<TFloat32> tensors = new java.util.ArrayList<>();
        try {
            for (Map.Entry<String, Placeholder<TFloat32>> e : feeds.entrySet()) {
                float[] value = values.get(e.getKey());
                if (value == null) {
                    throw new IllegalArgumentException("No value for weight " + e.getKey());
                }
                TFloat32 t = TFloat32.tensorOf(Shape.of(shapes.get(e.getKey())), DataBuffers.of(value, true, false));
                tensors.add(t);
                runner.feed(e.getValue(), t).addTarget(assigns.get(e.getKey()));
            }
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /** Current values of all variables. */
    Map<String, float[]> read(Session session) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Session.Runner runner = session.runner();
        variables.values().forEach(runner::fetch);
        try (var result = runner.run()) {
            int i = 0;
            for (Map.Entry<String, Variable<TFloat32>> e : variables.entrySet()) {
                TFloat32 t = (TFloat32) result.get(i++);
                float[] values = new float[Math.toIntExact(t.shape().size())];
                t.copyTo(DataBuffers.of(values, false, false));
                out.put(e.getKey(), values);
            }
        }
        return out;
    }
}
