package sc.fiji.gradcam.bioimageio;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.model.ModelSignature;
import sc.fiji.gradcam.model.SavedModelFolder;
import sc.fiji.gradcam.model.TensorInfo;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * Runs a package's test inputs through its SavedModel (preprocessing, the serving signature, postprocessing, as
 * bioimageio.core's {@code test_model} does) and compares each output with the package's test output within the
 * package's tolerance ({@link ModelDescription#tolerance}). Every tensor is closed.
 */
public final class PackageVerifier {

    private PackageVerifier() {}

    public static PackageVerification verify(Path path) {
        return verify(BioimageioPackage.open(path));
    }

    public static PackageVerification verify(BioimageioPackage pkg) {
        ModelDescription d = pkg.description();
        List<String> notes = new ArrayList<>();
        Path dir = pkg.savedModelDir();
        // test tensors first: a package without them is refused before TensorFlow starts
        Map<String, NdArray> sample = new LinkedHashMap<>();
        for (TensorDescription t : d.inputs()) {
            sample.put(t.id(), pkg.testTensor(t));
        }
        Map<String, NdArray> expected = new LinkedHashMap<>();
        for (TensorDescription t : d.outputs()) {
            expected.put(t.id(), pkg.testTensor(t));
        }
        Map<String, NdArray> predicted = predict(d, dir, sample);
        List<PackageVerification.OutputCheck> checks = new ArrayList<>();
        for (TensorDescription t : d.outputs()) {
            checks.add(compare(t.id(), predicted.get(t.id()), expected.get(t.id()), d.tolerance(t.id())));
        }
        if (!d.isV05() && d.tolerances().isEmpty()) {
            notes.add("Spec 0.4 gives no tolerance: rtol = atol = 1e-3, 100 mismatched elements per million.");
        }
        return new PackageVerification(pkg.source().toString(), d.name(), d.formatVersion(), dir.toString(), checks,
                notes);
    }

