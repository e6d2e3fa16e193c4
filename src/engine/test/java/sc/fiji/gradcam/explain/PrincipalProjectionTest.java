package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.support.DenseProjection;
import sc.fiji.gradcam.support.Tf;

/**
 * The first-principal-axis projection of EigenCAM and EigenGrad-CAM: analytic answers (rank one and rank two after
 * centring), the sign rule, constant channels, an independent dense computation (Jacobi eigenvectors of XᵀX), and the
 * EigenCAM map of either layout.
 */
class PrincipalProjectionTest {

    private static final int POSITIONS = 20;

    /** A centred pattern over 5 × 4 positions: a bump minus its mean. */
    private static double[] centredBump() {
        double[] u = new double[POSITIONS];
        double mean = 0;
        for (int p = 0; p < POSITIONS; p++) {
            double dy = p / 4 - 2.0;
            double dx = p % 4 - 1.5;
            u[p] = Math.exp(-(dx * dx + dy * dy) / 2);
            mean += u[p] / POSITIONS;
        }
        for (int p = 0; p < POSITIONS; p++) {
            u[p] -= mean;
        }
        return u;
    }

    /** {@code Σ_i u_i v_iᵀ} plus a column mean {@code m}: X = u vᵀ + 1 mᵀ, position-major. */
    private static double[] matrix(double[][] us, double[][] vs, double[] m) {
        int k = m.length;
        double[] x = new double[POSITIONS * k];
        for (int p = 0; p < POSITIONS; p++) {
            for (int c = 0; c < k; c++) {
                x[p * k + c] = m[c];
                for (int i = 0; i < us.length; i++) {
                    x[p * k + c] += us[i][p] * vs[i][c];
                }
            }
        }
        return x;
    }

