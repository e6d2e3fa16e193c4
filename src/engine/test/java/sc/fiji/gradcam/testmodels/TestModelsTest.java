package sc.fiji.gradcam.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

class TestModelsTest {

    private static final Set<String> LAYER_OPS =
            Set.of("Conv2D", "DepthwiseConv2dNative", "BiasAdd", "MatMul", "FusedBatchNormV3", "Relu", "Relu6",
                    "Softmax", "Mean", "MaxPool");

    @TempDir
    Path tmp;

    @BeforeAll
    static void runtime() {
        TensorFlowRuntime.engine();
    }

    // ---- (a) + (b): all styles load with DJL, agree, softmax sums to 1 -----------------------------------

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void allStylesLoadWithDjlAndAgree(Architecture arch) throws Exception {
        TestModelSpec spec = TestModelSpec.of(arch, SaveStyle.TF1_GRAPH);
        TestModel tf1 = TestModels.buildIn(spec, tmp);
        TestModel fn = TestModels.buildIn(spec.withStyle(SaveStyle.FUNCTION_CALL), tmp);
        TestModel k3 = TestModels.buildIn(spec.withStyle(SaveStyle.KERAS3_EXPORT), tmp);
        assertTrue(Files.isRegularFile(fn.dir().resolve("variables/variables.index")));
        assertEquals("image", fn.inputKey());
        assertEquals("probabilities", fn.outputKey());

        float[] image = randomImage(spec, 2, 7);
        float[] a = predictDjl(tf1, image, 2);
        float[] b = predictDjl(fn, image, 2);
        assertEquals(2 * spec.classes(), a.length);
        assertArrayEquals(a, b, 1e-5f, "TF1 vs FUNCTION_CALL");
        assertArrayEquals(a, predictDjl(k3, image, 2), 1e-5f, "TF1 vs KERAS3_EXPORT");
        for (int n = 0; n < 2; n++) {
            double sum = 0;
            for (int k = 0; k < spec.classes(); k++) {
                float p = a[n * spec.classes() + k];
                assertTrue(p > 0 && p < 1, "probability " + p);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-5, "softmax row " + n);
        }
        // the output depends on the input (weights restored, not zeros)
        float[] other = predictDjl(fn, randomImage(spec, 2, 8), 2);
        assertTrue(maxAbsDiff(a, other) > 1e-4, "output ignores the input");

        // TF Java's loader gives the same answer through the signature
        assertArrayEquals(a, predictTfJava(tf1, image, 2), 1e-5f);
        assertArrayEquals(a, predictTfJava(fn, image, 2), 1e-5f);
        assertArrayEquals(a, predictTfJava(k3, image, 2), 1e-5f);
    }

    // ---- (c): layout of the two styles ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void functionCallStyleHasLayersOnlyInLibraryFunctions(Architecture arch) throws Exception {
        TestModel m = TestModels.buildIn(TestModelSpec.of(arch, SaveStyle.FUNCTION_CALL), tmp);
        MetaGraphDef meta = meta(m);
        GraphDef g = meta.getGraphDef();
        assertEquals("StatefulPartitionedCall:0",
                meta.getSignatureDefOrThrow("serving_default").getOutputsOrThrow("probabilities").getName());

        Map<String, NodeDef> top = g.getNodeList().stream().collect(Collectors.toMap(NodeDef::getName, n -> n));
        Set<String> topOps = g.getNodeList().stream().map(NodeDef::getOp).collect(Collectors.toSet());
        for (String op : LAYER_OPS) {
            assertTrue(!topOps.contains(op), op + " at top level");
        }
        NodeDef call = top.get("StatefulPartitionedCall");
        assertNotNull(call);
        assertEquals("StatefulPartitionedCall", call.getOp());
        assertEquals(m.functionNames().get(0), call.getAttrOrThrow("f").getFunc().getName());
        // inputs: the image and every variable handle
        assertEquals(1 + m.variableNames().size(), call.getInputCount());
        for (String v : m.variableNames()) {
            assertEquals("VarHandleOp", top.get(v).getOp());
            assertTrue(call.getInputList().contains(v));
        }

