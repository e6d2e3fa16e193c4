package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.graph.BiasLayers;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * FullGrad against an independent recomputation: on a hand-built model with a preprocessing {@code BiasAdd} on the
 * input, a conv + {@code BiasAdd}, an inference {@code FusedBatchNormV3}, a strided conv whose bias is an {@code Add} of
 * a reshaped constant (Keras 3's form) and a dense {@code BiasAdd}, the test takes the gradients of the class score with
 * respect to the input and to each bias layer's output itself (its own {@code addGradients} on the model's graph),
 * forms the batch norm's bias from its constants by hand, and combines the terms with its own min-max scaling and
 * cv2-style bilinear resize; the explainer's map must equal that, and differ from the same recomputation with the
 * batch norm's β as its bias or without the strided conv's term. On the generated test models, every export style
 * (TF1 graph, Keras function calls, Keras 3, onnx-tf's channels-first) of the same weights finds the same bias layers
 * and gives the same map.
 */
class FullGradTest extends WithBuiltModels {

    static final int SIDE = 8;
    static final int CLASSES = 2;

    @TempDir
    static Path dir;
    static LoadedModel model;

    static final float[] PRE = {-0.1f, 0.2f, 0.05f};
    static float[][][][] k1 = kernel(3, 3, 3, 4, 1);
    static float[] b1 = {0.3f, -0.2f, 0.1f, -0.4f};
    static float[] gamma = {1.2f, 0.7f, -0.9f, 1.5f};
    /** β₀ = 0 with μ₀γ₀ ≠ 0: only the effective bias keeps channel 0 (per-channel scaling cancels a bias's size). */
    static float[] beta = {0f, -0.3f, 0.25f, 0.05f};
    static float[] mean = {0.2f, -0.1f, 0.4f, 0.0f};
    static float[] variance = {0.5f, 1.3f, 0.8f, 2.0f};
    static final float EPS = 1e-3f;
    static float[][][][] k3 = kernel(3, 3, 4, 5, 2);
    static float[] b3 = {-0.2f, 0.15f, 0.3f, -0.05f, 0.2f};
    static float[][] dense = {{0.9f, -0.4f}, {-0.7f, 0.6f}, {0.3f, 0.8f}, {-0.5f, -0.2f}, {0.4f, -0.9f}};

    static float[][][][] kernel(int kh, int kw, int in, int out, long seed) {
        Random r = new Random(seed);
        float[][][][] k = new float[kh][kw][in][out];
        for (float[][][] a : k) {
            for (float[][] b : a) {
                for (float[] c : b) {
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (float) (r.nextGaussian() * Math.sqrt(2.0 / (kh * kw * in)));
                    }
                }
            }
        }
        return k;
    }

    @BeforeAll
    static void build() {
        model = ModelLoader.load(TinyModels.write(dir.resolve("fullgrad"), new long[] {-1, SIDE, SIDE, 3},
                new long[] {-1, CLASSES}, (Ops tf, Operand<TFloat32> x) -> {
                    Operand<TFloat32> pre = tf.withName("pre").nn.biasAdd(x, tf.constant(PRE));
                    Operand<TFloat32> c1 = tf.nn.conv2d(pre, tf.constant(k1), List.of(1L, 1L, 1L, 1L), "SAME");
                    Operand<TFloat32> z1 = tf.withName("z1").nn.biasAdd(c1, tf.constant(b1));
                    Operand<TFloat32> z2 = tf.withName("z2").nn.fusedBatchNorm(tf.nn.relu(z1), tf.constant(gamma),
                            tf.constant(beta), tf.constant(mean), tf.constant(variance), FusedBatchNorm.epsilon(EPS),
                            FusedBatchNorm.isTraining(false)).y();
                    Operand<TFloat32> c3 = tf.nn.conv2d(tf.nn.relu(z2), tf.constant(k3), List.of(1L, 2L, 2L, 1L),
                            "SAME");
                    Operand<TFloat32> z3 = tf.withName("z3").math.add(c3,
                            tf.reshape(tf.constant(b3), tf.constant(new int[] {1, 1, 1, 5})));
                    Operand<TFloat32> pooled = tf.math.mean(tf.nn.relu(z3), tf.constant(new int[] {1, 2}));
                    return tf.withName("logits").nn.biasAdd(tf.linalg.matMul(pooled, tf.constant(dense)),
                            tf.constant(new float[] {0.1f, -0.1f}));
                }));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static InputImage image(long seed) {
        Random r = new Random(seed);
        float[] v = new float[SIDE * SIDE * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(256);
        }
        return new InputImage(SIDE, SIDE, 3, v, PixelKind.UINT8);
    }

    @Test
    void theBiasLayersAreTheConvolutionsAndTheBatchNormOnly() {
        List<BiasLayers.BiasLayer> layers = BiasLayers.of(model.serving(), DataLayout.NHWC);
        assertEquals(List.of("z1", "z2", "z3"), layers.stream().map(l -> l.output().node()).toList(),
                "not the input's BiasAdd, not the dense layer's");
        assertEquals(List.of(BiasLayers.Kind.BIAS, BiasLayers.Kind.BATCH_NORM, BiasLayers.Kind.BIAS),
                layers.stream().map(BiasLayers.BiasLayer::kind).toList());
        assertEquals(EPS, layers.get(1).epsilon(), 1e-9);
        List<float[]> values = new ArrayList<>();
        for (float[] p : new float[][] {gamma, beta, mean, variance}) {
            values.add(p);
        }
        double[] b = layers.get(1).bias(values);
        for (int k = 0; k < 4; k++) {
            assertEquals(beta[k] - mean[k] * gamma[k] / Math.sqrt(variance[k] + EPS), b[k], 1e-6, "β − μγ/√(σ²+ε)");
        }
    }

    @Test
    void equalsTheIndependentRecomputationForEachImageOfABatch() {
        InputImage[] images = {image(1), image(2)};
        for (int c = 0; c < CLASSES; c++) {
            List<List<Explanation>> es = new Explainer(model).explain(List.of(images), ExplainRequest.defaults()
                    .withTargets(List.of(String.valueOf(c))).withMethods(EnumSet.of(Method.FULLGRAD)));
            for (int i = 0; i < images.length; i++) {
                Explanation e = es.get(i).get(0);
                assertEquals(EnumSet.of(Method.FULLGRAD), e.maps().keySet());
                assertEquals(1, e.maps().get(Method.FULLGRAD).channels());
                double[] ours = Tf.doubles(e.maps().get(Method.FULLGRAD).data());
                double[] x = Cam.modelInput(model, images[i]);
                Terms t = terms(x, c);
                double[] expected = t.combine(true, true);
                assertEquals(0, Tf.maxAbsDiff(expected, ours), 1e-5, "image " + i + " class " + c);
                assertEquals(1.0, Tf.maxAbs(ours), 1e-6, "scaled to [0, 1]");
                // the comparison would catch a wrong batch-norm bias or a missing layer
                assertTrue(Tf.maxAbsDiff(t.combine(false, true), ours) > 1e-2, "β alone as the batch norm's bias");
                assertTrue(Tf.maxAbsDiff(t.combine(true, false), ours) > 1e-2, "without the strided conv's term");
                assertTrue(e.timingsMs().containsKey("fullgrad"));
            }
        }
    }

    /** The test's own terms of one model input: the gradients it fetched itself, and the biases from the constants. */
    record Terms(double[] x, double[] dx, double[] dz1, double[] dz2, double[] dz3) {

        /** FullGrad recomputed: with the batch norm's effective bias (else β), with the strided conv's term or not. */
        double[] combine(boolean effectiveBias, boolean withZ3) {
            double[] sum = new double[SIDE * SIDE];
            double[] plane = new double[SIDE * SIDE];
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < plane.length; p++) {
                    plane[p] = Math.abs(x[p * 3 + ch] * dx[p * 3 + ch]);
                }
                add(sum, minMax(plane));
            }
            for (int k = 0; k < 4; k++) {
                double bn = effectiveBias ? beta[k] - mean[k] * gamma[k] / Math.sqrt(variance[k] + EPS) : beta[k];
                double[] p1 = new double[SIDE * SIDE];
                double[] p2 = new double[SIDE * SIDE];
                for (int p = 0; p < p1.length; p++) {
                    p1[p] = Math.abs(b1[k] * dz1[p * 4 + k]);
                    p2[p] = Math.abs(bn * dz2[p * 4 + k]);
                }
                add(sum, minMax(p1));
                add(sum, minMax(p2));
            }
            if (withZ3) {
                int s = SIDE / 2;
                for (int k = 0; k < 5; k++) {
                    double[] p3 = new double[s * s];
                    for (int p = 0; p < p3.length; p++) {
                        p3[p] = Math.abs(b3[k] * dz3[p * 5 + k]);
                    }
                    add(sum, resizeLikeCv2(minMax(p3), s, SIDE));
                }
            }
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (double v : sum) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double[] out = new double[sum.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (sum[i] - min) / (max - min + 1e-7);
            }
            return out;
        }
    }

    /** d score_c / d (x, z1, z2, z3) from the test's own gradient graph on the model's graph. */
    static Terms terms(double[] x, int c) {
        Graph g = model.serving().graph();
        Ops tf = Ops.create(g).withSubScope(Runs.scope("fullgrad_check"));
        Operand<TFloat32> y = g.operation("y").<TFloat32>output(0);
        float[][] onehot = new float[1][CLASSES];
        onehot[0][c] = 1;
        Operand<TFloat32> score = tf.sum(tf.math.mul(y, tf.constant(onehot)), tf.constant(new int[] {0, 1}),
                Sum.keepDims(false));
        Output<?>[] d = g.addGradients(Runs.scope("fullgrad_check_grad"), new Output<?>[] {score.asOutput()},
                new Output<?>[] {g.operation("x").output(0), g.operation("z1").output(0), g.operation("z2").output(0),
                    g.operation("z3").output(0)}, null);
        List<double[]> v = Runs.run(model, x, 1, null, -1, d[0], d[1], d[2], d[3]);
        return new Terms(x, v.get(0), v.get(1), v.get(2), v.get(3));
    }

    static double[] minMax(double[] m) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = (m[i] - min) / (max - min + 1e-7);
        }
        return out;
    }

    /** cv2.resize(INTER_LINEAR) of an n×n plane to m×m: source x = (X + ½) n/m − ½, clamped at the edges. */
    static double[] resizeLikeCv2(double[] a, int n, int m) {
        double[] out = new double[m * m];
        for (int yy = 0; yy < m; yy++) {
            double fy = Math.min(n - 1, Math.max(0, (yy + 0.5) * n / m - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(n - 1, y0 + 1);
            double wy = fy - y0;
            for (int xx = 0; xx < m; xx++) {
                double fx = Math.min(n - 1, Math.max(0, (xx + 0.5) * n / m - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(n - 1, x0 + 1);
                double wx = fx - x0;
                out[yy * m + xx] = (1 - wy) * ((1 - wx) * a[y0 * n + x0] + wx * a[y0 * n + x1])
                        + wy * ((1 - wx) * a[y1 * n + x0] + wx * a[y1 * n + x1]);
            }
        }
        return out;
    }

    static void add(double[] sum, double[] term) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += term[i];
        }
    }

    /** Bias layers per architecture: VGG and GAP three conv biases, RESIDUAL three batch norms, MOBILENET seven. */
    static int expectedLayers(Architecture a) {
        return switch (a) {
            case VGG, GAP, RESIDUAL -> 3;
            case MOBILENET -> 7;
        };
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyExportOfTheSameWeightsGivesTheSameMap(Architecture a) {
        List<TestModelSpec> specs = new ArrayList<>();
        for (SaveStyle s : SaveStyle.values()) {
            specs.add(BuiltModels.small(a, s));
        }
        if (a == Architecture.GAP || a == Architecture.VGG) {
            specs.add(BuiltModels.small(a, SaveStyle.TF1_GRAPH).withLayout(Layout.ONNX_TF));
        }
        if (a == Architecture.RESIDUAL) {
            specs.add(BuiltModels.small(a, SaveStyle.TF1_GRAPH).withDtype(ModelDType.FLOAT64));
        }
        Random r = new Random(7);
        float[] v = new float[16 * 16 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(256);
        }
        InputImage im = new InputImage(16, 16, 3, v, PixelKind.UINT8);
        double[] first = null;
        for (TestModelSpec s : specs) {
            LoadedModel m = models.get(s).loaded();
            List<BiasLayers.BiasLayer> layers = BiasLayers.of(m.serving(), m.inputLayout().layout());
            assertEquals(expectedLayers(a), layers.size(), s.name() + ": " + layers.stream()
                    .map(BiasLayers.BiasLayer::name).toList());
            Explanation e = new Explainer(m).explain(im, ExplainRequest.defaults().withTargets(List.of("1"))
                    .withMethods(EnumSet.of(Method.FULLGRAD, Method.GRADCAM))).get(0);
            double[] map = Tf.doubles(e.maps().get(Method.FULLGRAD).data());
            assertNotNull(map);
            if (first == null) {
                first = map;
                assertTrue(Tf.maxAbs(map) > 0.99, s.name());
            } else {
                assertEquals(0, Tf.maxAbsDiff(first, map), 1e-4, s.name() + " against " + specs.get(0).name());
            }
        }
    }

    /**
     * The real exports in ../shared/models: the TF2 module's two conv biases (an {@code AddV2} of a variable), the
     * Keras model's six conv {@code BiasAdd}s, the TF1 Keras MobileNetV2's 52 batch norms (its convs have no bias); each
     * gives a FullGrad map without a note.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"mnist_tfmodule, 2, BIAS, AddV2", "potato_leaf, 6, BIAS, BiasAdd",
        "tm_eyes_tf1, 52, BATCH_NORM, FusedBatchNormV3"})
    void realExportsHaveTheirBiasLayersFound(String name, int count, BiasLayers.Kind kind, String op) {
        LoadedModel m = SharedModels.loaded(name);
        List<BiasLayers.BiasLayer> layers = BiasLayers.of(m.serving(), m.inputLayout().layout());
        assertEquals(count, layers.size(), name + ": " + layers.stream().map(BiasLayers.BiasLayer::name).toList());
        for (BiasLayers.BiasLayer l : layers) {
            assertEquals(kind, l.kind(), l.name());
            assertEquals(op, m.serving().view().node(l.output().node()).getOp(), l.name());
        }
        InputImage image = SharedModels.read(SharedModels.imageFiles(name).get(0));
        Explanation e = new Explainer(m).explain(image, ExplainRequest.defaults()
                .withMethods(EnumSet.of(Method.FULLGRAD))).get(0);
        assertEquals(null, e.note(), name);
        double[] map = Tf.doubles(e.maps().get(Method.FULLGRAD).data());
        assertTrue(Tf.maxAbs(map) > 0.5, name);
    }

    @Test
    void fullGradIsNeitherCamLikeNorLayeredAndParses() {
        assertEquals(Method.FULLGRAD, Method.parse("FullGrad"));
        assertEquals(Method.FULLGRAD, Method.parse("full-grad"));
        assertEquals("fullgrad", Method.FULLGRAD.id());
        assertFalse(Method.FULLGRAD.usesLayer() || Method.FULLGRAD.camLike() || Method.FULLGRAD.isCamVariant());
        assertTrue(Method.FULLGRAD.unitRange());
        assertTrue(Method.parseList("all").contains(Method.FULLGRAD));
        assertThrows(IllegalArgumentException.class, () -> Method.parse("fullgradd"));
    }
}
