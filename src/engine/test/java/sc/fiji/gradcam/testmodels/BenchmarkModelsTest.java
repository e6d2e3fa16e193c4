package sc.fiji.gradcam.testmodels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;

/** The benchmark's full-depth models, built small (64×64, narrow) so the test stays quick. */
class BenchmarkModelsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(BenchmarkModels.Kind.class)
    void fullDepthModelsLoadAndExplain(BenchmarkModels.Kind kind) throws Exception {
        TestModel m = BenchmarkModels.build(kind, 0.125, 64, 4, SaveStyle.FUNCTION_CALL, 3, tmp.resolve(kind.id()));

        // the real networks' op counts
        SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(m.dir().resolve("saved_model.pb")));
        FunctionDef body = sm.getMetaGraphs(0).getGraphDef().getLibrary().getFunctionList().stream()
                .filter(f -> f.getSignature().getName().equals(m.lastConvFunction())).findFirst().orElseThrow();
        List<NodeDef> nodes = body.getNodeDefList();
        long conv = nodes.stream().filter(n -> n.getOp().equals("Conv2D")).count();
        long depthwise = nodes.stream().filter(n -> n.getOp().equals("DepthwiseConv2dNative")).count();
        long adds = nodes.stream().filter(n -> n.getOp().equals("AddV2")).count();
        switch (kind) {
            case VGG16 -> assertEquals(13, conv);
            case RESNET50 -> {
                assertEquals(53, conv);
                assertEquals(16, adds);
            }
            case MOBILENETV2 -> {
                assertEquals(17, depthwise);
                assertEquals(10, adds);
            }
            default -> throw new AssertionError(kind);
        }
        long[] expected = switch (kind) {
            case VGG16 -> new long[] {4, 4, 64};
            case RESNET50 -> new long[] {2, 2, 256};
            case MOBILENETV2 -> new long[] {2, 2, 1280};
        };
        assertArrayEquals(expected, m.lastConvShape());

        Random r = new Random(1);
        float[] px = new float[64 * 64 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256);
        }
        try (LoadedModel model = ModelLoader.load(m.dir())) {
            Explainer explainer = new Explainer(model);
            Explanation e = explainer.explain(new InputImage(64, 64, 3, px, PixelKind.UINT8),
                    ExplainRequest.defaults().withMethods(Method.parseList("gradcam,guided-gradcam"))).get(0);
            assertTrue(e.layer().tensor().endsWith(m.lastConvNodeName() + ":0"),
                    "auto layer " + e.layer() + ", expected " + m.lastConvNodeName());
            assertEquals(expected[0], e.gradcamRaw().height());
            assertEquals(expected[1], e.gradcamRaw().width());
            double sum = e.top5().stream().mapToDouble(Prediction::probability).sum();
            assertEquals(1.0, sum, 1e-4, "softmax over 4 classes");
            for (float v : e.maps().get(Method.GUIDED_GRADCAM).data()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }
}