        Map<String, FunctionDef> lib = g.getLibrary().getFunctionList().stream()
                .collect(Collectors.toMap(f -> f.getSignature().getName(), f -> f));
        assertEquals(Set.copyOf(m.functionNames()), lib.keySet());
        FunctionDef wrapper = lib.get(m.functionNames().get(0));
        FunctionDef model = lib.get(m.functionNames().get(1));
        assertEquals(model.getSignature().getName(), m.lastConvFunction());
        // nested call: wrapper -> model
        NodeDef nested = wrapper.getNodeDefList().stream().filter(n -> n.getOp().equals("StatefulPartitionedCall"))
                .findFirst().orElseThrow();
        assertEquals(m.lastConvFunction(), nested.getAttrOrThrow("f").getFunc().getName());
        assertTrue(wrapper.getNodeDefList().stream().noneMatch(n -> LAYER_OPS.contains(n.getOp())));
        // the model function reads resource arguments and holds the conv layers
        Set<String> fnOps = model.getNodeDefList().stream().map(NodeDef::getOp).collect(Collectors.toSet());
        assertTrue(fnOps.contains("ReadVariableOp"));
        assertTrue(fnOps.contains("Conv2D"));
        assertEquals(1 + m.variableNames().size(), model.getSignature().getInputArgCount());
        assertEquals(org.tensorflow.proto.DataType.DT_RESOURCE, model.getSignature().getInputArg(1).getType());
        assertTrue(model.getNodeDefList().stream().anyMatch(n -> n.getName().equals(m.lastConvNodeName())),
                m.lastConvNodeName() + " not in " + m.lastConvFunction());
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void tf1StyleHasEverythingAtTopLevel(Architecture arch) throws Exception {
        TestModel m = TestModels.buildIn(TestModelSpec.of(arch, SaveStyle.TF1_GRAPH).withSoftmax(false), tmp);
        GraphDef g = meta(m).getGraphDef();
        assertEquals(0, g.getLibrary().getFunctionCount());
        assertNull(m.lastConvFunction());
        assertTrue(m.functionNames().isEmpty());
        Set<String> names = new HashSet<>();
        g.getNodeList().forEach(n -> names.add(n.getName()));
        assertTrue(names.contains(m.lastConvNodeName()));
        assertTrue(g.getNodeList().stream().noneMatch(n -> n.getOp().contains("PartitionedCall")));
        assertEquals("logits", m.outputKey());
        assertEquals("dense/BiasAdd:0", m.outputTensorName());
    }

