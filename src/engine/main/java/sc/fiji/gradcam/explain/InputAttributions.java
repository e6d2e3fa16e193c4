package sc.fiji.gradcam.explain;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ScoreKind;

/**
 * The attribution methods on the model input that Captum users know, computed at model resolution (NHWC, one value
 * per input value; the explainer brings them onto the image like the gradient):
 * <ul>
 * <li><b>Input × Gradient</b> (Shrikumar et al. 2016): {@code x ⊙ ∂y_c/∂x}, from the gradient the run fetched.
 * <li><b>Integrated Gradients</b> (Sundararajan et al. 2017, arXiv 1703.01365): {@code (x − x′) ⊙ ∫₀¹ ∂y_c/∂x(x′ +
 * α(x − x′)) dα} with the baseline {@code x′ = 0} (Captum's default), the integral by {@value #IG_STEPS}-point
 * Gauss–Legendre quadrature (Captum's default method and step count), the steps batched into session runs. The
 * attributions sum to {@code y_c(x) − y_c(x′)} (completeness) up to the quadrature error.
 * <li><b>SmoothGrad</b> (Smilkov et al. 2017, arXiv 1706.03825), <b>SmoothGrad-Sq</b> and <b>VarGrad</b> (Adebayo et
 * al. 2018): the mean, the mean square and the variance of the gradient at {@value #SMOOTH_SAMPLES} noisy copies
 * {@code x + N(0, σ²)}, {@code σ} = {@value #SMOOTH_NOISE} × the model's input range (the paper's 10–20 %), the noise
 * seeded per call so that the same image gives the same map; Captum's {@code NoiseTunnel} types {@code smoothgrad},
 * {@code smoothgrad_sq}, {@code vargrad} over {@code Saliency} without {@code abs}.
 * <li><b>Occlusion</b> (Zeiler &amp; Fergus 2014; Captum's {@code Occlusion}): a window of 1/8 of the input's side,
 * stride half of it, set to the baseline 0 across all channels; each input value gets the mean, over the windows that
 * cover it, of {@code y_c(x) − y_c(x occluded)}. Forward passes only (one per window position).
 * </ul>
 */
final class InputAttributions {

    static final int IG_STEPS = 50;
    static final int SMOOTH_SAMPLES = 25;
    static final double SMOOTH_NOISE = 0.15;
    static final long SEED = 20170612L;
    /** RISE: random masks per explanation, the coarse grid's side and the probability that a grid cell is kept. */
    static final int RISE_MASKS = 1000;
    static final int RISE_GRID = 8;
    static final double RISE_KEEP = 0.5;
    static final long RISE_SEED = 18060742L;

    private final BatchRun runner;
    private final ScoreKind score;
    private final int h;
    private final int w;
    private final int c;
    private final double range;

    /** For model inputs of {@code h × w × c} whose value range spans {@code range}. */
    InputAttributions(BatchRun runner, ScoreKind score, int h, int w, int c, double range) {
        this.runner = runner;
        this.score = score;
        this.h = h;
        this.w = w;
        this.c = c;
        this.range = range;
    }

    /** Whether a method is one of these. */
    static boolean covers(Method m) {
        return switch (m) {
            case INPUT_X_GRADIENT, INTEGRATED_GRADIENTS, SMOOTHGRAD, SMOOTHGRAD_SQ, VARGRAD, OCCLUSION, RISE -> true;
            default -> false;
        };
    }

