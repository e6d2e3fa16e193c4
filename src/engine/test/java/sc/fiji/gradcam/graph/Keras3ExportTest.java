package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.TensorName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.proto.FingerprintDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModel;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/**
 * Keras 3 {@code model.export()} layout ({@link SaveStyle#KERAS3_EXPORT}): two signatures over two top-level
 * calls, {@code …/convolution} + {@code AddV2} bias, a nested call and a {@code fingerprint.pb}. It loads with the
 * defaults (signature {@code serving_default}, output {@code StatefulPartitionedCall_1:0}), inlines exactly, gets
 * the last conv's activation as default layer, explains with every method, and {@code serve} predicts the same.
 */
class Keras3ExportTest extends WithBuiltModels {

    private static final TestModelSpec GAP = BuiltModels.small(Architecture.GAP, SaveStyle.KERAS3_EXPORT);

    @Test
    void builderReproducesTheExportLayout() throws Exception {
        TestModel m = models.get(GAP).model();
        SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(m.dir().resolve("saved_model.pb")));
        MetaGraphDef meta = sm.getMetaGraphs(0);
        assertEquals(Set.of("serve", "serving_default"), meta.getSignatureDefMap().keySet());
        assertEquals("StatefulPartitionedCall:0",
                meta.getSignatureDefOrThrow("serve").getOutputsOrThrow("output_0").getName());
        assertEquals("StatefulPartitionedCall_1:0",
                meta.getSignatureDefOrThrow("serving_default").getOutputsOrThrow("output_0").getName());
        assertEquals("serving_default_keras_tensor:0",
                meta.getSignatureDefOrThrow("serving_default").getInputsOrThrow("keras_tensor").getName());
        assertEquals("StatefulPartitionedCall_1:0", m.outputTensorName());

        GraphDef g = meta.getGraphDef();
        Map<String, NodeDef> top = g.getNodeList().stream().collect(Collectors.toMap(NodeDef::getName, n -> n));
        List<NodeDef> calls = g.getNodeList().stream().filter(n -> n.getOp().equals("StatefulPartitionedCall"))
                .toList();
        assertEquals(List.of("StatefulPartitionedCall", "StatefulPartitionedCall_1", "StatefulPartitionedCall_2",
                "StatefulPartitionedCall_3"), calls.stream().map(NodeDef::getName).sorted().toList());
        // TF2 saver: restore and save are function calls on saver_filename and every variable handle
        assertEquals("saver_filename:0", meta.getSaverDef().getFilenameTensorName());
        assertEquals("StatefulPartitionedCall_2:0", meta.getSaverDef().getSaveTensorName());
        assertEquals("StatefulPartitionedCall_3", meta.getSaverDef().getRestoreOpName());
        assertEquals(1 + m.variableNames().size(), top.get("StatefulPartitionedCall_3").getInputCount());
        assertTrue(g.getNodeList().stream().noneMatch(n -> n.getName().startsWith("save/")));
        assertEquals(m.functionNames().get(1), top.get("StatefulPartitionedCall").getAttrOrThrow("f").getFunc().getName());
        assertEquals(m.functionNames().get(0),
                top.get("StatefulPartitionedCall_1").getAttrOrThrow("f").getFunc().getName());
        assertTrue(g.getNodeList().stream().noneMatch(n -> n.getOp().equals("Conv2D")));

        Map<String, FunctionDef> lib = g.getLibrary().getFunctionList().stream()
                .collect(Collectors.toMap(f -> f.getSignature().getName(), f -> f));
        assertTrue(lib.keySet().containsAll(m.functionNames()));
        assertEquals(m.functionNames().size() + 2, lib.size(), lib.keySet().toString());
        for (String wrapper : m.functionNames().subList(0, 2)) {
            NodeDef nested = lib.get(wrapper).getNodeDefList().stream()
                    .filter(n -> n.getOp().equals("StatefulPartitionedCall")).findFirst().orElseThrow();
            assertEquals(m.lastConvFunction(), nested.getAttrOrThrow("f").getFunc().getName());
        }
        Map<String, NodeDef> body = lib.get(m.lastConvFunction()).getNodeDefList().stream()
                .collect(Collectors.toMap(NodeDef::getName, n -> n));
        assertTrue(body.values().stream().noneMatch(n -> n.getOp().equals("BiasAdd")));
        for (String layer : List.of("conv2d", "conv2d_1", "conv2d_2")) {
            String p = "functional_1/" + layer + "/";
            assertEquals("Conv2D", body.get(p + "convolution").getOp());
            NodeDef add = body.get(p + "add");
            assertEquals("AddV2", add.getOp());
            assertTrue(add.getInput(0).startsWith(p + "convolution:"), add.getInput(0));
            assertEquals("Relu", body.get(p + "Relu").getOp());
            assertTrue(body.get(p + "Relu").getInput(0).startsWith(p + "add:"));
        }
        assertEquals("functional_1/conv2d_2/Relu", m.lastConvNodeName());
        assertEquals("AddV2", body.get("functional_1/dense/Add").getOp());