    // ---- dense weights and last-conv name are right: logits = GAP(lastConv)·W + b --------------------------

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"GAP", "RESIDUAL", "MOBILENET"})
    void denseWeightsReproduceLogitsFromLastConv(Architecture arch) throws Exception {
        TestModelSpec spec = TestModelSpec.of(arch, SaveStyle.TF1_GRAPH).withSoftmax(false).withInput(20, 24, 1)
                .withClasses(3).withSeed(5);
        TestModel m = TestModels.buildIn(spec, tmp);
        float[] image = randomImage(spec, 1, 3);
        long[] s = m.lastConvShape();
        float[] act;
        float[] logits;
        try (SavedModelBundle b = SavedModelBundle.load(m.dir().toString(), TestModel.TAG);
                TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, spec.height(), spec.width(),
                        spec.channels()), org.tensorflow.ndarray.buffer.DataBuffers.of(image, true, false));
                org.tensorflow.Result r = b.session().runner().feed(m.inputTensorName(), x)
                        .fetch(m.lastConvTensorName()).fetch(m.outputTensorName()).run()) {
            assertEquals(org.tensorflow.ndarray.Shape.of(1, s[0], s[1], s[2]), r.get(0).shape());
            act = floats(r.get(0));
            logits = floats(r.get(1));
        }
        float[][] w = m.denseWeights();
        float[] bias = m.denseBias();
        int c = (int) s[2];
        int hw = (int) (s[0] * s[1]);
        assertEquals(c, w.length);
        for (int k = 0; k < spec.classes(); k++) {
            double z = bias[k];
            for (int ch = 0; ch < c; ch++) {
                double mean = 0;
                for (int p = 0; p < hw; p++) {
                    mean += act[p * c + ch];
                }
                z += mean / hw * w[ch][k];
            }
            assertEquals(z, logits[k], 1e-4, "logit " + k);
        }
    }

    // ---- float64 models ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void float64ModelsRunInDoubleAndMatchFloat32(Architecture arch) throws Exception {
        TestModelSpec spec = TestModelSpec.of(arch, SaveStyle.FUNCTION_CALL).withInput(12, 12, 2).withSoftmax(false);
        TestModel f32 = TestModels.buildIn(spec, tmp);
        TestModel f64 = TestModels.buildIn(spec.withDtype(ModelDType.FLOAT64), tmp);
        TestModel f64tf1 = TestModels.buildIn(spec.withDtype(ModelDType.FLOAT64).withStyle(SaveStyle.TF1_GRAPH), tmp);
        float[] image = randomImage(spec, 1, 11);
        double[] d = new double[image.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = image[i];
        }
        double[] y64 = predictDjlDouble(f64, d);
        double[] y64tf1 = predictDjlDouble(f64tf1, d);
        float[] y32 = predictDjl(f32, image, 1);
        assertArrayEquals(y64, y64tf1, 1e-12);
        for (int k = 0; k < y32.length; k++) {
            assertEquals(y64[k], y32[k], 1e-4, "float32 vs float64 logit " + k);
        }
    }

    @Test
    void oddSizesGrayscaleAndManyClasses() throws Exception {
        for (Architecture arch : new Architecture[] {Architecture.VGG, Architecture.MOBILENET}) {
            TestModelSpec spec = TestModelSpec.of(arch, SaveStyle.FUNCTION_CALL).withInput(17, 23, 1).withClasses(10)
                    .withFilters(4);
            TestModel m = TestModels.buildIn(spec, tmp);
            float[] y = predictDjl(m, randomImage(spec, 1, 1), 1);
            assertEquals(10, y.length);
            TestModel t = TestModels.buildIn(spec.withStyle(SaveStyle.TF1_GRAPH), tmp);
            assertArrayEquals(y, predictDjl(t, randomImage(spec, 1, 1), 1), 1e-5f);
        }
        TestModel vgg = TestModels.buildIn(TestModelSpec.of(Architecture.VGG, SaveStyle.TF1_GRAPH)
                .withInput(17, 23, 1).withFilters(4), tmp);
        assertArrayEquals(new long[] {8, 11, 8}, vgg.lastConvShape());
        assertEquals(8 * 11 * 8, vgg.denseWeights().length);
    }

    @Test
    void differentSeedsGiveDifferentModels() throws Exception {
        TestModelSpec spec = TestModelSpec.of(Architecture.GAP, SaveStyle.TF1_GRAPH);
        TestModel a = TestModels.buildIn(spec, tmp);
        TestModel b = TestModels.buildIn(spec.withSeed(2), tmp);
        float[] image = randomImage(spec, 1, 1);
        assertTrue(maxAbsDiff(predictDjl(a, image, 1), predictDjl(b, image, 1)) > 1e-3);
        assertTrue(maxAbsDiff(a.denseBias(), b.denseBias()) > 1e-3);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static MetaGraphDef meta(TestModel m) throws Exception {
        SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(m.dir().resolve("saved_model.pb")));
        assertEquals(1, sm.getMetaGraphsCount());
        assertEquals(List.of("serve"), sm.getMetaGraphs(0).getMetaInfoDef().getTagsList());
        return sm.getMetaGraphs(0);
    }

    private static float[] randomImage(TestModelSpec s, int batch, long seed) {
        Random r = new Random(seed);
        float[] x = new float[batch * s.height() * s.width() * s.channels()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    private static ZooModel<NDList, NDList> load(TestModel m) throws Exception {
        return Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(m.dir())
                .optEngine(TensorFlowRuntime.ENGINE).build().loadModel();
    }

    private static float[] predictDjl(TestModel m, float[] image, int batch) throws Exception {
        TestModelSpec s = m.spec();
        try (ZooModel<NDList, NDList> model = load(m);
                Predictor<NDList, NDList> p = model.newPredictor();
                NDManager nd = NDManager.newBaseManager(TensorFlowRuntime.ENGINE)) {
            NDArray x = nd.create(image, new Shape(batch, s.height(), s.width(), s.channels()));
            NDArray y = p.predict(new NDList(x)).singletonOrThrow();
            assertEquals(new Shape(batch, s.classes()), y.getShape());
            assertEquals(DataType.FLOAT32, y.getDataType());
            return y.toFloatArray();
        }
    }

    private static double[] predictDjlDouble(TestModel m, double[] image) throws Exception {
        TestModelSpec s = m.spec();
        try (ZooModel<NDList, NDList> model = load(m);
                Predictor<NDList, NDList> p = model.newPredictor();
                NDManager nd = NDManager.newBaseManager(TensorFlowRuntime.ENGINE)) {
            NDArray x = nd.create(image, new Shape(1, s.height(), s.width(), s.channels()));
            NDArray y = p.predict(new NDList(x)).singletonOrThrow();
            assertEquals(DataType.FLOAT64, y.getDataType());
            return y.toDoubleArray();
        }
    }

    private static float[] predictTfJava(TestModel m, float[] image, int batch) {
        TestModelSpec s = m.spec();
        try (SavedModelBundle b = SavedModelBundle.load(m.dir().toString(), TestModel.TAG);
                TFloat32 x = TFloat32.tensorOf(
                        org.tensorflow.ndarray.Shape.of(batch, s.height(), s.width(), s.channels()),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(image, true, false));
                org.tensorflow.Result r = b.function(TestModel.SIGNATURE_KEY).call(Map.of(m.inputKey(), x))) {
            return floats(r.get(m.outputKey()).orElseThrow());
        }
    }

    private static float[] floats(Tensor t) {
        TFloat32 f = (TFloat32) t;
        float[] out = new float[(int) f.size()];
        f.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
