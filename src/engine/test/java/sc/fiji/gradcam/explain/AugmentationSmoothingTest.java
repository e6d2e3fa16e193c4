package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.explain.AugmentationSmoothing.Augmentation;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * pytorch-grad-cam's {@code aug_smooth}: the mean of the normalised maps of six augmented inputs (mirrored or not, ×
 * 0.9, 1, 1.1), mirrored back; the class explained is the unaugmented image's; predictions and input gradients stay
 * the unaugmented image's.
 */
class AugmentationSmoothingTest extends WithBuiltModels {

    /** ttach's six, written out: mirrored or not, times 0.9, 1 or 1.1. */
    private static final boolean[] MIRRORED = {false, false, false, true, true, true};
    private static final double[] FACTORS = {0.9, 1, 1.1, 0.9, 1, 1.1};

    private static final Set<Method> CAM_LIKE = EigenSmoothTest.CAM_LIKE;

    @Test
    void theSixAugmentationsAreTtachsAndApplyToModelInputs() {
        List<Augmentation> six = AugmentationSmoothing.AUGMENTATIONS;
        for (int j = 0; j < 6; j++) {
            assertEquals(MIRRORED[j], six.get(j).flip(), "augmentation " + j);
            assertEquals(FACTORS[j], six.get(j).factor(), 1e-7, "augmentation " + j);
        }
        assertEquals(5, AugmentationSmoothing.EXTRA.size());
        assertTrue(!AugmentationSmoothing.EXTRA.contains(AugmentationSmoothing.IDENTITY)
                && six.contains(AugmentationSmoothing.IDENTITY));
        // one row of three pixels with two channels, written at offset 2 of the output
        float[] in = {1, 10, 2, 20, 3, 30};
        float[] out = new float[8];
        new Augmentation(true, 1.1f).apply(in, 1, 3, 2, out, 2);
        assertArrayEquals(new float[] {0, 0, 3.3f, 33, 2.2f, 22, 1.1f, 11}, out, 1e-5f);
        new Augmentation(false, 0.9f).apply(in, 1, 3, 2, out, 0);
        assertArrayEquals(new float[] {0.9f, 9, 1.8f, 18, 2.7f, 27}, java.util.Arrays.copyOf(out, 6), 1e-5f);
    }

    /** GAP models, channels last and channels first (NCHW input; onnx-tf's NCHW feature maps). */
    static Stream<TestModelSpec> gapModels() {
        return ExplainerTest.gapModels().filter(s -> s.style() == SaveStyle.FUNCTION_CALL);
    }