    /**
     * The asked-for attributions of one model input {@code x} (NHWC) for class {@code cls}; {@code gradient} is
     * {@code ∂y_c/∂x} at x (needed for Input × Gradient, else may be null). Timings per method go to {@code timings}.
     */
    Map<Method, float[]> of(float[] x, int cls, float[] gradient, Set<Method> methods, Map<String, Double> timings) {
        Map<Method, float[]> out = new EnumMap<>(Method.class);
        if (methods.contains(Method.INPUT_X_GRADIENT)) {
            long t = System.nanoTime();
            float[] a = new float[x.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = x[i] * gradient[i];
            }
            out.put(Method.INPUT_X_GRADIENT, a);
            timings.put(Method.INPUT_X_GRADIENT.id(), (System.nanoTime() - t) / 1e6);
        }
        if (methods.contains(Method.INTEGRATED_GRADIENTS)) {
            long t = System.nanoTime();
            out.put(Method.INTEGRATED_GRADIENTS, integratedGradients(x, cls, IG_STEPS));
            timings.put(Method.INTEGRATED_GRADIENTS.id(), (System.nanoTime() - t) / 1e6);
        }
        if (methods.contains(Method.SMOOTHGRAD) || methods.contains(Method.SMOOTHGRAD_SQ)
                || methods.contains(Method.VARGRAD)) {
            long t = System.nanoTime();
            float[][] moments = noiseTunnel(x, cls, SMOOTH_SAMPLES, SMOOTH_NOISE * range, SEED);
            float[] var = new float[x.length];
            for (int i = 0; i < var.length; i++) {
                var[i] = moments[1][i] - moments[0][i] * moments[0][i];
            }
            double ms = (System.nanoTime() - t) / 1e6;
            for (Method m : new Method[] {Method.SMOOTHGRAD, Method.SMOOTHGRAD_SQ, Method.VARGRAD}) {
                if (methods.contains(m)) {
                    out.put(m, m == Method.SMOOTHGRAD ? moments[0] : m == Method.SMOOTHGRAD_SQ ? moments[1] : var);
                    timings.put(m.id(), ms);
                }
            }
        }
        if (methods.contains(Method.OCCLUSION)) {
            long t = System.nanoTime();
            int window = Math.max(1, Math.round(Math.max(h, w) / 8f));
            out.put(Method.OCCLUSION, occlusion(x, cls, window, Math.max(1, window / 2)));
            timings.put(Method.OCCLUSION.id(), (System.nanoTime() - t) / 1e6);
        }
        if (methods.contains(Method.RISE)) {
            long t = System.nanoTime();
            out.put(Method.RISE, rise(x, cls, RISE_MASKS, RISE_GRID, RISE_KEEP, RISE_SEED));
            timings.put(Method.RISE.id(), (System.nanoTime() - t) / 1e6);
        }
        return out;
    }

    /** Integrated Gradients with the zero baseline and {@code steps}-point Gauss–Legendre quadrature. */
    float[] integratedGradients(float[] x, int cls, int steps) {
        double[][] q = gaussLegendre(steps);
        float[] sum = gradients(steps, cls, (k, row, off) -> {
            for (int i = 0; i < x.length; i++) {
                row[off + i] = (float) (q[0][k] * x[i]);
            }
        }, q[1], false)[0];
        for (int i = 0; i < sum.length; i++) {
            sum[i] *= x[i];
        }
        return sum;
    }

    /** The mean and the mean square of the gradient at {@code n} copies of x with Gaussian noise of {@code sigma}. */
    float[][] noiseTunnel(float[] x, int cls, int n, double sigma, long seed) {
        Random r = new Random(seed);
        double[] weights = new double[n];
        java.util.Arrays.fill(weights, 1.0 / n);
        return gradients(n, cls, (k, row, off) -> {
            for (int i = 0; i < x.length; i++) {
                row[off + i] = (float) (x[i] + sigma * r.nextGaussian());
            }
        }, weights, true);
    }

    /** Fills the {@code k}-th input of a run at {@code row[off …]}. */
    @FunctionalInterface
    interface Inputs {
        void fill(int k, float[] row, int off);
    }

