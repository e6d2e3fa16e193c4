package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.PreprocessingOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.model.InputLayout;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * Channels-first models ([N, C, H, W] input; onnx-tf-like NCHW feature maps): the layout is found, images go in
 * transposed, and every method gives what the NHWC twin (the same weights) gives; a layout nothing shows is set in
 * {@code gradcam.properties} or as an option.
 */
class ChannelsFirstTest extends WithBuiltModels {

    static Stream<TestModelSpec> channelsFirst() {
        return Stream.of(ModelDType.values()).flatMap(d -> BuiltModels.channelsFirst(d).stream());
    }

    @ParameterizedTest
    @MethodSource("channelsFirst")
    void theInputLayoutIsReadFromTheGraph(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        InputLayout l = m.inputLayout();
        assertEquals(DataLayout.NCHW, l.layout(), l.describe());
        assertEquals(InputLayout.DETECTED, l.source());
        assertTrue(l.reason().contains("(Transpose)") && l.reason().contains("[0, 2, 3, 1]"), l.reason());
        assertArrayEquals(new long[] {-1, 3, 16, 16}, m.input().shape());
        assertArrayEquals(new long[] {-1, 16, 16, 3}, m.imageShape());
        Preprocessing p = PreprocessingOptions.none().resolve(m);
        assertEquals(List.of(16, 16, 3), List.of(p.width(), p.height(), p.channels()));
        LoadedModel twin = models.get(spec.withLayout(Layout.NHWC)).loaded();
        assertEquals(DataLayout.NHWC, twin.inputLayout().layout(), twin.inputLayout().describe());
    }

    /**
     * Images of other sizes (stretched) and a gray one, two targets, every method (the CAM variants too): predictions
     * equal within 1e-5, every map and raw map within 1e-5 of its maximum (1e-9 for float64) of the NHWC twin's.
     */
    @ParameterizedTest
    @MethodSource("channelsFirst")
    void everyMethodGivesTheMapsOfTheNhwcTwin(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        LoadedModel twin = models.get(spec.withLayout(Layout.NHWC)).loaded();
        List<InputImage> images = List.of(ExplainerTest.randomImage(24, 20, 3, 1), ExplainerTest.randomImage(16, 16, 3,
                2), ExplainerTest.randomImage(12, 18, 1, 3));
        ExplainRequest request = ExplainRequest.defaults().withTargets(List.of("auto", "1"))
                .withMethods(EnumSet.allOf(Method.class));
        List<List<Explanation>> mine = new Explainer(m).explain(images, request);
        List<List<Explanation>> theirs = new Explainer(twin).explain(images, request);
        double tol = spec.dtype() == ModelDType.FLOAT64 ? 1e-9 : 1e-5;
        int nonEmpty = 0;
        int nonEmptyVariants = 0;
        for (int i = 0; i < images.size(); i++) {
            for (int t = 0; t < 2; t++) {
                Explanation a = mine.get(i).get(t);
                Explanation b = theirs.get(i).get(t);
                String what = spec.name() + " image " + i + " target " + t;
                assertEquals(b.predicted().index(), a.predicted().index(), what);
                assertEquals(b.target().index(), a.target().index(), what);
                for (int k = 0; k < b.top5().size(); k++) {
                    assertEquals(b.top5().get(k).index(), a.top5().get(k).index(), what);
                    assertEquals(b.top5().get(k).probability(), a.top5().get(k).probability(), 1e-5, what);
                }
                assertEquals(b.layer().name(), a.layer().name(), what);
                assertEquals(List.of(b.layer().height(), b.layer().width(), b.layer().channels()),
                        List.of(a.layer().height(), a.layer().width(), a.layer().channels()), what);
                assertClose(b.gradcamRaw(), a.gradcamRaw(), tol, what + " raw Grad-CAM");
                assertEquals(b.maps().keySet(), a.maps().keySet(), what);
                assertTrue(a.maps().keySet().containsAll(CamVariantsTest.VARIANTS), what + ": " + a.maps().keySet());
                for (Method method : b.maps().keySet()) {
                    // Occlusion's values are differences of two scores of order 1: float rounding of the scores
                    // (≈ 1e-7) is their floor, whatever the map's maximum
                    assertClose(b.maps().get(method), a.maps().get(method), tol, method == Method.OCCLUSION ? 1e-6 : 0,
                            what + " " + method);
                }
                assertEquals(b.rawMaps().keySet(), a.rawMaps().keySet(), what);
                for (Method method : b.rawMaps().keySet()) {
                    assertClose(b.rawMaps().get(method), a.rawMaps().get(method), tol, what + " raw " + method);
                }
                nonEmpty += a.rawMax() > 0 ? 1 : 0;
                for (Method method : CamVariantsTest.VARIANTS) {
                    nonEmptyVariants += a.rawMaps().get(method).max() > 0 ? 1 : 0;
                }
            }
        }
        assertTrue(nonEmpty > 0, spec.name() + ": every Grad-CAM map is empty, nothing was compared");
        assertTrue(nonEmptyVariants > 0, spec.name() + ": every CAM variant's map is empty, nothing was compared");
    }

    private static void assertClose(MapImage expected, MapImage actual, double tol, String what) {
        assertClose(expected, actual, tol, 0, what);
    }