    /**
     * The outputs (after postprocessing) of the SavedModel in {@code dir} for {@code inputs} (raw, by input id, as
     * the test tensors hold them): preprocessing, one session run of the serving signature, postprocessing.
     */
    public static Map<String, NdArray> predict(ModelDescription d, Path dir, Map<String, NdArray> inputs) {
        Map<String, NdArray> sample = new LinkedHashMap<>(inputs);
        ModelSignature sig;
        List<String> tags = List.of("serve");
        try (SavedModelFolder folder = SavedModelFolder.open(dir)) {
            MetaGraphDef meta = folder.metaGraph(tags);
            sig = SavedModelFolder.signature(meta, null);
        }
        List<TensorInfo> ins = SignatureMatch.match(d.inputs(), sig.inputs(), "input");
        List<TensorInfo> outs = SignatureMatch.match(d.outputs(), sig.outputs(), "output");
        for (TensorDescription t : d.inputs()) {
            NdArray x = sample.get(t.id());
            if (x == null) {
                throw new ModelException("No test input was given for '" + t.id() + "'.",
                        "give one array per described input.");
            }
            checkShape(t, x, d, sample);
            for (Processing p : t.processing()) {
                x = p.apply(x, sample);
            }
            sample.put(t.id(), x);
        }
        TensorFlowRuntime.engine();
        Map<String, NdArray> actual = new LinkedHashMap<>();
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), tags.toArray(String[]::new))) {
            Session.Runner runner = bundle.session().runner();
            List<Tensor> fed = new ArrayList<>();
            try {
                for (int i = 0; i < ins.size(); i++) {
                    Tensor t = tensor(sample.get(d.inputs().get(i).id()), ins.get(i));
                    fed.add(t);
                    runner.feed(ins.get(i).tensor(), t);
                }
                outs.forEach(o -> runner.fetch(o.tensor()));
                try (Result r = runner.run()) {
                    for (int i = 0; i < outs.size(); i++) {
                        TensorDescription od = d.outputs().get(i);
                        actual.put(od.id(), values(r.get(i), od));
                    }
                }
            } finally {
                fed.forEach(Tensor::close);
            }
        } catch (org.tensorflow.exceptions.TensorFlowException e) {
            throw new ModelException("TensorFlow could not run the package's model on its test inputs: "
                    + Yaml.oneLine(e.getMessage()) + ".", "check the package's test inputs and weights belong together.",
                    e);
        }
        Map<String, NdArray> all = new LinkedHashMap<>(sample);
        all.putAll(actual);
        Map<String, NdArray> out = new LinkedHashMap<>();
        for (TensorDescription t : d.outputs()) {
            NdArray y = all.get(t.id());
            for (Processing p : t.processing()) {
                y = p.apply(y, all);
                all.put(t.id(), y);
            }
            out.put(t.id(), y);
        }
        return out;
    }

    /** Refuses a test input whose lengths the description does not allow. */
    private static void checkShape(TensorDescription t, NdArray x, ModelDescription d, Map<String, NdArray> sample) {
        for (int a = 0; a < t.axes().size(); a++) {
            Axis axis = t.axes().get(a);
            long n = x.shape()[a];
            boolean ok = true;
            if (axis.size() instanceof Axis.Fixed f) {
                ok = f.n() == n;
            } else if (axis.size() instanceof Axis.Parametrized p) {
                ok = p.allows(n);
            } else if (axis.size() instanceof Axis.Reference r) {
                NdArray ref = sample.get(r.tensorId());
                int ra = ref == null ? -1 : ref.axis(r.axisId());
                ok = ra < 0 || r.of(ref.shape()[ra]) == n;
            }
            if (!ok) {
                throw new ModelException("The test input of '" + t.id() + "' is " + n + " long on axis '" + axis.id()
                        + "', which its description does not allow (" + axis.size() + ").",
                        "ask the package's authors for test inputs that match the description.");
            }
        }
    }

    private static Tensor tensor(NdArray x, TensorInfo info) {
        Shape shape = Shape.of(x.longShape());
        return switch (info.dtype()) {
            case "float" -> TFloat32.tensorOf(shape, DataBuffers.of(x.data(), true, false));
            case "double" -> {
                double[] v = new double[x.data().length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = x.data()[i];
                }
                yield TFloat64.tensorOf(shape, DataBuffers.of(v, true, false));
            }
            default -> throw new ModelException("The model's input '" + info.key() + "' takes " + info.dtype()
                    + "; verify feeds float32 or float64.", "ask for a package whose model takes floats.");
        };
    }

    private static NdArray values(Tensor t, TensorDescription od) {
        int n = (int) t.shape().size();
        float[] v = new float[n];
        if (t instanceof TFloat32 f) {
            f.asRawTensor().data().asFloats().read(v);
        } else if (t instanceof TFloat64 dd) {
            double[] tmp = new double[n];
            dd.asRawTensor().data().asDoubles().read(tmp);
            for (int i = 0; i < n; i++) {
                v[i] = (float) tmp[i];
            }
        } else {
            throw new ModelException("The model's output '" + od.id() + "' is " + t.dataType() + "; verify compares "
                    + "float outputs.", "ask for a package whose model returns floats.");
        }
        long[] s = t.shape().asArray();
        if (s.length != od.axes().size()) {
            throw new ModelException("The model's output '" + od.id() + "' has " + s.length + " axes, its description "
                    + od.axes().size() + " (" + od.axisIds() + ").", "the package's weights do not match its "
                    + "description; ask its authors.");
        }
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = (int) s[i];
        }
        return new NdArray(od.axisIds(), shape, v);
    }

    static PackageVerification.OutputCheck compare(String id, NdArray actual, NdArray expected, Tolerance tol) {
        if (!java.util.Arrays.equals(actual.shape(), expected.shape())) {
            long n = expected.data().length;
            return new PackageVerification.OutputCheck(id, actual.longShape(), Double.NaN, n,
                    tol.allowedMismatches(n), tol.relative(), tol.absolute(), false);
        }
        float[] a = actual.data();
        float[] e = expected.data();
        double max = 0;
        long mismatches = 0;
        for (int i = 0; i < a.length; i++) {
            if (!tol.close(a[i], e[i])) {
                mismatches++;
            }
            double diff = Math.abs((double) a[i] - e[i]);
            if (diff > max || Double.isNaN(diff) && !(Double.isNaN(a[i]) && Double.isNaN(e[i]))) {
                max = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
            }
        }
        long allowed = tol.allowedMismatches(a.length);
        return new PackageVerification.OutputCheck(id, actual.longShape(), max, mismatches, allowed, tol.relative(),
                tol.absolute(), mismatches <= allowed);
    }
}