    /**
     * The weighted sum of the input gradients of {@code n} inputs (and, with {@code squares}, of their squares), in
     * runs of the model's batch size; the inputs are built in order, just before their run.
     */
    private float[][] gradients(int n, int cls, Inputs inputs, double[] weights, boolean squares) {
        int per = h * w * c;
        double[] sum = new double[per];
        double[] sq = squares ? new double[per] : null;
        BatchRun.Fetches fetches = new BatchRun.Fetches(score, null, true, false);
        for (int start = 0; start < n; start += runner.rowsPerRun()) {
            int rows = Math.min(runner.rowsPerRun(), n - start);
            float[] batch = new float[rows * per];
            for (int k = 0; k < rows; k++) {
                inputs.fill(start + k, batch, k * per);
            }
            int[] classes = new int[rows];
            java.util.Arrays.fill(classes, cls);
            float[] g = runner.run(batch, rows, h, w, c, classes, fetches).inputGradient();
            for (int k = 0; k < rows; k++) {
                double wk = weights[start + k];
                for (int i = 0; i < per; i++) {
                    double v = g[k * per + i];
                    sum[i] += wk * v;
                    if (sq != null) {
                        sq[i] += wk * v * v;
                    }
                }
            }
        }
        return new float[][] {floats(sum), sq == null ? null : floats(sq)};
    }

    /** Occlusion with a square window of the given side and stride, the baseline 0 in every channel. */
    float[] occlusion(float[] x, int cls, int window, int stride) {
        int per = h * w * c;
        java.util.List<int[]> positions = new java.util.ArrayList<>();
        for (int y0 = 0; ; y0 += stride) {
            int yStart = Math.min(y0, Math.max(0, h - window));
            for (int x0 = 0; ; x0 += stride) {
                int xStart = Math.min(x0, Math.max(0, w - window));
                positions.add(new int[] {xStart, yStart});
                if (xStart + window >= w) {
                    break;
                }
            }
            if (yStart + window >= h) {
                break;
            }
        }
        double base = runner.scores(x, 1, h, w, c, score, null)[cls];
        double[] total = new double[h * w];
        int[] count = new int[h * w];
        int units = -1;
        for (int start = 0; start < positions.size(); start += runner.rowsPerRun()) {
            int rows = Math.min(runner.rowsPerRun(), positions.size() - start);
            float[] batch = new float[rows * per];
            for (int k = 0; k < rows; k++) {
                System.arraycopy(x, 0, batch, k * per, per);
                int[] p = positions.get(start + k);
                for (int v = p[1]; v < Math.min(h, p[1] + window); v++) {
                    java.util.Arrays.fill(batch, k * per + (v * w + p[0]) * c,
                            k * per + (v * w + Math.min(w, p[0] + window)) * c, 0f);
                }
            }
            float[] s = runner.scores(batch, rows, h, w, c, score, null);
            units = s.length / rows;
            for (int k = 0; k < rows; k++) {
                double d = base - s[k * units + cls];
                int[] p = positions.get(start + k);
                for (int v = p[1]; v < Math.min(h, p[1] + window); v++) {
                    for (int u = p[0]; u < Math.min(w, p[0] + window); u++) {
                        total[v * w + u] += d;
                        count[v * w + u]++;
                    }
                }
            }
        }
        float[] out = new float[per];
        for (int i = 0; i < h * w; i++) {
            float v = count[i] == 0 ? 0f : (float) (total[i] / count[i]);
            java.util.Arrays.fill(out, i * c, i * c + c, v);
        }
        return out;
    }