    private static void assertClose(MapImage expected, MapImage actual, double tol, double floor, String what) {
        assertEquals(List.of(expected.width(), expected.height(), expected.channels()),
                List.of(actual.width(), actual.height(), actual.channels()), what);
        double[] e = doubles(expected.data());
        double[] a = doubles(actual.data());
        double diff = Tf.maxAbsDiff(e, a);
        assertTrue(diff <= tol * Tf.maxAbs(e) + floor + 1e-30, what + ": differs by " + diff + " (max " + Tf.maxAbs(e) + ")");
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * A model whose graph and shape say nothing about its layout: input [N, 3, 8, 3] (three channels at both ends),
     * logits = (mean of each channel over H, W) · W. Read as NHWC by default; {@code layout=nchw} in
     * gradcam.properties makes it NCHW, and an option wins over the properties. Then a solid red image has the
     * logits of W's first row, and d logit_t / d x is W[c][t] / (8·3) on all of channel c.
     */
    @Test
    void aLayoutNothingShowsIsSetInThePropertiesOrAsAnOption() throws Exception {
        float[][] w = {{2, -1, 0}, {0, 1, -1}, {-1, 0, 3}};
        Path dir = TinyModels.write(tmp.resolve("channel-means"), new long[] {-1, 3, 8, 3}, new long[] {-1, 3},
                (Ops tf, Operand<TFloat32> x) -> tf.linalg.matMul(tf.math.mean(x, tf.constant(new int[] {2, 3})),
                        tf.constant(w)));
        try (LoadedModel m = ModelLoader.load(dir)) {
            assertEquals(DataLayout.NHWC, m.inputLayout().layout());
            assertEquals(InputLayout.DEFAULT, m.inputLayout().source(), m.inputLayout().describe());
        }
        Files.writeString(dir.resolve(ModelLoader.PROPERTIES), "layout=nchw\n");
        float[] red = new float[6 * 16 * 3];
        java.util.Arrays.fill(red, 0, 6 * 16, 255f);
        InputImage image = new InputImage(6, 16, 3, red, PixelKind.UINT8);
        try (LoadedModel m = ModelLoader.load(dir)) {
            assertEquals(DataLayout.NCHW, m.inputLayout().layout());
            assertEquals(InputLayout.PROPERTIES, m.inputLayout().source());
            assertArrayEquals(new long[] {-1, 8, 3, 3}, m.imageShape());
            Explanation e = new Explainer(m).explain(image, ExplainRequest.defaults()
                    .withMethods(EnumSet.of(Method.GRADIENT))).get(0);
            double[] p = softmax(w[0]);
            int best = 0;
            for (int c = 0; c < 3; c++) {
                best = p[c] > p[best] ? c : best;
            }
            assertEquals(best, e.predicted().index());
            for (Prediction q : e.top5()) {
                assertEquals(p[q.index()], q.probability(), 1e-6, "class " + q.index());
            }
            MapImage g = e.maps().get(Method.GRADIENT);
            assertEquals(List.of(6, 16, 3), List.of(g.width(), g.height(), g.channels()));
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 6; x++) {
                        assertEquals(w[c][best] / 24.0, g.get(x, y, c), 1e-6, "channel " + c + " at " + x + "," + y);
                    }
                }
            }
        }
        try (LoadedModel m = ModelLoader.load(dir, ModelOptions.defaults().withLayout("NHWC"))) {
            assertEquals(DataLayout.NHWC, m.inputLayout().layout());
            assertEquals(InputLayout.OPTION, m.inputLayout().source());
        }
        ModelException e = assertThrows(ModelException.class,
                () -> ModelLoader.load(dir, ModelOptions.defaults().withLayout("sideways")));
        assertTrue(e.getMessage().contains("sideways") && e.getMessage().contains("nchw"), e.getMessage());
        Files.writeString(dir.resolve(ModelLoader.PROPERTIES), "layout=planar\n");
        e = assertThrows(ModelException.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().contains("layout=planar") && e.getMessage().contains("gradcam.properties"),
                e.getMessage());
    }

    /**
     * A uint8 [N, 3, 16, 16] input cast to float, transposed to NHWC, then z = mean(ReLU(red)) - mean(ReLU(green)):
     * the input gradient (taken at the cast, [N, C, H, W]) comes back as +1/256 on red, -1/256 on green, 0 on blue.
     */
    @Test
    void aUint8ChannelsFirstInputGivesItsGradientPerChannel() {
        Path dir = TinyModels.writeUint8(tmp.resolve("uint8-nchw"), new long[] {-1, 3, 16, 16}, new long[] {-1, 1},
                (Ops tf, Operand<TFloat32> x) -> {
                    Operand<TFloat32> nhwc = tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
                    float[][][][] k = {{{{1, 0}, {0, 1}, {0, 0}}}};
                    Operand<TFloat32> a = tf.nn.relu(tf.nn.conv2d(nhwc, tf.constant(k), List.of(1L, 1L, 1L, 1L),
                            "SAME"));
                    return tf.linalg.matMul(tf.math.mean(a, tf.constant(new int[] {1, 2})),
                            tf.constant(new float[][] {{1}, {-1}}));
                });
        float[] d = new float[16 * 16 * 3];
        java.util.Arrays.fill(d, 0, 256, 200f);
        java.util.Arrays.fill(d, 256, 512, 40f);
        try (LoadedModel m = ModelLoader.load(dir)) {
            assertEquals(DataLayout.NCHW, m.inputLayout().layout(), m.inputLayout().describe());
            Explanation e = new Explainer(m).explain(new InputImage(16, 16, 3, d, PixelKind.UINT8),
                    ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADIENT, Method.GRADCAM))).get(0);
            assertEquals(1, e.predicted().index());
            MapImage g = e.maps().get(Method.GRADIENT);
            double[] expected = {1 / 256.0, -1 / 256.0, 0};
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        assertEquals(expected[c], g.get(x, y, c), 1e-9, "channel " + c + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    private static double[] softmax(float[] z) {
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i]);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
