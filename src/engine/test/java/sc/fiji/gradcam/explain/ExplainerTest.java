package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/** The engine end to end: Grad-CAM equals CAM on a GAP model, class discrimination, and user errors. */
class ExplainerTest {

    @TempDir
    static Path tmp;
    static BuiltModels models;
    static LoadedModel twoObjects;

    @BeforeAll
    static void build() throws Exception {
        models = new BuiltModels(tmp);
        // RGB 32×32 → 1×1 conv picking red and green → ReLU → GAP → [[1,-1],[-1,1]]: class "red" is red evidence
        // minus green evidence, class "green" the reverse
        Path dir = TinyModels.write(tmp.resolve("two-objects"), new long[] {-1, 32, 32, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    float[][][][] k = {{{{1, 0}, {0, 1}, {0, 0}}}};
                    Operand<TFloat32> conv = tf.nn.conv2d(x, tf.constant(k), List.of(1L, 1L, 1L, 1L), "SAME");
                    Operand<TFloat32> a = tf.withName("features").nn.relu(conv);
                    Operand<TFloat32> gap = tf.math.mean(a, tf.constant(new int[] {1, 2}));
                    return tf.linalg.matMul(gap, tf.constant(new float[][] {{1, -1}, {-1, 1}}));
                });
        Files.writeString(dir.resolve("labels.txt"), "red\ngreen\n");
        twoObjects = ModelLoader.load(dir);
    }

    @AfterAll
    static void close() {
        models.close();
        twoObjects.close();
    }

    /** GAP models of every style and type, and the channels-first ones (NCHW input; onnx-tf's NCHW feature maps). */
    static Stream<TestModelSpec> gapModels() {
        Stream<TestModelSpec> nhwc = Stream.of(SaveStyle.values()).flatMap(s -> Stream.of(ModelDType.values())
                .map(d -> BuiltModels.small(Architecture.GAP, s).withDtype(d).withSoftmax(true)));
        Stream<TestModelSpec> nchw = Stream.of(ModelDType.values()).flatMap(d -> BuiltModels.channelsFirst(d).stream())
                .filter(s -> s.architecture() == Architecture.GAP);
        return Stream.concat(nhwc, nchw);
    }