    /**
     * RISE (Petsiuk, Das &amp; Saenko 2018, arXiv 1806.07421): {@code S = Σ_k y_c(x ⊙ M_k) M_k / (n p)} over {@code n}
     * random masks, each a {@code grid × grid} field of cells kept with probability {@code p}, bilinearly upsampled to
     * {@code (grid + 1)} cells of {@code ceil(h / grid) × ceil(w / grid)} pixels and cropped at a random shift of less
     * than one cell ({@link #riseMask}); masked pixels go to 0 in every channel, like Occlusion's baseline.
     */
    float[] rise(float[] x, int cls, int n, int grid, double p, long seed) {
        int per = h * w * c;
        Random r = new Random(seed);
        double[] total = new double[h * w];
        for (int start = 0; start < n; start += runner.rowsPerRun()) {
            int rows = Math.min(runner.rowsPerRun(), n - start);
            float[][] masks = new float[rows][];
            float[] batch = new float[rows * per];
            for (int k = 0; k < rows; k++) {
                masks[k] = riseMask(r, h, w, grid, p);
                for (int i = 0; i < h * w; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        batch[k * per + i * c + ch] = x[i * c + ch] * masks[k][i];
                    }
                }
            }
            float[] s = runner.scores(batch, rows, h, w, c, score, null);
            int units = s.length / rows;
            for (int k = 0; k < rows; k++) {
                double y = s[k * units + cls];
                for (int i = 0; i < h * w; i++) {
                    total[i] += y * masks[k][i];
                }
            }
        }
        float[] out = new float[per];
        for (int i = 0; i < h * w; i++) {
            java.util.Arrays.fill(out, i * c, i * c + c, (float) (total[i] / (n * p)));
        }
        return out;
    }

    /**
     * One RISE mask of {@code h × w} values in [0, 1], drawn from {@code r}: the cells of a {@code grid × grid} field
     * are 1 with probability {@code p}; the field is resized bilinearly to {@code (grid + 1) × cell} pixels per axis
     * ({@code cell = ceil(side / grid)}; pixel centres mapped as skimage's {@code resize}, the edges held where the
     * authors' code reflects) and cropped at a shift of {@code [0, cell)} drawn per axis, as the authors' code does.
     */
    static float[] riseMask(Random r, int h, int w, int grid, double p) {
        boolean[] cells = new boolean[grid * grid];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = r.nextDouble() < p;
        }
        int cellH = (h + grid - 1) / grid;
        int cellW = (w + grid - 1) / grid;
        int dy = r.nextInt(cellH);
        int dx = r.nextInt(cellW);
        float[] mask = new float[h * w];
        for (int y = 0; y < h; y++) {
            double gy = clamp((y + dy + 0.5) * grid / ((grid + 1.0) * cellH) - 0.5, grid - 1);
            int y0 = (int) Math.floor(gy);
            int y1 = Math.min(grid - 1, y0 + 1);
            double fy = gy - y0;
            for (int xx = 0; xx < w; xx++) {
                double gx = clamp((xx + dx + 0.5) * grid / ((grid + 1.0) * cellW) - 0.5, grid - 1);
                int x0 = (int) Math.floor(gx);
                int x1 = Math.min(grid - 1, x0 + 1);
                double fx = gx - x0;
                double v = (1 - fy) * ((1 - fx) * on(cells, grid, y0, x0) + fx * on(cells, grid, y0, x1))
                        + fy * ((1 - fx) * on(cells, grid, y1, x0) + fx * on(cells, grid, y1, x1));
                mask[y * w + xx] = (float) v;
            }
        }
        return mask;
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static double on(boolean[] cells, int grid, int y, int x) {
        return cells[y * grid + x] ? 1 : 0;
    }

    /** Gauss–Legendre nodes (row 0) and weights (row 1) of {@code n} points on [0, 1]; the weights sum to 1. */
    static double[][] gaussLegendre(int n) {
        double[] nodes = new double[n];
        double[] weights = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p1 = 1;
                double p2 = 0;
                for (int j = 1; j <= n; j++) {
                    double p3 = p2;
                    p2 = p1;
                    p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
                }
                dp = n * (z * p1 - p2) / (z * z - 1);
                double dz = p1 / dp;
                z -= dz;
                if (Math.abs(dz) < 1e-15) {
                    break;
                }
            }
            double wgt = 2 / ((1 - z * z) * dp * dp);
            // on [-1, 1]: ±z; mapped to [0, 1]: (1 ± z) / 2 with half the weight
            nodes[i] = (1 - z) / 2;
            nodes[n - 1 - i] = (1 + z) / 2;
            weights[i] = wgt / 2;
            weights[n - 1 - i] = wgt / 2;
        }
        return new double[][] {nodes, weights};
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
