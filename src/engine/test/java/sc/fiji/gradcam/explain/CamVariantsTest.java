package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, EigenCAM and EigenGrad-CAM: their ids, their formulas on arrays in either
 * layout, the explainer's raw maps against the formulas applied to the activations and gradients fetched from the
 * graph, one run and one gradient graph with Grad-CAM, and empty maps. (Known answers on GAP models: {@link ExplainerTest}; channels-first twins:
 * {@link ChannelsFirstTest}; the Eigen maps' projection: {@link PrincipalProjectionTest}.)
 */
class CamVariantsTest extends WithBuiltModels {

    static final Set<Method> VARIANTS = EnumSet.of(Method.GRADCAM_PLUSPLUS, Method.XGRADCAM, Method.LAYERCAM,
            Method.HIRESCAM, Method.EIGENCAM, Method.EIGENGRADCAM);

    @Test
    void idsTitlesAliasesAndAll() {
        assertEquals(List.of("gradcam-plusplus", "xgradcam", "layercam", "hirescam", "eigencam", "eigengradcam"),
                VARIANTS.stream().map(Method::id).toList());
        assertEquals(List.of("Grad-CAM++", "XGrad-CAM", "LayerCAM", "HiResCAM", "EigenCAM", "EigenGrad-CAM"),
                VARIANTS.stream().map(Method::title).toList());
        for (Method m : VARIANTS) {
            assertEquals(m, Method.parse(m.id()));
            assertEquals(m, Method.parse(m.title()));
            assertEquals(m, Method.parse(m.id().toUpperCase().replace('-', '_')));
            assertTrue(m.usesLayer() && m.camLike() && m.isCamVariant(), m.id());
        }
        assertEquals(Method.GRADCAM_PLUSPLUS, Method.parse("GradCAMPlusPlus"));
        assertEquals(Method.GRADCAM_PLUSPLUS, Method.parse("gradcam++"));
        assertEquals(Method.XGRADCAM, Method.parse("XGradCAM"));
        assertEquals(Method.LAYERCAM, Method.parse("LayerCAM"));
        for (String s : List.of("HiResCAM", "hires-cam")) {
            assertEquals(Method.HIRESCAM, Method.parse(s), s);
        }
        for (String s : List.of("EigenCAM", "eigen-cam", "Eigen CAM")) {
            assertEquals(Method.EIGENCAM, Method.parse(s), s);
        }
        for (String s : List.of("EigenGradCAM", "eigen-gradcam", "Eigen_Grad-CAM")) {
            assertEquals(Method.EIGENGRADCAM, Method.parse(s), s);
        }
        Set<Method> others = EnumSet.complementOf(EnumSet.copyOf(VARIANTS));
        others.removeAll(PerturbationCamsTest.PERTURBATION);
        for (Method m : others) {
            assertFalse(m.isCamVariant(), m.id());
        }
        assertTrue(Method.parseList("all").containsAll(VARIANTS));
        // the five of Selvaraju et al., the six variants from activations and gradients, Score-CAM and Ablation-CAM
        assertEquals(21, Method.parseList("all").size());
        assertEquals(EnumSet.allOf(Method.class), Method.parseList("gradcam, all"));
        assertEquals(EnumSet.of(Method.GRADCAM, Method.LAYERCAM), Method.parseList("gradcam,layercam"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Method.parse("gradcam+++"));
        for (Method m : Method.values()) {
            assertTrue(e.getMessage().contains(m.id()), e.getMessage());
        }
    }

    /**
     * Random activations and gradients of a batch of n [h, w, k] feature maps: each variant of the last image is its
     * formula written out ({@link Cam#variant}), and the same when the arrays are channels first.
     */
    @ParameterizedTest
    @CsvSource({"2, 3, 5, 4", "3, 7, 2, 9", "2, 1, 1, 1"})
    void formulasInEitherLayout(int n, int h, int w, int k) {
        Random r = new Random(11);
        float[] a = new float[n * h * w * k];
        float[] g = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            // mostly non-negative activations with some exact zeros, as after a ReLU, and some negative ones
            a[i] = (float) Math.max(-0.2, r.nextGaussian());
            g[i] = (float) (r.nextGaussian() * 0.1);
        }
        int per = h * w * k;
        int last = n - 1;
        double[] a1 = new double[per];
        double[] g1 = new double[per];
        for (int i = 0; i < per; i++) {
            a1[i] = a[last * per + i];
            g1[i] = g[last * per + i];
        }
        float[] aFirst = DataLayout.NCHW.fromNhwc(a, n, h, w, k);
        float[] gFirst = DataLayout.NCHW.fromNhwc(g, n, h, w, k);
        for (Method m : VARIANTS) {
            float[] channelsLast = CamVariants.compute(m, a, g, last, h, w, k, DataLayout.NHWC);
            float[] channelsFirst = CamVariants.compute(m, aFirst, gFirst, last, h, w, k, DataLayout.NCHW);
            assertArrayEquals(channelsLast, channelsFirst, m.id() + ": NCHW vs NHWC");
            double[] expected = Cam.variant(m, a1, g1, k);
            if (Tf.maxAbs(expected) > 0) {
                Cam.assertRawMap(expected, new MapImage(w, h, 1, channelsLast), 1, 1e-6, m.id());
            } else {
                assertArrayEquals(new float[h * w], channelsLast, m.id() + ": expected an empty map");
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> CamVariants.compute(Method.GRADCAM, a, g, 0, h, w, k, DataLayout.NHWC));
    }

    /**
     * Grad-CAM++ as pytorch-grad-cam computes it, alpha = G² / (2G² + ΣA·G³ + 1e-6), 0 where G is 0: channel 0 has
     * A = (1, 2), ΣA = 3, G = (1, 0): alpha = (1/(5 + eps), 0), weight 1/(5 + eps); channel 1 has A = (1, 3), ΣA = 4,
     * G = 1/2 twice: alpha = (1/4) / (1/2 + 1/2 + eps), weight 2 · alpha · 1/2. The map is w0·A0 + w1·A1. All-zero
     * gradients give zero weights without a 0/0.
     */
    @Test
    void gradCamPlusPlusFollowsPytorchGradCamsClosedForm() {
        float[] a = {1, 1, 2, 3};
        float[] g = {1, 0.5f, 0, 0.5f};
        double eps = CamVariants.GRADCAM_PLUSPLUS_EPS;
        double w0 = 1 / (5 + eps);
        double w1 = 2 * (0.25 / (1 + eps)) * 0.5;
        double[] weights = CamVariants.gradCamPlusPlusWeights(a, g, 0, 2, 2, DataLayout.NHWC);
        assertArrayEquals(new double[] {w0, w1}, weights, 1e-12);
        assertArrayEquals(new float[] {(float) (w0 + w1), (float) (2 * w0 + 3 * w1)},
                CamVariants.compute(Method.GRADCAM_PLUSPLUS, a, g, 0, 1, 2, 2, DataLayout.NHWC), 1e-6f);
        assertArrayEquals(new double[] {0, 0}, CamVariants.gradCamPlusPlusWeights(a, new float[4], 0, 2, 2,
                DataLayout.NHWC));
    }

    /** A VGG-like (flatten head: gradients differ per position) and a residual test model, float32 and float64. */
    static Stream<TestModelSpec> deepModels() {
        return Stream.of(Architecture.VGG, Architecture.RESIDUAL).flatMap(arch -> Stream.of(ModelDType.values())
                .map(d -> BuiltModels.small(arch, SaveStyle.FUNCTION_CALL).withDtype(d)));
    }

    /**
     * For every class: the activations A and gradients G = d logit_c / dA of the default layer, fetched from the graph
     * with a gradient of its own and the class fed one-hot, give through each variant's formula the explainer's raw map;
     * the normalised maps are image-size and within [0, 1].
     */
    @ParameterizedTest
    @MethodSource("deepModels")
    void eachVariantIsItsFormulaOfTheLayersActivationsAndGradients(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        Layer layer = m.catalog().defaultLayer();
        InputImage image = ExplainerTest.randomImage(20, 18, 3, 7);
        List<Cam.LayerValues> perClass = Cam.defaultLayerValuesPerClass(m, image);
        Explainer explainer = new Explainer(m);
        Map<Method, Integer> nonEmpty = new EnumMap<>(Method.class);
        float[] eigenCam = null;
        for (int c = 0; c < m.classes(); c++) {
            double[] a = perClass.get(c).a();
            double[] g = perClass.get(c).g();
            int k = perClass.get(c).channels();
            Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withMethods(VARIANTS)).get(0);
            assertEquals(c, e.target().index());
            assertEquals(VARIANTS, e.rawMaps().keySet());
            // EigenCAM uses no gradient: the same map for every class
            float[] eigen = e.rawMaps().get(Method.EIGENCAM).data();
            assertArrayEquals(eigenCam == null ? eigen : eigenCam, eigen, spec.name() + " class " + c + " EigenCAM");
            eigenCam = eigen;
            for (Method method : VARIANTS) {
                String what = spec.name() + " class " + c + " " + method.title();
                MapImage raw = e.rawMaps().get(method);
                assertEquals(List.of((int) layer.width(), (int) layer.height()), List.of(raw.width(), raw.height()), what);
                double[] expected = Cam.variant(method, a, g, k);
                if (Tf.maxAbs(expected) > 0) {
                    Cam.assertRawMap(expected, raw, 1, 1e-5, what);
                    nonEmpty.merge(method, 1, Integer::sum);
                } else {
                    assertEquals(0, raw.max(), what + ": expected an empty map");
                }
                MapImage map = e.maps().get(method);
                assertEquals(List.of(20, 18, 1), List.of(map.width(), map.height(), map.channels()), what);
                for (float v : map.data()) {
                    assertTrue(v >= 0 && v <= 1, what + ": " + v + " outside [0, 1]");
                }
            }
        }
        assertEquals(VARIANTS, nonEmpty.keySet(), spec.name() + ": some variant's map was empty for every class, "
                + "compared " + nonEmpty);
    }

    /**
     * With Grad-CAM asked for as well, the variants come from the same session run and gradient graph: once Grad-CAM
     * has built its graph, asking for the variants too adds no op to the model's graph, and the variants' maps and
     * Grad-CAM's outputs are the same as when each is asked for alone.
     */
    @Test
    void variantsShareGradCamsRunAndGraph() {
        LoadedModel m = models.get(BuiltModels.small(Architecture.VGG, SaveStyle.TF1_GRAPH)).loaded();
        Explainer explainer = new Explainer(m);
        InputImage image = ExplainerTest.randomImage(16, 16, 3, 5);
        Explanation gradcam = explainer.explain(image, ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM)))
                .get(0);
        int ops = opCount(m.serving().graph());
        Set<Method> layerMethods = EnumSet.copyOf(VARIANTS);
        layerMethods.add(Method.GRADCAM);
        Explanation together = explainer.explain(image, ExplainRequest.defaults().withMethods(layerMethods)).get(0);
        assertEquals(ops, opCount(m.serving().graph()), "the variants built graph ops of their own");
        assertArrayEquals(gradcam.gradcamRaw().data(), together.gradcamRaw().data());
        assertArrayEquals(gradcam.maps().get(Method.GRADCAM).data(), together.maps().get(Method.GRADCAM).data());
        assertEquals(gradcam.rawMax(), together.rawMax());
        assertEquals(gradcam.note(), together.note());
        for (Method v : VARIANTS) {
            Explanation alone = explainer.explain(image, ExplainRequest.defaults().withMethods(EnumSet.of(v))).get(0);
            assertEquals(Set.of(v), alone.maps().keySet());
            assertArrayEquals(alone.rawMaps().get(v).data(), together.rawMaps().get(v).data(), v.id());
            assertArrayEquals(alone.maps().get(v).data(), together.maps().get(v).data(), v.id());
            assertTrue(together.timingsMs().containsKey(v.id()), v.id());
        }
    }

    /**
     * A black image on a model whose layer is ReLU(1×1 conv picking red and green): every activation is 0, so every
     * map is empty (zero at image size, not NaN) and the note names Grad-CAM and each variant asked for (EigenCAM's
     * says the activations are the same everywhere, not a class). A red square lights every map on the square, not in
     * the far corner (the Eigen maps' sign rule: a wrongly signed projection would light the background instead).
     */
    @Test
    void emptyVariantMapsAreZeroAndNamedInTheNote() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("red-green"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    float[][][][] kernel = {{{{1, 0}, {0, 1}, {0, 0}}}};
                    Operand<TFloat32> a = tf.nn.relu(tf.nn.conv2d(x, tf.constant(kernel), List.of(1L, 1L, 1L, 1L),
                            "SAME"));
                    return tf.linalg.matMul(tf.math.mean(a, tf.constant(new int[] {1, 2})),
                            tf.constant(new float[][] {{1, -1}, {-1, 1}}));
                });
        try (LoadedModel m = ModelLoader.load(dir)) {
            InputImage black = new InputImage(12, 10, 3, new float[12 * 10 * 3], PixelKind.UINT8);
            Explanation e = new Explainer(m).explain(black, ExplainRequest.defaults().withMethods(VARIANTS)).get(0);
            assertNotNull(e.note());
            assertTrue(e.note().contains("Grad-CAM map is zero everywhere"), e.note());
            assertTrue(e.note().contains("The EigenCAM map is zero everywhere: every activation of layer"), e.note());
            for (Method v : VARIANTS) {
                assertTrue(e.note().contains("The " + v.title() + " map is zero everywhere"), e.note());
                MapImage map = e.maps().get(v);
                assertEquals(List.of(12, 10), List.of(map.width(), map.height()));
                for (float f : map.data()) {
                    assertEquals(0f, f, v.id());
                }
            }
            InputImage red = new InputImage(12, 10, 3, redSquare(12, 10), PixelKind.UINT8);
            Explanation lit = new Explainer(m).explain(red, ExplainRequest.defaults().withMethods(VARIANTS)
                    .withTargets(List.of("0"))).get(0);
            assertNull(lit.note(), lit.note());
            for (Method v : VARIANTS) {
                MapImage map = lit.maps().get(v);
                assertEquals(1f, map.max(), 1e-6, v.id());
                assertTrue(map.get(5, 3, 0) > 0.5f, v.id() + " at the square: " + map.get(5, 3, 0));
                assertEquals(0f, map.get(11, 9, 0), v.id() + " in the far corner");
            }
        }
    }

    private static float[] redSquare(int w, int h) {
        float[] d = new float[w * h * 3];
        for (int y = 2; y < 6; y++) {
            for (int x = 3; x < 8; x++) {
                d[y * w + x] = 255;
            }
        }
        return d;
    }

    private static int opCount(Graph g) {
        int n = 0;
        for (Iterator<?> it = g.operations(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }
}
