package sc.fiji.gradcam.testmodels;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FingerprintDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TString;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * Builds small, seeded image-classifier SavedModels with TF Java, in the two layouts real exports have
 * ({@link SaveStyle}). Input: NHWC placeholder {@code [-1,H,W,C]} (NCHW {@code [-1,C,H,W]} for the channels-first
 * {@link Layout}s); output {@code [-1,K]} softmax, sigmoid or logits
 * (K = 1: a single-unit binary classifier);
 * tag {@code serve}, signature {@code serving_default} with keys {@code image} → {@code probabilities} /
 * {@code logits}. Weights are resource variables stored in {@code variables/} and restored by the loader.
 *
 * <pre>{@code
 * TestModel m = TestModels.build(TestModelSpec.of(Architecture.GAP, SaveStyle.FUNCTION_CALL), tempDir);
 * }</pre>
 */
public final class TestModels {

    /** Signature input key. */
    public static final String INPUT_KEY = "image";

    private TestModels() {}

    /** Builds the model described by {@code spec} into {@code dir} (created if missing; must not hold a model). */
    public static TestModel build(TestModelSpec spec, Path dir) {
        return build(spec, dir, Bodies::build);
    }

    /**
     * Like {@link #build(TestModelSpec, Path)} with {@code scaling}'s ops between the image input and the first
     * layer, inside the model function like a Keras preprocessing layer. The layer weights are those of the same
     * spec without scaling (the scaling adds no random draws).
     */
    public static TestModel build(TestModelSpec spec, Path dir, InputOps scaling) {
        if (spec.layout() != Layout.NHWC) {
            throw new IllegalArgumentException("input ops are written for NHWC inputs, not " + spec.layout());
        }
        return build(spec, dir, (net, s, image) -> Bodies.build(net, s, scaling.apply(net, s, image)));
    }

    /** Builds the layers of a model on its image input (see {@link Bodies} and {@link BenchmarkModels}). */
    @FunctionalInterface
    interface BodyBuilder {
        Bodies.Body build(Net net, TestModelSpec spec, Output<?> image);
    }