    /**
     * On GAP + dense, dy_c/dA = W[k,c]/Z whatever the input, so the map of each augmented input is known: CAM_c =
     * ReLU(Σ_k W[k,c] A^k) (Grad-CAM = CAM/Z), or with eigen smoothing the ReLU of the projection of (W[k,c]/Z)·A^k.
     * The test prepares the six inputs itself, fetches their activations, divides each CAM by its maximum, mirrors the
     * mirrored ones back and averages: that is the aug-smoothed raw Grad-CAM, for every class and auto (the unaugmented
     * top-1), with and without eigen smoothing.
     */
    @ParameterizedTest
    @MethodSource("gapModels")
    void augSmoothedGradCamIsTheMeanOfTheSixNormalisedCams(TestModelSpec spec) {
        Built b = models.get(spec);
        LoadedModel m = b.loaded();
        Layer layer = m.catalog().defaultLayer();
        int fw = (int) layer.width();
        InputImage image = ExplainerTest.randomImage(20, 18, 3, 4);
        List<double[]> activations = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            activations.add(activations(m, augmentedInput(m, image, MIRRORED[j], FACTORS[j])));
        }
        double[][] w = b.model().denseWeightsAsDouble();
        int k = w.length;
        int z = activations.get(0).length / k;
        Explainer explainer = new Explainer(m);
        int predicted = explainer.explain(image, ExplainRequest.defaults()).get(0).predicted().index();
        int compared = 0;
        for (boolean eigen : new boolean[] {false, true}) {
            for (int target = -1; target < m.classes(); target++) {
                String t = target < 0 ? "auto" : String.valueOf(target);
                Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of(t))
                        .withMethods(EnumSet.of(Method.GRADCAM)).withAugSmooth(true).withEigenSmooth(eigen)).get(0);
                int c = e.target().index();
                assertEquals(target < 0 ? predicted : target, c, "auto explains the unaugmented top-1");
                double[] g = new double[k * z];
                for (int i = 0; i < g.length; i++) {
                    g[i] = w[i % k][c] / z;
                }
                double[] expected = new double[z];
                for (int j = 0; j < 6; j++) {
                    double[] a = activations.get(j);
                    double[] cam = eigen ? Cam.eigenSmoothed(Method.GRADCAM, a, g, k) : Cam.of(a, w, c);
                    double max = Tf.maxAbs(cam);
                    for (int p = 0; p < z && max > 0; p++) {
                        expected[MIRRORED[j] ? mirroredPosition(p, fw) : p] += cam[p] / max / 6;
                    }
                }
                String what = spec.name() + " class " + t + (eigen ? " eigen" : "");
                if (Tf.maxAbs(expected) > 0) {
                    Cam.assertRawMap(expected, e.gradcamRaw(), 1, 1e-5, what);
                    assertEquals(Tf.maxAbs(expected), e.rawMax(), 1e-5, what + ": raw max");
                    compared++;
                } else {
                    assertTrue(e.emptyMap(), what + ": expected an empty map");
                }
            }
        }
        assertTrue(compared >= 2, spec.name() + ": compared only " + compared + " maps");
    }

    /**
     * Predictions, probabilities and the input-gradient maps are the unaugmented image's; Guided Grad-CAM is Guided
     * Backprop times the smoothed Grad-CAM; the timings have the same keys; the CAM-like maps do change.
     */
    @ParameterizedTest
    @MethodSource("mirrorModels")
    void predictionsAndInputGradientsAreTheUnaugmentedImages(TestModelSpec spec) {
        Explainer explainer = new Explainer(models.get(spec).loaded());
        InputImage image = ExplainerTest.randomImage(24, 20, 3, 8);
        ExplainRequest request = ExplainRequest.defaults().withMethods(EnumSet.allOf(Method.class))
                .withTargets(List.of("auto", "1"));
        List<Explanation> plain = explainer.explain(image, request);
        List<Explanation> smooth = explainer.explain(image, request.withAugSmooth(true));
        int changed = 0;
        for (int j = 0; j < plain.size(); j++) {
            Explanation p = plain.get(j);
            Explanation s = smooth.get(j);
            assertEquals(p.predicted(), s.predicted());
            assertEquals(p.top5(), s.top5());
            assertEquals(p.target(), s.target());
            assertEquals(p.timingsMs().keySet(), s.timingsMs().keySet());
            assertEquals(p.rawMaps().keySet(), s.rawMaps().keySet());
            for (Method m : List.of(Method.GRADIENT, Method.GUIDED_BACKPROP)) {
                assertArrayEquals(p.maps().get(m).data(), s.maps().get(m).data(), m.id());
            }
            assertArrayEquals(GuidedGradCam.combine(s.maps().get(Method.GUIDED_BACKPROP), s.maps().get(Method.GRADCAM))
                    .data(), s.maps().get(Method.GUIDED_GRADCAM).data());
            double change = Tf.maxAbsDiff(Tf.doubles(p.maps().get(Method.GRADCAM).data()),
                    Tf.doubles(s.maps().get(Method.GRADCAM).data()));
            changed += change > 1e-3 ? 1 : 0;
        }
        assertTrue(changed > 0, spec.name() + ": aug_smooth did not change Grad-CAM");
    }

    /** Models that are not mirror-symmetric: a flatten head (VGG-like), channels last and first; a residual one. */
    static Stream<TestModelSpec> mirrorModels() {
        return Stream.of(BuiltModels.small(Architecture.VGG, SaveStyle.FUNCTION_CALL),
                BuiltModels.small(Architecture.RESIDUAL, SaveStyle.TF1_GRAPH).withDtype(ModelDType.FLOAT64),
                BuiltModels.channelsFirst(ModelDType.FLOAT32).stream()
                        .filter(s -> s.architecture() == Architecture.VGG).findFirst().orElseThrow());
    }

    /**
     * An image and its mirror (at the model's input size, so preparing commutes with mirroring) have the same six
     * augmented inputs, mirrored: their smoothed maps are mirror images of each other for every method and class,
     * although these models' plain maps are not.
     */
    @ParameterizedTest
    @MethodSource("mirrorModels")
    void anImageAndItsMirrorGetMirroredSmoothedMaps(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        Explainer explainer = new Explainer(m);
        InputImage image = ExplainerTest.randomImage(16, 16, 3, 12);
        InputImage mirror = new InputImage(16, 16, 3, mirrored(image.data(), 16), PixelKind.UINT8);
        int asymmetric = 0;
        for (int c = 0; c < m.classes(); c++) {
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withMethods(CAM_LIKE);
            Explanation a = explainer.explain(image, request.withAugSmooth(true)).get(0);
            Explanation b = explainer.explain(mirror, request.withAugSmooth(true)).get(0);
            for (Method method : CAM_LIKE) {
                String what = spec.name() + " class " + c + " " + method.title();
                MapImage raw = a.rawMaps().get(method);
                double[] expected = Tf.doubles(mirrored(raw.data(), raw.width()));
                if (Tf.maxAbs(expected) > 0) {
                    Cam.assertRawMap(expected, b.rawMaps().get(method), 1, 1e-5, what);
                    MapImage map = a.maps().get(method);
                    Cam.assertRawMap(Tf.doubles(mirrored(map.data(), 16)), b.maps().get(method), 1, 1e-4,
                            what + " at image size");
                } else {
                    assertEquals(0, b.rawMaps().get(method).max(), what);
                }
            }
            MapImage plainA = explainer.explain(image, request).get(0).gradcamRaw();
            MapImage plainB = explainer.explain(mirror, request).get(0).gradcamRaw();
            double[] mirroredA = Tf.doubles(mirrored(plainA.data(), plainA.width()));
            if (Tf.maxAbsDiff(mirroredA, Tf.doubles(plainB.data())) > 1e-3 * Math.max(1e-12, Tf.maxAbs(mirroredA))) {
                asymmetric++;
            }
        }
        assertTrue(asymmetric > 0, spec.name() + ": the plain maps are mirror images already; the test proves nothing");
    }

    /**
     * 8×8 RGB → ReLU(3×3 conv, 2 channels, fixed pseudo-random weights) ({@code features}) → flatten → dense to 2
     * logits: built with a fixed batch of one and with a free batch, it is the same function.
     */
    static final TinyModels.Body FLATTEN_HEAD = (tf, x) -> {
        float[][][][] kernel = new float[3][3][3][2];
        for (int i = 0; i < 54; i++) {
            kernel[i / 18][i / 6 % 3][i / 2 % 3][i % 2] = (float) Math.sin(i * 1.7);
        }
        Operand<TFloat32> a = tf.withName("features").nn.relu(tf.nn.conv2d(x, tf.constant(kernel),
                List.of(1L, 1L, 1L, 1L), "SAME"));
        Operand<TFloat32> flat = tf.reshape(a, tf.constant(new long[] {-1, 8 * 8 * 2}));
        float[][] dense = new float[128][2];
        for (int i = 0; i < 256; i++) {
            dense[i / 2][i % 2] = (float) Math.cos(i * 0.37) / 16;
        }
        return tf.linalg.matMul(flat, tf.constant(dense));
    };

    /**
     * Four images in one call (20 augmented inputs, more than one run of {@link Explainer#MAX_BATCH}) get the maps each
     * gets alone; a model with a fixed batch of one (one run per input) gets the maps of its free-batch twin.
     */
    @Test
    void batchesAndFixedBatchModelsGiveEachImagesOwnMaps() {
        LoadedModel m = models.get(BuiltModels.small(Architecture.VGG, SaveStyle.FUNCTION_CALL)
                .withDtype(ModelDType.FLOAT64)).loaded();
        Explainer explainer = new Explainer(m);
        List<InputImage> images = List.of(ExplainerTest.randomImage(16, 16, 3, 1), ExplainerTest.randomImage(30, 20,
                3, 2), ExplainerTest.randomImage(12, 18, 1, 3), ExplainerTest.randomImage(16, 17, 3, 4));
        ExplainRequest request = ExplainRequest.defaults().withMethods(CAM_LIKE).withAugSmooth(true);
        List<List<Explanation>> together = explainer.explain(images, request);
        for (int i = 0; i < images.size(); i++) {
            Explanation alone = explainer.explain(images.get(i), request).get(0);
            assertRawMapsEqual(alone, together.get(i).get(0), 1e-9, "image " + i);
        }
        try (LoadedModel fixed = ModelLoader.load(TinyModels.write(tmp.resolve("fixed-batch"), new long[] {1, 8, 8,
                3}, new long[] {1, 2}, FLATTEN_HEAD));
                LoadedModel free = ModelLoader.load(TinyModels.write(tmp.resolve("free-batch"), new long[] {-1, 8, 8,
                        3}, new long[] {-1, 2}, FLATTEN_HEAD))) {
            List<InputImage> two = List.of(ExplainerTest.randomImage(8, 8, 3, 5), ExplainerTest.randomImage(11, 9,
                    3, 6));
            ExplainRequest both = ExplainRequest.defaults().withMethods(CAM_LIKE).withTargets(List.of("0", "1"))
                    .withAugSmooth(true);
            List<List<Explanation>> a = new Explainer(fixed).explain(two, both);
            List<List<Explanation>> b = new Explainer(free).explain(two, both);
            for (int i = 0; i < 2; i++) {
                for (int t = 0; t < 2; t++) {
                    assertRawMapsEqual(b.get(i).get(t), a.get(i).get(t), 1e-5, "fixed batch, image " + i);
                    assertTrue(a.get(i).get(t).rawMax() > 0);
                }
            }
        }
    }

    /**
     * The class explained is the unaugmented image's, also where an augmented input's own top-1 differs (a deviation
     * from pytorch-grad-cam). Model: logits [mean red, 0.5]; an 8×8 image whose red is 100 on the left half and 166 on
     * the right has mean red 0.52 (class 0), but times 0.9 it is 0.47 (class 1, whose gradient is zero). With class 0
     * for all six, each normalised map is the red channel over its maximum, 100/166 and 1, whatever the factor and
     * mirror: so is their mean (its maximum 1, not the 4/6 each input's own top-1 would give).
     */
    @Test
    void autoExplainsTheUnaugmentedTopClassForAllSix() {
        Path dir = TinyModels.write(tmp.resolve("red-or-constant"), new long[] {-1, 8, 8, 3}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> {
                    float[][][][] red = {{{{1}, {0}, {0}}}};
                    Operand<TFloat32> a = tf.withName("features").nn.relu(tf.nn.conv2d(x, tf.constant(red),
                            List.of(1L, 1L, 1L, 1L), "SAME"));
                    Operand<TFloat32> gap = tf.math.mean(a, tf.constant(new int[] {1, 2}));
                    return tf.math.add(tf.linalg.matMul(gap, tf.constant(new float[][] {{1, 0}})),
                            tf.constant(new float[] {0, 0.5f}));
                });
        float[] data = new float[8 * 8 * 3];
        for (int p = 0; p < 64; p++) {
            data[p] = p % 8 < 4 ? 100 : 166;
        }
        InputImage image = new InputImage(8, 8, 3, data, PixelKind.UINT8);
        try (LoadedModel m = ModelLoader.load(dir)) {
            double[] scaled = Runs.run(m, augmentedInput(m, image, false, 0.9), 1, null, -1,
                    m.serving().output()).get(0);
            assertTrue(scaled[1] > scaled[0], "times 0.9 the image's own top-1 is class 1: " + scaled[0]);
            Explanation e = new Explainer(m).explain(image, ExplainRequest.defaults().withMethods(EnumSet.of(
                    Method.GRADCAM)).withAugSmooth(true)).get(0);
            assertEquals(0, e.predicted().index());
            assertEquals(0, e.target().index());
            double[] expected = new double[64];
            for (int p = 0; p < 64; p++) {
                expected[p] = p % 8 < 4 ? 100.0 / 166 : 1;
            }
            Cam.assertRawMap(expected, e.gradcamRaw(), 1, 1e-6, "smoothed red map");
            assertEquals(1, e.rawMax(), 1e-6);
        }
    }

    static void assertRawMapsEqual(Explanation expected, Explanation actual, double relTol, String what) {
        // the same class and label; the probability to float rounding (a fixed batch of 1 and a free batch of 2 are
        // different kernel shapes: TensorFlow's Eigen kernels round them differently, by 1e-8 here)
        assertEquals(expected.predicted().index(), actual.predicted().index(), what);
        assertEquals(expected.predicted().label(), actual.predicted().label(), what);
        assertEquals(expected.predicted().probability(), actual.predicted().probability(),
                relTol * Math.max(1e-12, Math.abs(expected.predicted().probability())), what);
        assertEquals(expected.rawMaps().keySet(), actual.rawMaps().keySet(), what);
        expected.rawMaps().forEach((m, raw) -> {
            if (raw.max() > 0) {
                Cam.assertRawMap(Tf.doubles(raw.data()), actual.rawMaps().get(m), 1, relTol, what + " " + m.id());
            } else {
                assertEquals(0, actual.rawMaps().get(m).max(), what + " " + m.id());
            }
        });
    }

    /** The model input the explainer prepares for {@code image} (NHWC), augmented, in the model's input layout. */
    static double[] augmentedInput(LoadedModel m, InputImage image, boolean mirrored, double factor) {
        Preprocessing p = ExplainRequest.defaults().preprocessing().resolve(m);
        float[] in = Preprocessor.prepare(image, p).values();
        int w = p.width();
        int c = p.channels();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            int pixel = i / c;
            int u = pixel % w;
            int from = ((pixel - u) + (mirrored ? w - 1 - u : u)) * c + i % c;
            out[i] = (float) (in[from] * factor);
        }
        return Tf.doubles(m.inputLayout().layout().fromNhwc(out, 1, p.height(), w, c));
    }

    /** NHWC activations of the model's default layer for one model input. */
    private static double[] activations(LoadedModel m, double[] x) {
        Layer layer = m.catalog().defaultLayer();
        double[] a = Runs.run(m, x, 1, null, -1, layer.tensor()).get(0);
        return Tf.toNhwc(a, layer.layout(), (int) (layer.height() * layer.width()), (int) layer.channels());
    }

    /** Position {@code p} of a feature map {@code width} wide, mirrored left-right. */
    static int mirroredPosition(int p, int width) {
        return p - p % width + (width - 1 - p % width);
    }

    /** Planar values (rows {@code w} wide, any number of rows and planes) mirrored left-right. */
    private static float[] mirrored(float[] v, int w) {
        float[] out = new float[v.length];
        for (int p = 0; p < v.length; p++) {
            out[p] = v[mirroredPosition(p, w)];
        }
        return out;
    }

}
