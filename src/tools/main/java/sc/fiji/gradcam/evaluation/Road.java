package sc.fiji.gradcam.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import sc.fiji.gradcam.api.image.InputImage;

/**
 * Perturbation metrics of pytorch-grad-cam's {@code metrics} package, for any map over an image:
 * <ul>
 *   <li><b>ROAD</b> (Rong, Leemann et al. 2022, "A Consistent and Efficient Evaluation Strategy for Attribution
 *       Methods", arXiv 2202.00449; pytorch-grad-cam's {@code ROADMostRelevantFirst}, {@code ROADLeastRelevantFirst},
 *       {@code ROADCombined}): the pixels at or above the map's p-th percentile (most relevant first, MoRF) — or of
 *       {@code 1 − map} (least relevant first, LeRF) — are removed and filled in by <b>noisy linear imputation</b>
 *       (each removed pixel the weighted mean of its 8 neighbours, 1/6 for edge and 1/12 for corner neighbours, all
 *       removed pixels solved together, plus Gaussian noise), so that the removal leaves no shape the model could
 *       read; the score is the change of the target's confidence. {@code combined} = (mean LeRF change − mean MoRF
 *       change) / 2 over p = 10, 20, …, 90: higher is better.</li>
 *   <li><b>CamMultImageConfidenceChange</b>: the confidence change when the image is multiplied by the map (in
 *       [0, 1]).</li>
 * </ul>
 * Here in image space (pytorch-grad-cam imputes the normalised tensor): the noise σ is {@value #NOISE} of the image's
 * value range (its 0.01 in units of ImageNet's ~0.23 std is about 0.6 % of 0–255), seeded.
 */
public final class Road {

    /** Noise of the imputation, as a fraction of the image's value range. */
    public static final double NOISE = 0.006;
    /** The percentiles of {@code ROADCombined}. */
    public static final int[] PERCENTILES = {10, 20, 30, 40, 50, 60, 70, 80, 90};