    /** Like {@link #build(TestModelSpec, Path)} with other layers than {@code spec.architecture()}'s. */
    static TestModel build(TestModelSpec spec, Path dir, BodyBuilder bodies) {
        TensorFlowRuntime.engine();
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("saved_model.pb"))) {
                throw new IllegalArgumentException("already holds a SavedModel: " + dir);
            }
            try (Graph top = new Graph()) {
                switch (spec.style()) {
                    case TF1_GRAPH: return buildTf1(spec, dir, top, bodies);
                    case FUNCTION_CALL: return buildFunctionCall(spec, dir, top, bodies);
                    case KERAS3_EXPORT: return buildKeras3(spec, dir, top, bodies);
                    default: throw new AssertionError(spec.style());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds into {@code parent/spec.name()}. */
    public static TestModel buildIn(TestModelSpec spec, Path parent) {
        return build(spec, parent.resolve(spec.name()));
    }

    // ---- TF1: everything at top level -----------------------------------------------------------------------

    private static TestModel buildTf1(TestModelSpec spec, Path dir, Graph top, BodyBuilder bodies) throws IOException {
        DataType dt = spec.dtype().tf();
        Output<?> image = Net.placeholder(top, INPUT_KEY, dt, Shape.of(spec.inputShape()));
        Map<String, Output<?>> handles = new LinkedHashMap<>();
        Net net = new Net(top, spec.dtype(), spec.seed(), (n, v) -> {
            Output<?> h = varHandle(top, v, dt);
            handles.put(v.name, h);
            return n.read(h, v);
        });
        Bodies.Body body = bodies.build(net, spec, image);
        return finish(spec, dir, top, net, handles, image, body.output, body, null, List.of());
    }

    // ---- FUNCTION_CALL: top-level StatefulPartitionedCall -> wrapper -> model function --------------------

    private static TestModel buildFunctionCall(TestModelSpec spec, Path dir, Graph top, BodyBuilder bodies)
            throws IOException {
        DataType dt = spec.dtype().tf();
        String arch = spec.architecture().name().toLowerCase(Locale.ROOT);
        try (Graph modelGraph = new Graph(); Graph wrapperGraph = new Graph()) {
            // 1. model function: image + one DT_RESOURCE argument per variable, read with ReadVariableOp
            Output<?> fnImage = Net.placeholder(modelGraph, "inputs", dt, Shape.of(spec.inputShape()));
            List<Output<?>> fnArgs = new ArrayList<>();
            Net net = new Net(modelGraph, spec.dtype(), spec.seed(), (n, v) -> {
                Output<?> arg = Net.placeholder(modelGraph, argName(v), DataType.DT_RESOURCE, Shape.scalar());
                fnArgs.add(arg);
                return n.read(arg, v);
            });
            Bodies.Body body = bodies.build(net, spec, fnImage);
            Output<?> fnOut = net.op("Identity", "Identity", body.output);
            ConcreteFunction model = function("__inference_" + arch + "_layer_call_and_return_conditional_losses",
                    modelGraph, fnImage, fnArgs, fnOut);

            // 2. signature wrapper: same arguments, nested StatefulPartitionedCall to the model function
            Output<?> wImage = Net.placeholder(wrapperGraph, "image", dt, Shape.of(spec.inputShape()));
            List<Output<?>> wArgs = new ArrayList<>();
            for (Variable v : net.variables) {
                wArgs.add(Net.placeholder(wrapperGraph, argName(v), DataType.DT_RESOURCE, Shape.scalar()));
            }
            Output<?> wCall = call(wrapperGraph, "StatefulPartitionedCall", model, wImage, wArgs, dt);
            Output<?> wOut = wrapperGraph.opBuilder("Identity", "Identity", wrapperGraph.baseScope()).addInput(wCall)
                    .build().output(0);
            ConcreteFunction wrapper = function("__inference_signature_wrapper", wrapperGraph, wImage, wArgs, wOut);

            // 3. top level: placeholder, VarHandleOps, StatefulPartitionedCall(f = wrapper)
            Output<?> image = Net.placeholder(top, "serving_default_" + INPUT_KEY, dt, Shape.of(spec.inputShape()));
            Map<String, Output<?>> handles = new LinkedHashMap<>();
            for (Variable v : net.variables) {
                handles.put(v.name, varHandle(top, v, dt));
            }
            Output<?> out = call(top, "StatefulPartitionedCall", wrapper, image, new ArrayList<>(handles.values()), dt);
            try {
                return finish(spec, dir, top, net, handles, image, out, body, model.getDefinedName(),
                        List.of(wrapper.getDefinedName(), model.getDefinedName()));
            } finally {
                wrapper.close();
                model.close();
            }
        }
    }

    // ---- KERAS3_EXPORT: two signatures, two top-level calls, one traced model function ---------------------

    /** Signature input key of Keras 3 exports (the Keras input tensor's name). */
    public static final String KERAS3_INPUT_KEY = "keras_tensor";
    /** Signature output key of Keras 3 exports. */
    public static final String KERAS3_OUTPUT_KEY = "output_0";
    /** The second signature of Keras 3 exports (the endpoint's own name); {@code serving_default} is the other. */
    public static final String KERAS3_SERVE = "serve";

    private static TestModel buildKeras3(TestModelSpec spec, Path dir, Graph top, BodyBuilder bodies)
            throws IOException {
        DataType dt = spec.dtype().tf();
        try (Graph modelGraph = new Graph(); Graph serveGraph = new Graph(); Graph defaultGraph = new Graph()) {
            // 1. the traced endpoint __inference_serve_*: every op under functional_1/, variables as arguments
            Output<?> fnImage = Net.placeholder(modelGraph, KERAS3_INPUT_KEY, dt, Shape.of(spec.inputShape()));
            List<Output<?>> fnArgs = new ArrayList<>();
            Net net = new Net(modelGraph, spec.dtype(), spec.seed(), true, (n, v) -> {
                Output<?> arg = Net.placeholder(modelGraph, argName(v), DataType.DT_RESOURCE, Shape.scalar());
                fnArgs.add(arg);
                return n.read(arg, v);
            });
            Bodies.Body body = bodies.build(net, spec, fnImage);
            Output<?> fnOut = modelGraph.opBuilder("Identity", "Identity", modelGraph.baseScope())
                    .addInput(body.output).build().output(0);
            ConcreteFunction model = function("__inference_serve_1234", modelGraph, fnImage, fnArgs, fnOut);

            // 2. one signature wrapper per signature, each calling the endpoint through a nested call
            ConcreteFunction serve = keras3Wrapper("__inference_signature_wrapper_serve_1301", serveGraph, model,
                    net.variables, spec);
            ConcreteFunction serving = keras3Wrapper("__inference_signature_wrapper_serving_default_1322",
                    defaultGraph, model, net.variables, spec);

            // 3. top level: one placeholder per signature, the shared VarHandleOps, and the two calls in
            //    signature-key order (serve → StatefulPartitionedCall, serving_default → StatefulPartitionedCall_1)
            Output<?> serveImage = Net.placeholder(top, KERAS3_SERVE + "_" + KERAS3_INPUT_KEY, dt,
                    Shape.of(spec.inputShape()));
            Output<?> image = Net.placeholder(top, TestModel.SIGNATURE_KEY + "_" + KERAS3_INPUT_KEY, dt,
                    Shape.of(spec.inputShape()));
            Map<String, Output<?>> handles = new LinkedHashMap<>();
            for (Variable v : net.variables) {
                handles.put(v.name, varHandle(top, v, dt));
            }
            List<Output<?>> args = new ArrayList<>(handles.values());
            Output<?> serveOut = call(top, "StatefulPartitionedCall", serve, serveImage, args, dt);
            Output<?> out = call(top, "StatefulPartitionedCall_1", serving, image, args, dt);
            Map<String, Output<?>[]> signatures = new LinkedHashMap<>();
            signatures.put(TestModel.SIGNATURE_KEY, new Output<?>[] {image, out});
            signatures.put(KERAS3_SERVE, new Output<?>[] {serveImage, serveOut});
            try {
                TestModel m = finish(spec, dir, top, net, handles, KERAS3_INPUT_KEY, KERAS3_OUTPUT_KEY, signatures,
                        body, model.getDefinedName(), List.of(serving.getDefinedName(), serve.getDefinedName(),
                                model.getDefinedName()));
                writeFingerprint(dir);
                return m;
            } finally {
                serving.close();
                serve.close();
                model.close();
            }
        }
    }

    private static ConcreteFunction keras3Wrapper(String name, Graph g, ConcreteFunction model,
            List<Variable> variables, TestModelSpec spec) {
        DataType dt = spec.dtype().tf();
        Output<?> image = Net.placeholder(g, KERAS3_INPUT_KEY, dt, Shape.of(spec.inputShape()));
        List<Output<?>> args = new ArrayList<>();
        for (Variable v : variables) {
            args.add(Net.placeholder(g, argName(v), DataType.DT_RESOURCE, Shape.scalar()));
        }
        Output<?> c = call(g, "StatefulPartitionedCall", model, image, args, dt);
        Output<?> out = g.opBuilder("Identity", "Identity", g.baseScope()).addInput(c).build().output(0);
        return function(name, g, image, args, out);
    }

    /**
     * {@code fingerprint.pb} as TF 2.9+ writes it: a serialized {@code tensorflow.FingerprintDef}. TF's loader
     * only reads it for metrics (and ignores it when it is missing or does not parse); the hashes here are
     * plain 64-bit hashes of the files, not TF's own fingerprint algorithm.
     */
    private static void writeFingerprint(Path dir) throws IOException {
        byte[] pb = Files.readAllBytes(dir.resolve("saved_model.pb"));
        byte[] index = Files.readAllBytes(dir.resolve("variables").resolve("variables.index"));
        FingerprintDef f = FingerprintDef.newBuilder().setSavedModelChecksum(hash64(pb))
                .setGraphDefProgramHash(hash64(pb) ^ 0x9e3779b97f4a7c15L).setSignatureDefHash(hash64(pb) * 31)
                .setSavedObjectGraphHash(0).setCheckpointHash(hash64(index))
                .setVersion(VersionDef.newBuilder().setProducer(1)).build();
        Files.write(dir.resolve("fingerprint.pb"), f.toByteArray());
    }

    private static long hash64(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static String argName(Variable v) {
        return v.name.replace('/', '_').toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static ConcreteFunction function(String name, Graph g, Output<?> image, List<Output<?>> args,
            Output<?> out) {
        Signature.Builder sig = Signature.builder().key(name).methodName(name).input("image", (Operand) image);
        for (Output<?> a : args) {
            sig.input(((GraphOperation) a.op()).name(), (Operand) a);
        }
        sig.output("output", (Operand) out);
        return ConcreteFunction.create(sig.build(), g);
    }

    private static Output<?> call(Graph g, String name, ConcreteFunction f, Output<?> image, List<Output<?>> args,
            DataType dt) {
        g.attachFunction(f);
        DataType[] tin = new DataType[1 + args.size()];
        tin[0] = dt;
        for (int i = 1; i < tin.length; i++) {
            tin[i] = DataType.DT_RESOURCE;
        }
        Output<?>[] in = new Output<?>[1 + args.size()];
        in[0] = image;
        for (int i = 0; i < args.size(); i++) {
            in[i + 1] = args.get(i);
        }
        return g.opBuilder("StatefulPartitionedCall", name, g.baseScope()).addInputList(in).setAttr("f", f).setAttr("Tin", tin).setAttr("Tout", new DataType[] {dt}).setAttr("config", "")
                .setAttr("config_proto", "").setAttr("executor_type", "").build().output(0);
    }

    private static Output<?> varHandle(Graph g, Variable v, DataType dt) {
        return g.opBuilder("VarHandleOp", v.name, g.baseScope()).setAttr("dtype", dt).setAttr("shape", Shape.of(v.shape))
                .setAttr("shared_name", v.name).setAttr("container", "").build().output(0);
    }

    // ---- saver, checkpoint, saved_model.pb ------------------------------------------------------------------

    private static TestModel finish(TestModelSpec spec, Path dir, Graph top, Net net, Map<String, Output<?>> handles,
            Output<?> image, Output<?> out, Bodies.Body body, String convFunction, List<String> functions)
            throws IOException {
        Map<String, Output<?>[]> signatures = new LinkedHashMap<>();
        signatures.put(TestModel.SIGNATURE_KEY, new Output<?>[] {image, out});
        return finish(spec, dir, top, net, handles, INPUT_KEY, outputKey(spec), signatures,
                body, convFunction, functions);
    }

    /** {@code probabilities} after a softmax or sigmoid, else {@code logits}. */
    static String outputKey(TestModelSpec spec) {
        return spec.activation() == OutputActivation.NONE ? "logits" : "probabilities";
    }

    /** {@code signatures}: key → {input, output}; the {@code serving_default} entry is the TestModel's. */
    private static TestModel finish(TestModelSpec spec, Path dir, Graph top, Net net, Map<String, Output<?>> handles,
            String inputKey, String outputKey, Map<String, Output<?>[]> signatures, Bodies.Body body,
            String convFunction, List<String> functions) throws IOException {
        DataType dt = spec.dtype().tf();
        SaverDef saverDef;
        if (spec.style() == SaveStyle.KERAS3_EXPORT) {
            saverDef = addTf2Saver(top, handles, dt);
            writeKeras3Checkpoint(net.variables, dt, dir.resolve("variables").resolve("variables"));
        } else {
            saverDef = addSaver(top, handles, dt);
            writeCheckpoint(top, net.variables, dt, dir.resolve("variables").resolve("variables"));
        }

        MetaGraphDef.Builder metaBuilder = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags(TestModel.TAG)
                        .setTensorflowVersion("2.16.1").setTensorflowGitVersion("gradcam-fiji TestModels " + spec.name()))
                .setGraphDef(top.toGraphDef()).setSaverDef(saverDef);
        String inputTensor = null;
        String outputTensor = null;
        for (Map.Entry<String, Output<?>[]> e : signatures.entrySet()) {
            Output<?> image = e.getValue()[0];
            Output<?> out = e.getValue()[1];
            String in = Net.nodeName(image) + ":0";
            String o = Net.nodeName(out) + ":" + out.index();
            metaBuilder.putSignatureDef(e.getKey(), SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict")
                    .putInputs(inputKey, tensorInfo(in, dt, spec.inputShape()))
                    .putOutputs(outputKey, tensorInfo(o, dt, new long[] {-1, spec.classes()})).build());
            if (e.getKey().equals(TestModel.SIGNATURE_KEY)) {
                inputTensor = in;
                outputTensor = o;
            }
        }
        MetaGraphDef meta = metaBuilder.build();
        SavedModel model = SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
        try (OutputStream os = Files.newOutputStream(dir.resolve("saved_model.pb"))) {
            model.writeTo(os);
        }

        Variable kernel = net.variable(body.denseLayer + "/kernel");
        Variable bias = net.variable(body.denseLayer + "/bias");
        int in = (int) kernel.shape[0];
        int k = (int) kernel.shape[1];
        double[][] w = new double[in][k];
        for (int i = 0; i < in; i++) {
            System.arraycopy(kernel.values, i * k, w[i], 0, k);
        }
        List<String> names = new ArrayList<>(handles.keySet());
        return new TestModel(dir, spec, inputKey, outputKey, inputTensor, outputTensor, Net.nodeName(body.lastConv),
                convFunction, body.lastConvShape, w, bias.values.clone(), names, functions);
    }

    private static TensorInfo tensorInfo(String name, DataType dt, long[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return TensorInfo.newBuilder().setName(name).setDtype(dt).setTensorShape(s).build();
    }

    // ---- TF2 saver: saver_filename, StatefulPartitionedCall_2 (save), StatefulPartitionedCall_3 (restore) ----

    /** Checkpoint key of the {@code i}-th variable of a Keras 3 export (tracked as {@code variables[i]}). */
    static String keras3CheckpointKey(int i) {
        return "variables/" + i + "/.ATTRIBUTES/VARIABLE_VALUE";
    }

    /**
     * The saver of TF2 SavedModels: a {@code saver_filename} string placeholder and two function calls taking it
     * and every variable handle, {@code StatefulPartitionedCall_2} (SaveV2, returns the filename) and
     * {@code StatefulPartitionedCall_3} (RestoreV2 + AssignVariableOp, returns the filename after the assigns).
     */
    private static SaverDef addTf2Saver(Graph top, Map<String, Output<?>> handles, DataType dt) {
        int n = handles.size();
        String[] keys = new String[n];
        String[] slices = new String[n];
        DataType[] types = new DataType[n];
        for (int i = 0; i < n; i++) {
            keys[i] = keras3CheckpointKey(i);
            slices[i] = "";
            types[i] = dt;
        }
        ConcreteFunction save;
        try (Graph g = new Graph()) {
            Output<?> file = Net.placeholder(g, "file_prefix", DataType.DT_STRING, Shape.scalar());
            List<Output<?>> vars = resourceArgs(g, n);
            Output<?>[] reads = new Output<?>[n];
            for (int i = 0; i < n; i++) {
                reads[i] = g.opBuilder("ReadVariableOp", "read_" + i, g.baseScope()).addInput(vars.get(i))
                        .setAttr("dtype", dt).build().output(0);
            }
            GraphOperation saveOp = g.opBuilder("SaveV2", "SaveV2", g.baseScope()).addInput(file)
                    .addInput(stringConst(g, "SaveV2/tensor_names", keys))
                    .addInput(stringConst(g, "SaveV2/shape_and_slices", slices)).addInputList(reads)
                    .setAttr("dtypes", types).build();
            Output<?> out = g.opBuilder("Identity", "Identity", g.baseScope()).addInput(file).addControlInput(saveOp)
                    .build().output(0);
            save = saverFunction("__inference__traced_save_1400", g, file, vars, out);
        }
        ConcreteFunction restore;
        try (Graph g = new Graph()) {
            Output<?> file = Net.placeholder(g, "file_prefix", DataType.DT_STRING, Shape.scalar());
            List<Output<?>> vars = resourceArgs(g, n);
            GraphOperation restoreOp = g.opBuilder("RestoreV2", "RestoreV2", g.baseScope()).addInput(file)
                    .addInput(stringConst(g, "RestoreV2/tensor_names", keys))
                    .addInput(stringConst(g, "RestoreV2/shape_and_slices", slices)).setAttr("dtypes", types).build();
            GraphOperationBuilder out = g.opBuilder("Identity", "Identity", g.baseScope()).addInput(file);
            for (int i = 0; i < n; i++) {
                out.addControlInput(g.opBuilder("AssignVariableOp", "AssignVariableOp_" + i, g.baseScope())
                        .addInput(vars.get(i)).addInput(restoreOp.output(i)).setAttr("dtype", dt).build());
            }
            restore = saverFunction("__inference__traced_restore_1480", g, file, vars, out.build().output(0));
        }
        try {
            Output<?> filename = Net.placeholder(top, "saver_filename", DataType.DT_STRING, Shape.scalar());
            List<Output<?>> args = new ArrayList<>(handles.values());
            Output<?> saved = stringCall(top, "StatefulPartitionedCall_2", save, filename, args);
            Output<?> restored = stringCall(top, "StatefulPartitionedCall_3", restore, filename, args);
            return SaverDef.newBuilder().setFilenameTensorName(Net.nodeName(filename) + ":0")
                    .setSaveTensorName(Net.nodeName(saved) + ":0").setRestoreOpName(Net.nodeName(restored))
                    .setMaxToKeep(5).setKeepCheckpointEveryNHours(10000f)
                    .setVersion(SaverDef.CheckpointFormatVersion.V2).build();
        } finally {
            save.close();
            restore.close();
        }
    }

    private static List<Output<?>> resourceArgs(Graph g, int n) {
        List<Output<?>> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            args.add(Net.placeholder(g, "variable_" + i, DataType.DT_RESOURCE, Shape.scalar()));
        }
        return args;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static ConcreteFunction saverFunction(String name, Graph g, Output<?> file, List<Output<?>> vars,
            Output<?> out) {
        Signature.Builder sig = Signature.builder().key(name).methodName(name).input("file_prefix", (Operand) file);
        for (Output<?> v : vars) {
            sig.input(((GraphOperation) v.op()).name(), (Operand) v);
        }
        sig.output("output", (Operand) out);
        return ConcreteFunction.create(sig.build(), g);
    }

    private static Output<?> stringCall(Graph g, String name, ConcreteFunction f, Output<?> file, List<Output<?>> vars) {
        g.attachFunction(f);
        DataType[] tin = new DataType[1 + vars.size()];
        tin[0] = DataType.DT_STRING;
        Output<?>[] in = new Output<?>[1 + vars.size()];
        in[0] = file;
        for (int i = 0; i < vars.size(); i++) {
            tin[i + 1] = DataType.DT_RESOURCE;
            in[i + 1] = vars.get(i);
        }
        return g.opBuilder("StatefulPartitionedCall", name, g.baseScope()).addInputList(in).setAttr("f", f)
                .setAttr("Tin", tin).setAttr("Tout", new DataType[] {DataType.DT_STRING}).setAttr("config", "")
                .setAttr("config_proto", "").setAttr("executor_type", "").build().output(0);
    }

    /** Writes the checkpoint under the Keras 3 keys, with a TF1 saver in a scratch graph. */
    private static void writeKeras3Checkpoint(List<Variable> vars, DataType dt, Path prefix) throws IOException {
        try (Graph scratch = new Graph()) {
            Map<String, Output<?>> handles = new LinkedHashMap<>();
            for (int i = 0; i < vars.size(); i++) {
                handles.put(keras3CheckpointKey(i), varHandle(scratch, vars.get(i), dt));
            }
            addSaver(scratch, handles, dt);
            writeCheckpoint(scratch, vars, dt, prefix);
        }
    }

    /** TF1 saver ops (V2 checkpoint, not sharded): save/Const, save/SaveV2, save/RestoreV2, save/restore_all. */
    private static SaverDef addSaver(Graph g, Map<String, Output<?>> handles, DataType dt) {
        String[] names = handles.keySet().toArray(new String[0]);
        String[] slices = new String[names.length];
        java.util.Arrays.fill(slices, "");
        DataType[] types = new DataType[names.length];
        java.util.Arrays.fill(types, dt);
        Output<?> filename = stringConst(g, "save/Const", "model");
        Output<?> saveNames = stringConst(g, "save/SaveV2/tensor_names", names);
        Output<?> saveSlices = stringConst(g, "save/SaveV2/shape_and_slices", slices);
        GraphOperationBuilder save = g.opBuilder("SaveV2", "save/SaveV2", g.baseScope()).addInput(filename)
                .addInput(saveNames).addInput(saveSlices);
        Output<?>[] values = new Output<?>[names.length];
        int i = 0;
        for (Map.Entry<String, Output<?>> e : handles.entrySet()) {
            values[i++] = g.opBuilder("ReadVariableOp", "save/Read_" + i + "/ReadVariableOp", g.baseScope())
                    .addInput(e.getValue()).setAttr("dtype", dt).build().output(0);
        }
        GraphOperation saveOp = save.addInputList(values).setAttr("dtypes", types).build();
        Output<?> saved = g.opBuilder("Identity", "save/control_dependency", g.baseScope()).addInput(filename)
                .addControlInput(saveOp).build().output(0);

        Output<?> restoreNames = stringConst(g, "save/RestoreV2/tensor_names", names);
        Output<?> restoreSlices = stringConst(g, "save/RestoreV2/shape_and_slices", slices);
        GraphOperation restore = g.opBuilder("RestoreV2", "save/RestoreV2", g.baseScope()).addInput(filename)
                .addInput(restoreNames).addInput(restoreSlices).setAttr("dtypes", types).build();
        GraphOperationBuilder restoreAll = g.opBuilder("NoOp", "save/restore_all", g.baseScope());
        i = 0;
        for (Map.Entry<String, Output<?>> e : handles.entrySet()) {
            GraphOperation assign = g.opBuilder("AssignVariableOp", "save/AssignVariableOp" + (i == 0 ? "" : "_" + i),
                    g.baseScope()).addInput(e.getValue()).addInput(restore.output(i)).setAttr("dtype", dt).build();
            restoreAll.addControlInput(assign);
            i++;
        }
        GraphOperation restoreAllOp = restoreAll.build();
        return SaverDef.newBuilder().setFilenameTensorName(Net.nodeName(filename) + ":0")
                .setSaveTensorName(Net.nodeName(saved) + ":0").setRestoreOpName(restoreAllOp.name())
                .setMaxToKeep(5).setKeepCheckpointEveryNHours(10000f).setVersion(SaverDef.CheckpointFormatVersion.V2)
                .build();
    }

    private static Output<?> stringConst(Graph g, String name, String... values) {
        try (Tensor t = values.length == 1 && name.equals("save/Const") ? TString.scalarOf(values[0])
                : TString.vectorOf(values)) {
            return g.opBuilder("Const", name, g.baseScope()).setAttr("dtype", DataType.DT_STRING).setAttr("value", t)
                    .build().output(0);
        }
    }

    /**
     * Writes the checkpoint with the graph's own saver: the seeded values are fed in place of the RestoreV2
     * outputs to run save/restore_all (which assigns them), then save/control_dependency writes them.
     */
    private static void writeCheckpoint(Graph g, List<Variable> vars, DataType dt, Path prefix) throws IOException {
        Files.createDirectories(prefix.getParent());
        List<Tensor> tensors = new ArrayList<>();
        try (Session session = new Session(g)) {
            Session.Runner assign = session.runner();
            for (int i = 0; i < vars.size(); i++) {
                Tensor t = tensor(vars.get(i), dt);
                tensors.add(t);
                assign.feed("save/RestoreV2", i, t);
            }
            assign.addTarget("save/restore_all").run().close();
            try (TString p = TString.scalarOf(prefix.toString())) {
                session.runner().feed("save/Const", p).fetch("save/control_dependency").run().close();
            }
        } finally {
            tensors.forEach(Tensor::close);
        }
    }

    private static Tensor tensor(Variable v, DataType dt) {
        if (dt == DataType.DT_DOUBLE) {
            return TFloat64.tensorOf(Shape.of(v.shape), DataBuffers.of(v.values, true, false));
        }
        float[] f = new float[v.values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) v.values[i];
        }
        return TFloat32.tensorOf(Shape.of(v.shape), DataBuffers.of(f, true, false));
    }
}
