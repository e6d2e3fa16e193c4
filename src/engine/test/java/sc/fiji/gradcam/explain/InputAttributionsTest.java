package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.TinyModels;

/**
 * The input attributions against known answers on a model whose score is {@code s(x) = Σ a_i x_i²} (class 0; class
 * 1 is {@code −s}): its gradient is {@code 2 a x}, so Integrated Gradients from the zero baseline is exactly
 * {@code a x²} (and sums to {@code s(x) − s(0)}), Input × Gradient {@code 2 a x²}, and SmoothGrad, SmoothGrad-Sq and
 * VarGrad are the mean, mean square and variance of {@code 2 a (x + σ ε)} over the same noise.
 */
class InputAttributionsTest {

    static final int SIDE = 8;

    @TempDir
    static Path tmp;
    static LoadedModel quadratic;
    static LoadedModel onePixel;
    static float[] a = new float[SIDE * SIDE];

    @BeforeAll
    static void build() {
        Random r = new Random(11);
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian());
        }
        float[][][][] weights = new float[1][SIDE][SIDE][1];
        for (int i = 0; i < a.length; i++) {
            weights[0][i / SIDE][i % SIDE][0] = a[i];
        }
        quadratic = ModelLoader.load(TinyModels.write(tmp.resolve("quadratic"), new long[] {-1, SIDE, SIDE, 1},
                new long[] {-1, 2}, (Ops tf, Operand<TFloat32> x) -> {
                    Operand<TFloat32> s = tf.sum(tf.math.mul(tf.math.mul(x, x), tf.constant(weights)),
                            tf.constant(new int[] {1, 2, 3}), org.tensorflow.op.core.Sum.keepDims(false));
                    Operand<TFloat32> col = tf.expandDims(s, tf.constant(1));
                    return tf.concat(List.of(col, tf.math.neg(col)), tf.constant(1));
                }));
        // the score is pixel (5, 2) alone
        float[][][][] pick = new float[1][SIDE][SIDE][1];
        pick[0][2][5][0] = 1;
        onePixel = ModelLoader.load(TinyModels.write(tmp.resolve("one-pixel"), new long[] {-1, SIDE, SIDE, 1},
                new long[] {-1, 2}, (Ops tf, Operand<TFloat32> x) -> {
                    Operand<TFloat32> s = tf.sum(tf.math.mul(x, tf.constant(pick)), tf.constant(new int[] {1, 2, 3}),
                            org.tensorflow.op.core.Sum.keepDims(false));
                    Operand<TFloat32> col = tf.expandDims(s, tf.constant(1));
                    return tf.concat(List.of(col, tf.math.neg(col)), tf.constant(1));
                }));
    }

    @AfterAll
    static void close() {
        quadratic.close();
        onePixel.close();
    }

    static InputAttributions attributions(LoadedModel m) {
        return new InputAttributions(new BatchRun(m, new ExplanationGraphs(m.serving(), m.outputUnits())),
                ScoreKind.LOGIT, SIDE, SIDE, 1, 1.0);
    }

    static float[] input(long seed) {
        Random r = new Random(seed);
        float[] x = new float[SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    @Test
    void gaussLegendreIntegratesPolynomialsExactly() {
        double[][] q = InputAttributions.gaussLegendre(50);
        for (int k = 0; k <= 40; k++) {
            double sum = 0;
            for (int j = 0; j < 50; j++) {
                sum += q[1][j] * Math.pow(q[0][j], k);
            }
            assertEquals(1.0 / (k + 1), sum, 1e-12, "∫ x^" + k);
        }
        double[][] odd = InputAttributions.gaussLegendre(7);
        assertEquals(0.5, odd[0][3], 1e-15, "the middle node of an odd rule");
    }

    @Test
    void integratedGradientsAreExactAndComplete() {
        float[] x = input(1);
        float[] ig = attributions(quadratic).integratedGradients(x, 0, InputAttributions.IG_STEPS);
        double sum = 0;
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(a[i] * x[i] * x[i], ig[i], 1e-5, "a x² at " + i);
            sum += ig[i];
            s += a[i] * x[i] * x[i];
        }
        assertEquals(s, sum, Math.abs(s) * 0.01, "completeness: Σ IG = s(x) − s(0)");
        float[] other = attributions(quadratic).integratedGradients(x, 1, InputAttributions.IG_STEPS);
        assertEquals(-ig[7], other[7], 1e-5, "class 1 is −s");
    }

    @Test
    void smoothGradFamilyAreTheMomentsOfTheNoisyGradients() {
        float[] x = input(2);
        double sigma = 0.15;
        float[][] m = attributions(quadratic).noiseTunnel(x, 0, 25, sigma, 99);
        Random r = new Random(99);
        double[] mean = new double[x.length];
        double[] sq = new double[x.length];
        for (int k = 0; k < 25; k++) {
            for (int i = 0; i < x.length; i++) {
                double g = 2 * a[i] * (float) (x[i] + sigma * r.nextGaussian());
                mean[i] += g / 25;
                sq[i] += g * g / 25;
            }
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(mean[i], m[0][i], 1e-4, "SmoothGrad at " + i);
            assertEquals(sq[i], m[1][i], 1e-4 * Math.max(1, sq[i]), "SmoothGrad-Sq at " + i);
        }
    }

    @Test
    void occlusionMarksThePixelTheScoreDependsOn() {
        float[] x = input(3);
        x[2 * SIDE + 5] = 0.8f;
        float[] occ = attributions(onePixel).occlusion(x, 0, 2, 1);
        assertEquals(0.8f, occ[2 * SIDE + 5], 1e-6, "every window over the pixel drops the score by its value");
        for (int v = 0; v < SIDE; v++) {
            for (int u = 0; u < SIDE; u++) {
                if (Math.abs(u - 5) > 1 || Math.abs(v - 2) > 1) {
                    assertEquals(0f, occ[v * SIDE + u], 0f, "no window shares pixel (5, 2) with (" + u + ", " + v + ")");
                } else {
                    assertTrue(occ[v * SIDE + u] > 0 && occ[v * SIDE + u] <= 0.8f + 1e-6);
                }
            }
        }
    }

    @Test
    void theExplainerGivesThemAsImageMapsWithInputTimesGradient() {
        float[] x = input(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i] * 255);
        }
        InputImage image = new InputImage(SIDE, SIDE, 1, x.clone(), PixelKind.UINT8);
        // 8-bit image: model input = value / 255 (range 0:1, no resize at the model's own size)
        Explainer explainer = new Explainer(quadratic);
        Explanation e = explainer.explain(image, ExplainRequest.defaults().withTargets(List.of("0"))
                .withMethods(EnumSet.of(Method.INPUT_X_GRADIENT, Method.INTEGRATED_GRADIENTS, Method.SMOOTHGRAD, Method.SMOOTHGRAD_SQ, Method.VARGRAD,
                Method.OCCLUSION, Method.GRADIENT))).get(0);
        Map<Method, float[]> maps = new HashMap<>();
        e.maps().forEach((k, v) -> maps.put(k, v.data()));
        assertEquals(7, maps.size(), maps.keySet().toString());
        for (int i = 0; i < x.length; i++) {
            double xi = x[i] / 255.0;
            assertEquals(2 * a[i] * xi, maps.get(Method.GRADIENT)[i], 1e-5);
            assertEquals(2 * a[i] * xi * xi, maps.get(Method.INPUT_X_GRADIENT)[i], 1e-6);
            assertEquals(a[i] * xi * xi, maps.get(Method.INTEGRATED_GRADIENTS)[i], 1e-6);
            float var = maps.get(Method.VARGRAD)[i];
            float mean = maps.get(Method.SMOOTHGRAD)[i];
            assertEquals(maps.get(Method.SMOOTHGRAD_SQ)[i] - mean * mean, var, 1e-5);
            assertTrue(var >= -1e-6);
        }
        assertTrue(e.timingsMs().containsKey("integrated-gradients"));
    }

    /**
     * RISE on the model whose score is pixel (5, 2): the map is the mask-weighted mean of the masked scores, exactly
     * Σ_k x_52 M_k(5, 2) M_k / (n p) for the same masks, and it peaks at the pixel; the masks are smooth fields in
     * [0, 1] that keep about p of the image.
     */
    @Test
    void riseIsTheMaskWeightedMeanOfTheMaskedScores() {
        float[] x = input(5);
        x[2 * SIDE + 5] = 0.9f;
        int n = 300;
        float[] map = attributions(onePixel).rise(x, 0, n, 4, 0.5, 99);
        Random r = new Random(99);
        double[] expected = new double[SIDE * SIDE];
        double kept = 0;
        for (int k = 0; k < n; k++) {
            float[] m = InputAttributions.riseMask(r, SIDE, SIDE, 4, 0.5);
            for (int i = 0; i < m.length; i++) {
                assertTrue(m[i] >= 0 && m[i] <= 1, "mask value " + m[i]);
                expected[i] += x[2 * SIDE + 5] * m[2 * SIDE + 5] * m[i] / (n * 0.5);
                kept += m[i] / ((double) n * m.length);
            }
        }
        assertEquals(0.5, kept, 0.05, "share of the image a mask keeps");
        int best = 0;
        for (int i = 0; i < map.length; i++) {
            assertEquals(expected[i], map[i], 1e-5, "pixel " + i);
            best = map[i] > map[best] ? i : best;
        }
        assertEquals(2 * SIDE + 5, best, "the map peaks at the pixel the score reads");
        // class 1 (−pixel) gives the negated map
        float[] negative = attributions(onePixel).rise(x, 1, n, 4, 0.5, 99);
        for (int i = 0; i < map.length; i++) {
            assertEquals(-map[i], negative[i], 1e-5);
        }
        // the masks are smooth (bilinear): neighbouring values differ by less than a cell's full step
        float[] m = InputAttributions.riseMask(new Random(1), 64, 64, 8, 0.5);
        for (int y = 0; y < 64; y++) {
            for (int u = 1; u < 64; u++) {
                assertTrue(Math.abs(m[y * 64 + u] - m[y * 64 + u - 1]) < 0.2, "step at " + u + "," + y);
            }
        }
    }
}