    private static final int[][] OFFSETS = {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}};
    private static final double[] WEIGHTS = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0,
        1 / 6.0};

    /** The target's confidence for each image. */
    @FunctionalInterface
    public interface Scorer {
        double[] scores(List<InputImage> images);
    }

    private Road() {}

    /**
     * {@code image} with the pixels where {@code keep} is false replaced by the noisy linear imputation: per channel,
     * the solution of {@code (Σ_valid w) x_i − Σ_removed w x_j = Σ_kept w v_j} over the removed pixels (conjugate
     * gradients; the system is symmetric positive definite when any pixel is kept), plus N(0, σ²).
     */
    public static InputImage impute(InputImage image, boolean[] keep, double noise, Random random) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        int[] index = new int[n];
        int unknowns = 0;
        for (int i = 0; i < n; i++) {
            index[i] = keep[i] ? -1 : unknowns++;
        }
        float[] data = image.data().clone();
        if (unknowns == 0) {
            return new InputImage(w, h, image.channels(), data, image.kind());
        }
        if (unknowns == n) {
            // nothing kept (a constant map removes every pixel: its ties are all at the threshold): each channel's
            // mean, the only linear fill without a known neighbour
            return meanFilled(image, noise, random);
        }
        int[] where = new int[unknowns];
        double[] diagonal = new double[unknowns];
        for (int i = 0; i < n; i++) {
            if (index[i] >= 0) {
                where[index[i]] = i;
            }
        }
        for (int u = 0; u < unknowns; u++) {
            int x = where[u] % w;
            int y = where[u] / w;
            for (int k = 0; k < OFFSETS.length; k++) {
                int xx = x + OFFSETS[k][1];
                int yy = y + OFFSETS[k][0];
                if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                    diagonal[u] += WEIGHTS[k];
                }
            }
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : data) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double sigma = noise * (hi - lo);
        for (int c = 0; c < image.channels(); c++) {
            int off = c * n;
            double[] b = new double[unknowns];
            for (int u = 0; u < unknowns; u++) {
                int x = where[u] % w;
                int y = where[u] / w;
                for (int k = 0; k < OFFSETS.length; k++) {
                    int xx = x + OFFSETS[k][1];
                    int yy = y + OFFSETS[k][0];
                    if (xx >= 0 && yy >= 0 && xx < w && yy < h && index[yy * w + xx] < 0) {
                        b[u] += WEIGHTS[k] * data[off + yy * w + xx];
                    }
                }
            }
            double[] solution = conjugateGradients(b, diagonal, where, index, w, h);
            for (int u = 0; u < unknowns; u++) {
                data[off + where[u]] = (float) (solution[u] + sigma * random.nextGaussian());
            }
        }
        return new InputImage(w, h, image.channels(), data, image.kind());
    }

    private static InputImage meanFilled(InputImage image, double noise, Random random) {
        int n = image.width() * image.height();
        float[] data = image.data().clone();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float v : data) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        for (int c = 0; c < image.channels(); c++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += data[c * n + i];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                data[c * n + i] = (float) (mean + noise * (hi - lo) * random.nextGaussian());
            }
        }
        return new InputImage(image.width(), image.height(), image.channels(), data, image.kind());
    }

    /** {@code M v} of the imputation system: diagonal minus the weights of removed neighbours. */
    private static double[] times(double[] v, double[] diagonal, int[] where, int[] index, int w, int h) {
        double[] out = new double[v.length];
        for (int u = 0; u < v.length; u++) {
            int x = where[u] % w;
            int y = where[u] / w;
            double s = diagonal[u] * v[u];
            for (int k = 0; k < OFFSETS.length; k++) {
                int xx = x + OFFSETS[k][1];
                int yy = y + OFFSETS[k][0];
                if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                    int j = index[yy * w + xx];
                    if (j >= 0) {
                        s -= WEIGHTS[k] * v[j];
                    }
                }
            }
            out[u] = s;
        }
        return out;
    }

    /**
     * Conjugate gradients preconditioned by the diagonal, from the kept neighbours' weighted mean, to a residual of
     * 1e-4 of the right-hand side's (a hundredth of a gray level on 8-bit images: far below the noise added).
     */
    private static double[] conjugateGradients(double[] b, double[] diagonal, int[] where, int[] index, int w, int h) {
        int n = b.length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = b[i] / diagonal[i];
        }
        double[] mx = times(x, diagonal, where, index, w, h);
        double[] r = new double[n];
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = b[i] - mx[i];
            z[i] = r[i] / diagonal[i];
        }
        double[] p = z.clone();
        double rz = dot(r, z);
        double stop = 1e-8 * Math.max(1e-30, dot(b, b));
        for (int it = 0; it < 10 * n && dot(r, r) > stop; it++) {
            double[] mp = times(p, diagonal, where, index, w, h);
            double alpha = rz / dot(p, mp);
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * mp[i];
                z[i] = r[i] / diagonal[i];
            }
            double next = dot(r, z);
            for (int i = 0; i < n; i++) {
                p[i] = z[i] + next / rz * p[i];
            }
            rz = next;
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** numpy's {@code percentile} (linear interpolation) of {@code values}. */
    static double percentile(float[] values, double p) {
        float[] s = values.clone();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(s.length - 1, i + 1);
        return s[i] + (pos - i) * (s[j] - s[i]);
    }

    /**
     * Which pixels stay for percentile {@code p}: MoRF keeps {@code map < percentile(map, p)}; LeRF keeps
     * {@code 1 − map < percentile(1 − map, p)}, as pytorch-grad-cam's {@code RemoveMostRelevantFirst} /
     * {@code RemoveLeastRelevantFirst}.
     */
    static boolean[] kept(float[] map, double p, boolean mostRelevantFirst) {
        float[] m = map;
        if (!mostRelevantFirst) {
            m = new float[map.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = 1 - map[i];
            }
        }
        double t = percentile(m, p);
        boolean[] keep = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            keep[i] = m[i] < t;
        }
        return keep;
    }

    /** ROAD of one map: the confidence changes of MoRF and LeRF per percentile, and the combined score. */
    public record Result(double[] mostRelevantFirst, double[] leastRelevantFirst, double combined) {}

    /**
     * ROAD for {@code image} and {@code map} (image size, in [0, 1]); {@code base} is the image's own confidence. All
     * 18 perturbed images are scored in one call.
     */
    public static Result road(InputImage image, float[] map, double base, Scorer scorer, Random random) {
        List<InputImage> batch = new ArrayList<>();
        for (boolean morf : new boolean[] {true, false}) {
            for (int p : PERCENTILES) {
                batch.add(impute(image, kept(map, p, morf), NOISE, random));
            }
        }
        double[] s = scorer.scores(batch);
        int k = PERCENTILES.length;
        double[] morf = new double[k];
        double[] lerf = new double[k];
        double sumM = 0;
        double sumL = 0;
        for (int i = 0; i < k; i++) {
            morf[i] = s[i] - base;
            lerf[i] = s[k + i] - base;
            sumM += morf[i];
            sumL += lerf[i];
        }
        return new Result(morf, lerf, (sumL / k - sumM / k) / 2);
    }

    /** {@code image ⊙ map} (map in [0, 1], one value per pixel, every channel). */
    public static InputImage multiplied(InputImage image, float[] map) {
        int n = image.width() * image.height();
        float[] d = image.data().clone();
        for (int c = 0; c < image.channels(); c++) {
            for (int i = 0; i < n; i++) {
                d[c * n + i] *= map[i];
            }
        }
        return new InputImage(image.width(), image.height(), image.channels(), d, image.kind());
    }
}