    /**
     * On GAP + dense, dy_c/dA^k_ij = W[k,c]/Z, so alpha_k = W[k,c]/Z and Grad-CAM = ReLU(Σ W[k,c] A^k) / Z = CAM/Z
     * (the activations read in NHWC order, whatever the layer's layout). The CAM variants follow too, G^k_ij being
     * W[k,c]/Z everywhere: XGrad-CAM's weights are W[k,c]/Z·ΣA/(ΣA+eps), so XGrad-CAM·Z = CAM; LayerCAM·Z = ReLU(Σ_k
     * ReLU(W[k,c]) A^k); Grad-CAM++ is its formula of A and W/Z; HiResCAM·Z = ReLU(Σ_k W[k,c] A^k) = CAM exactly;
     * EigenCAM and EigenGrad-CAM are the ReLU of the first-principal-axis projection of A and of (W[k,c]/Z)·A^k,
     * computed densely. Each normalised, upsampled map is the raw one divided by its maximum like Grad-CAM's, so
     * XGrad-CAM's and HiResCAM's equal Grad-CAM's.
     */
    @ParameterizedTest
    @MethodSource("gapModels")
    void gradCamAndItsVariantsFollowFromCamOnGapModels(TestModelSpec spec) {
        Built b = models.get(spec);
        LoadedModel m = b.loaded();
        Explainer explainer = new Explainer(m);
        InputImage image = randomImage(16, 16, 3, 4);
        double[] a = Cam.defaultLayerActivations(m, image);
        double[][] w = b.model().denseWeightsAsDouble();
        int k = w.length;
        int z = a.length / k;
        double[][] positiveW = new double[k][];
        for (int ch = 0; ch < k; ch++) {
            positiveW[ch] = java.util.Arrays.stream(w[ch]).map(v -> Math.max(0, v)).toArray();
        }
        int[] compared = new int[4];
        Set<Method> layerMethods = EnumSet.copyOf(CamVariantsTest.VARIANTS);
        layerMethods.add(Method.GRADCAM);
        for (int c = 0; c < m.classes(); c++) {
            Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(Integer.toString(c)))
                    .withMethods(layerMethods)).get(0);
            assertEquals(c, e.target().index());
            String what = spec.name() + " class " + c;
            double[] cam = Cam.of(a, w, c);
            if (Tf.maxAbs(cam) > 0) {
                Cam.assertGradCamIsCamOverZ(e, cam, what);
                Cam.assertRawMap(cam, e.rawMaps().get(Method.XGRADCAM), z, 1e-5, what + " XGrad-CAM·Z vs CAM");
                assertMapsClose(e.maps().get(Method.GRADCAM), e.maps().get(Method.XGRADCAM), what);
                Cam.assertRawMap(cam, e.rawMaps().get(Method.HIRESCAM), z, 1e-5, what + " HiResCAM·Z vs CAM");
                assertMapsClose(e.maps().get(Method.GRADCAM), e.maps().get(Method.HIRESCAM), what + " HiResCAM");
                compared[0]++;
            }
            double[] layerCam = Cam.of(a, positiveW, c);
            if (Tf.maxAbs(layerCam) > 0) {
                Cam.assertRawMap(layerCam, e.rawMaps().get(Method.LAYERCAM), z, 1e-5, what + " LayerCAM·Z");
                compared[1]++;
            }
            double[] g = new double[a.length];
            for (int p = 0; p < z; p++) {
                for (int ch = 0; ch < k; ch++) {
                    g[p * k + ch] = w[ch][c] / z;
                }
            }
            double[] plusPlus = Cam.variant(Method.GRADCAM_PLUSPLUS, a, g, k);
            if (Tf.maxAbs(plusPlus) > 0) {
                Cam.assertRawMap(plusPlus, e.rawMaps().get(Method.GRADCAM_PLUSPLUS), 1, 1e-5, what + " Grad-CAM++");
                compared[2]++;
            }
            for (Method eigen : List.of(Method.EIGENCAM, Method.EIGENGRADCAM)) {
                double[] expected = Cam.variant(eigen, a, g, k);
                if (Tf.maxAbs(expected) > 0) {
                    Cam.assertRawMap(expected, e.rawMaps().get(eigen), 1, 1e-5, what + " " + eigen.title());
                    compared[3]++;
                }
            }
        }
        assertTrue(compared[0] > 0 && compared[1] > 0 && compared[2] > 0 && compared[3] > 0, spec.name() + ": every "
                + "class's expected map was empty for some method (Grad-CAM, XGrad-CAM and HiResCAM; LayerCAM; "
                + "Grad-CAM++; the Eigen maps compared " + java.util.Arrays.toString(compared) + " times)");
    }

    /** Two normalised image-size maps agree within 1e-5 at every pixel. */
    private static void assertMapsClose(MapImage expected, MapImage actual, String what) {
        assertEquals(expected.data().length, actual.data().length, what);
        for (int j = 0; j < expected.data().length; j++) {
            assertEquals(expected.data()[j], actual.data()[j], 1e-5, what + " pixel " + j);
        }
    }

    @Test
    void eachClassMapHighlightsItsObject() {
        // 64×48 RGB image (stretched to 32×32): a red square on the left, a green one on the right
        int w = 64;
        int h = 48;
        float[] data = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x >= 4 && x < 20 && y >= 4 && y < 20) {
                    data[y * w + x] = 255;
                }
                if (x >= 40 && x < 60 && y >= 26 && y < 44) {
                    data[w * h + y * w + x] = 255;
                }
            }
        }
        InputImage image = new InputImage(w, h, 3, data, PixelKind.UINT8);
        Explainer explainer = new Explainer(twoObjects);
        List<Explanation> es = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of("red", "1"))
                .withMethods(EnumSet.of(Method.GRADCAM, Method.COUNTERFACTUAL, Method.GUIDED_GRADCAM)));
        assertEquals(2, es.size());
        Explanation red = es.get(0);
        Explanation green = es.get(1);
        assertEquals("red", red.target().label());
        assertEquals("green", green.target().label());
        assertEquals(w, red.maps().get(Method.GRADCAM).width());
        assertEquals(h, red.maps().get(Method.GRADCAM).height());
        double[] redIn = means(red.maps().get(Method.GRADCAM), w, h);
        double[] greenIn = means(green.maps().get(Method.GRADCAM), w, h);
        double[] cfRed = means(red.maps().get(Method.COUNTERFACTUAL), w, h);
        System.out.printf("two objects: red map %.3f/%.3f, green map %.3f/%.3f, red counterfactual %.3f/%.3f "
                + "(inside red/green square)%n", redIn[0], redIn[1], greenIn[0], greenIn[1], cfRed[0], cfRed[1]);
        assertTrue(redIn[0] > 0.8 && redIn[1] < 0.05, "red map");
        assertTrue(greenIn[1] > 0.8 && greenIn[0] < 0.05, "green map");
        assertTrue(cfRed[1] > 0.8 && cfRed[0] < 0.05, "counterfactual of red shows green");
        // Guided Grad-CAM of red is zero on the green square
        MapImage gg = red.maps().get(Method.GUIDED_GRADCAM);
        assertNotNull(gg);
        assertEquals(0, means(gg, w, h)[1], 1e-6);
    }

    /** Mean of channel 0 inside the red square's core and inside the green square's core. */
    private static double[] means(MapImage m, int w, int h) {
        return new double[] {mean(m, 7, 17, 7, 17), mean(m, 43, 57, 29, 41)};
    }

    private static double mean(MapImage m, int x0, int x1, int y0, int y1) {
        double s = 0;
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                s += m.get(x, y, 0);
                n++;
            }
        }
        return s / n;
    }

    @Test
    void unknownClassNameListsTheLabels() {
        Explainer explainer = new Explainer(twoObjects);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> explainer.explain(randomImage(32, 32, 3, 1), ExplainRequest.defaults().withTargets(List.of("blue"))));
        assertTrue(e.getMessage().contains("blue") && e.getMessage().contains("red") && e.getMessage().contains("green")
                && e.getMessage().contains("0..1"), e.getMessage());
    }

    @Test
    void outOfRangeIndexNamesTheRange() {
        Explainer explainer = new Explainer(twoObjects);
        for (String t : List.of("2", "-1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> explainer.explain(randomImage(32, 32, 3, 1), ExplainRequest.defaults().withTargets(List.of(t))));
            assertTrue(e.getMessage().contains(t) && e.getMessage().contains("0..1"), e.getMessage());
        }
    }

    @Test
    void unknownLayerListsTheLayers() {
        Explainer explainer = new Explainer(twoObjects);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> explainer.explain(randomImage(32, 32, 3, 1), ExplainRequest.defaults().withLayer("conv5")));
        assertTrue(e.getMessage().contains("conv5") && e.getMessage().contains("features"), e.getMessage());
    }

    @Test
    void shapesModelFromMainIfPresent() {
        Path shapes = Path.of(System.getProperty("gradcam.basedir", "."), "models", "shapes");
        Assumptions.assumeTrue(Files.isRegularFile(shapes.resolve("saved_model.pb")), "no models/shapes yet");
        try (LoadedModel m = ModelLoader.load(shapes)) {
            assertNotNull(m.catalog().defaultLayer());
        }
    }

    static InputImage randomImage(int w, int h, int c, long seed) {
        Random r = new Random(seed);
        float[] d = new float[w * h * c];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(256);
        }
        return new InputImage(w, h, c, d, PixelKind.UINT8);
    }
}