    private static double[] scaled(double[] u, double s) {
        double[] out = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = u[i] * s;
        }
        return out;
    }

    /**
     * X = u vᵀ + column means is rank one after centring: its projection on the first axis v/|v| is u·|v|, signed so
     * that it correlates with the channel sums u·Σv + Σm, i.e. +u|v| when Σv > 0 and −u|v| when Σv < 0 (the SVD
     * alone could give either). 24 random v of 5 channels, both signs of Σv; the dense computation gives the same.
     */
    @Test
    void rankOneAfterCentringProjectsOntoTheLeftFactorWithTheChannelSumsSign() {
        double[] u = centredBump();
        double[] m = {3, -1, 0.5, 0, 2};
        Random r = new Random(3);
        int[] signs = new int[2];
        for (int trial = 0; trial < 24; trial++) {
            double[] v = new double[m.length];
            double sum = 0;
            double norm = 0;
            for (int c = 0; c < v.length; c++) {
                v[c] = r.nextGaussian();
                sum += v[c];
                norm += v[c] * v[c];
            }
            double[] expected = scaled(u, Math.signum(sum) * Math.sqrt(norm));
            double[] x = matrix(new double[][] {u}, new double[][] {v}, m);
            assertArrayEquals(expected, PrincipalProjection.of(x, POSITIONS, v.length), 1e-12, "Σv " + sum);
            assertArrayEquals(expected, DenseProjection.of(x, v.length), 1e-12, "dense, Σv " + sum);
            signs[sum > 0 ? 1 : 0]++;
        }
        assertTrue(signs[0] > 2 && signs[1] > 2, "both signs of Σv: " + signs[0] + ", " + signs[1]);
    }

    /**
     * The projection does not depend on the order of the channels (which the power iteration's fixed start vector
     * does): the same for 16 random orders of a random matrix's columns, and the projection of −X is minus that of X.
     */
    @Test
    void channelOrderDoesNotChangeTheProjection() {
        int positions = 30;
        int k = 6;
        Random r = new Random(5);
        double[] x = new double[positions * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0, r.nextGaussian() + (i % k == 2 ? 2 * r.nextGaussian() : 0));
        }
        double[] p = PrincipalProjection.of(x, positions, k);
        assertTrue(Tf.maxAbs(p) > 0);
        for (int trial = 0; trial < 16; trial++) {
            int[] order = IntStream.range(0, k).boxed()
                    .sorted(Comparator.comparingDouble(c -> r.nextDouble())).mapToInt(Integer::intValue)
                    .toArray();
            double[] permuted = new double[x.length];
            for (int q = 0; q < positions; q++) {
                for (int c = 0; c < k; c++) {
                    permuted[q * k + c] = x[q * k + order[c]];
                }
            }
            assertArrayEquals(p, PrincipalProjection.of(permuted, positions, k), 1e-9, Arrays.toString(order));
        }
        assertArrayEquals(scaled(p, -1), PrincipalProjection.of(scaled(x, -1), positions, k), 1e-9, "−X");
    }

    /**
     * X_c = σ1 u1 v1ᵀ + σ2 u2 v2ᵀ with orthonormal u (centred) and v and σ2 = 0.95 σ1 (power iteration converges
     * slowly, by 0.95² a step): the projection is ±σ1 u1, not a mixture with u2.
     */
    @Test
    void rankTwoProjectsOntoTheLargerComponentEvenWithASmallGap() {
        double[] u1 = centredBump();
        double[] u2 = new double[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            u2[p] = p % 4 - 1.5; // centred, and orthogonal to the bump, which is symmetric about x = 1.5
        }
        assertEquals(0, dot(u1, u2), 1e-12);
        u1 = scaled(u1, 1 / Math.sqrt(dot(u1, u1)));
        u2 = scaled(u2, 1 / Math.sqrt(dot(u2, u2)));
        double[] v1 = {0.6, 0.8, 0, 0};
        double[] v2 = {0, 0, 0.8, -0.6};
        double[] x = matrix(new double[][] {scaled(u1, 2.0), scaled(u2, 1.9)}, new double[][] {v1, v2},
                new double[] {1, 1, 1, 1});
        double[] p = PrincipalProjection.of(x, POSITIONS, 4);
        // channel sums: 2·1.4·u1 + 1.9·0.2·u2 + 4, which correlate positively with +u1
        assertArrayEquals(scaled(u1, 2.0), p, 1e-9);
    }

    /**
     * Values equal at every position of each channel give a zero projection, even where the mean does not round
     * back to the value (7 × 0.1 / 7 ≠ 0.1 in double), and so does an all-zero input; no NaN.
     */
    @Test
    void constantChannelsGiveAZeroProjection() {
        int positions = 7;
        double[] x = new double[positions * 2];
        for (int p = 0; p < positions; p++) {
            x[p * 2] = 0.1;
            x[p * 2 + 1] = 5e3 / 3;
        }
        double mean = 0;
        for (int p = 0; p < positions; p++) {
            mean += x[p * 2];
        }
        assertNotEquals(0.1, mean / positions, "the mean should not round back, or this checks nothing");
        assertArrayEquals(new double[positions], PrincipalProjection.of(x, positions, 2));
        assertArrayEquals(new double[positions], PrincipalProjection.of(new double[positions * 3], positions, 3));
        assertArrayEquals(new double[1], PrincipalProjection.of(new double[] {4, 2}, 1, 2));
    }

    /**
     * Random matrices, wider and taller than square, with a dominant direction of a random size: the projection
     * equals the dense one (Jacobi eigenvectors of X_cᵀX_c) within 1e-9 of its largest value.
     */
    @ParameterizedTest
    @CsvSource({"49, 16, 1", "9, 40, 2", "30, 30, 3", "196, 8, 4"})
    void equalsTheDenseComputation(int positions, int k, long seed) {
        Random r = new Random(seed);
        double[] x = new double[positions * k];
        double[] direction = new double[k];
        for (int c = 0; c < k; c++) {
            direction[c] = r.nextGaussian();
        }
        for (int p = 0; p < positions; p++) {
            double strength = 3 * r.nextGaussian();
            for (int c = 0; c < k; c++) {
                x[p * k + c] = Math.max(0, r.nextGaussian() + strength * direction[c]);
            }
        }
        double[] dense = DenseProjection.of(x, k);
        double[] mine = PrincipalProjection.of(x, positions, k);
        assertTrue(Tf.maxAbs(dense) > 0);
        assertTrue(Tf.maxAbsDiff(dense, mine) < 1e-9 * Tf.maxAbs(dense),
                "differs by " + Tf.maxAbsDiff(dense, mine) + " of " + Tf.maxAbs(dense));
        assertTrue(Tf.correlation(mine, channelSums(x, k)) > 0, "sign rule");
    }

    /**
     * EigenCAM of a batch's second image is the ReLU of its projection, the same from NHWC and NCHW arrays;
     * EigenGrad-CAM is EigenCAM of G ⊙ A.
     */
    @Test
    void eigenMapsAreTheReluOfTheProjectionInEitherLayout() {
        int h = 4;
        int w = 5;
        int k = 3;
        int per = h * w * k;
        Random r = new Random(7);
        float[] a = new float[2 * per];
        float[] g = new float[2 * per];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.max(0, r.nextGaussian());
            g[i] = (float) r.nextGaussian();
        }
        double[] a1 = new double[per];
        double[] ga1 = new double[per];
        for (int i = 0; i < per; i++) {
            a1[i] = a[per + i];
            ga1[i] = (double) a[per + i] * g[per + i];
        }
        float[] aFirst = DataLayout.NCHW.fromNhwc(a, 2, h, w, k);
        float[] gFirst = DataLayout.NCHW.fromNhwc(g, 2, h, w, k);
        for (Method m : new Method[] {Method.EIGENCAM, Method.EIGENGRADCAM}) {
            double[] projection = PrincipalProjection.of(m == Method.EIGENCAM ? a1 : ga1, h * w, k);
            float[] map = CamVariants.compute(m, a, g, 1, h, w, k, DataLayout.NHWC);
            assertArrayEquals(map, CamVariants.compute(m, aFirst, gFirst, 1, h, w, k, DataLayout.NCHW), m.id());
            int zeros = 0;
            for (int p = 0; p < h * w; p++) {
                assertEquals((float) Math.max(0, projection[p]), map[p], m.id() + " position " + p);
                zeros += map[p] == 0 ? 1 : 0;
            }
            assertTrue(zeros > 0 && zeros < h * w, m.id() + ": the ReLU should cut some but not all positions");
        }
    }

    private static double[] channelSums(double[] x, int k) {
        double[] s = new double[x.length / k];
        for (int i = 0; i < x.length; i++) {
            s[i / k] += x[i];
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