        FingerprintDef f = FingerprintDef.parseFrom(Files.readAllBytes(m.dir().resolve("fingerprint.pb")));
        assertTrue(f.getSavedModelChecksum() != 0);
        assertEquals(1, f.getVersion().getProducer());
    }

    @Test
    void loadsWithDefaultsAndInlinesExactly() {
        Built b = models.get(GAP);
        LoadedModel m = b.loaded();
        assertEquals("serving_default", m.signature().key());
        assertEquals(List.of("serve", "serving_default"), m.signatureKeys());
        assertEquals("keras_tensor", m.input().key());
        assertEquals("serving_default_keras_tensor:0", m.input().tensor());
        assertEquals("output_0", m.output().key());
        assertEquals("StatefulPartitionedCall_1:0", m.output().tensor());
        assertEquals(GAP.classes(), m.classes());
        assertTrue(m.serving().isInlined());
        assertEquals(TensorName.parse("StatefulPartitionedCall_1:0"), m.serving().signatureOutput());
        assertTrue(m.serving().output().node().startsWith(FunctionInliner.PREFIX + "StatefulPartitionedCall_1/"),
                m.serving().output().toString());
        for (String node : m.serving().path()) {
            assertFalse(m.serving().view().node(node).getOp().endsWith("PartitionedCall"), node);
        }
        double[] x = Runs.random(m, 3, 17, 0, 1);
        List<double[]> r = Runs.run(m, x, 3, null, -1, m.serving().output().toString(),
                m.serving().signatureOutput().toString());
        double err = Tf.maxAbsDiff(r.get(0), r.get(1));
        assertTrue(err <= 1e-5, "inlined output differs from the signature's by " + err);
        assertTrue(Tf.maxAbs(r.get(0)) > 0);
    }

    /** VGG and GAP have conv biases: the default is followed through convolution → AddV2 → Relu. */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"GAP", "VGG"})
    void defaultLayerIsTheLastConvActivationThroughTheAddBias(Architecture arch) {
        Built b = models.get(BuiltModels.small(arch, SaveStyle.KERAS3_EXPORT));
        LayerCatalog catalog = b.loaded().catalog();
        Layer d = catalog.defaultLayer();
        assertNotNull(d, catalog.reason());
        assertTrue(d.tensorName().node().endsWith("/functional_1/conv2d_2/Relu"), d + " / " + catalog.reason());
        assertEquals("Relu", d.op());
        assertEquals("conv2d_2", d.layer());
        assertEquals("functional_1/conv2d_2/Relu", d.name());
        assertTrue(catalog.reason().contains("AddV2 → Relu"), catalog.reason());
        assertTrue(catalog.reason().contains("Conv2D"), catalog.reason());
        long[] s = b.model().lastConvShape();
        assertEquals(s[0], d.height());
        assertEquals(s[1], d.width());
        assertEquals(s[2], d.channels());
        assertEquals(d, catalog.find("conv2d_2"));
        LayerCatalogTest.assertOnlyPathTensors(b.loaded());
    }

    /** Every method gives a finite map; on GAP + dense, Z·Grad-CAM = CAM = ReLU(Σ_k W[k,c]·A^k). */
    @Test
    void explainsWithEveryMethodAndGradCamEqualsCam() {
        Built b = models.get(GAP);
        LoadedModel m = b.loaded();
        Explainer explainer = new Explainer(m);
        InputImage image = randomImage(16, 16, 3, 4);
        double[] a = Cam.defaultLayerActivations(m, image);
        double[][] w = b.model().denseWeightsAsDouble();
        int nonEmpty = 0;
        for (int c = 0; c < m.classes(); c++) {
            Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(Integer.toString(c)))
                    .withMethods(EnumSet.allOf(Method.class))).get(0);
            assertEquals(c, e.target().index());
            assertEquals(EnumSet.allOf(Method.class), e.maps().keySet());
            for (Map.Entry<Method, MapImage> me : e.maps().entrySet()) {
                assertEquals(16, me.getValue().width(), me.getKey().id());
                for (float v : me.getValue().data()) {
                    assertTrue(Float.isFinite(v), me.getKey().id());
                }
            }
            assertTrue(Tf.maxAbs(doubles(e.maps().get(Method.GRADIENT).data())) > 0, "zero gradient");
            double[] cam = Cam.of(a, w, c);
            double camMax = Tf.maxAbs(cam);
            if (camMax == 0) {
                continue;
            }
            nonEmpty++;
            Cam.assertGradCamIsCamOverZ(e, cam, "keras3 class " + c);
        }
        assertTrue(nonEmpty > 0, "every CAM is empty");
    }

    /** The per-op reverse pass with guided=false equals TF's gradient; with guided=true it differs. */
    @Test
    void unguidedPassEqualsGradient() {
        LoadedModel m = models.get(GAP).loaded();
        GuidedReversePassTest.compare(m, Runs.random(m, 2, 9, 0, 1), 2, GAP.name());
    }

    /** {@code --signature serve}: the other top-level call, the same predictions and the same default layer. */
    @Test
    void serveSignatureGivesTheSamePredictions() {
        Built b = models.get(GAP);
        LoadedModel byDefault = b.loaded();
        try (LoadedModel serve = ModelLoader.load(b.model().dir(), ModelOptions.defaults().withSignature("serve"))) {
            assertEquals("serve", serve.signature().key());
            assertEquals("serve_keras_tensor:0", serve.input().tensor());
            assertEquals("StatefulPartitionedCall:0", serve.output().tensor());
            assertTrue(serve.serving().isInlined());
            double[] x = Runs.random(serve, 3, 23, 0, 1);
            double[] a = Runs.run(serve, x, 3, null, -1, serve.serving().output().toString(),
                    serve.serving().signatureOutput().toString()).stream().reduce(Keras3ExportTest::concat).get();
            double[] d = Runs.run(byDefault, x, 3, null, -1, byDefault.serving().output().toString(),
                    byDefault.serving().signatureOutput().toString()).stream().reduce(Keras3ExportTest::concat).get();
            assertTrue(Tf.maxAbsDiff(a, d) <= 1e-6, "serve vs serving_default: " + Tf.maxAbsDiff(a, d));
            assertEquals(byDefault.catalog().defaultLayer().layer(), serve.catalog().defaultLayer().layer());
            assertTrue(serve.catalog().defaultLayer().tensorName().node()
                    .startsWith(FunctionInliner.PREFIX + "StatefulPartitionedCall/"));
        }
    }

    /** TF's loader does not validate fingerprint.pb: a damaged or missing one loads the same. */
    @Test
    void fingerprintIsNotValidated() throws Exception {
        Path damaged = tmp.resolve("keras3-damaged-fingerprint");
        TestModel m = TestModels.build(GAP, damaged);
        Files.write(damaged.resolve("fingerprint.pb"), new byte[] {(byte) 0xff, 0x13, 0x37});
        try (LoadedModel loaded = ModelLoader.load(damaged)) {
            assertEquals("StatefulPartitionedCall_1:0", loaded.output().tensor());
        }
        Files.delete(damaged.resolve("fingerprint.pb"));
        try (LoadedModel loaded = ModelLoader.load(m.dir())) {
            assertEquals("serving_default", loaded.signature().key());
        }
    }

    private static double[] concat(double[] a, double[] b) {
        double[] r = new double[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static InputImage randomImage(int w, int h, int c, long seed) {
        Random r = new Random(seed);
        float[] d = new float[w * h * c];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(256);
        }
        return new InputImage(w, h, c, d, PixelKind.UINT8);
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
