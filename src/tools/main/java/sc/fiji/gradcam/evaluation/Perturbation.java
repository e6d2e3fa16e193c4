package sc.fiji.gradcam.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/**
 * Deletion and insertion curves (Petsiuk et al., RISE, BMVC 2018): pixels are taken in decreasing order of
 * the map's value and, in {@code steps} equal portions, replaced by a baseline image (deletion) or copied
 * from the image into the baseline (insertion). The model's target probability on each of the
 * {@code steps + 1} images gives the curve; its area ({@link Metrics#auc}) summarises it.
 */
public final class Perturbation {

    private Perturbation() {}

    /**
     * Pixel indices by decreasing map value; ties (e.g. the zero area of a Grad-CAM map) are broken at
     * random, so that they behave like a random order.
     */
    public static int[] order(float[] map, Random random) {
        int n = map.length;
        double[] jitter = new double[n];
        for (int i = 0; i < n; i++) {
            jitter[i] = random.nextDouble();
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(map[b], map[a]);
            return c != 0 ? c : Double.compare(jitter[a], jitter[b]);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /** The {@code steps + 1} images of a deletion (or insertion) run, from 0 % to 100 % of the pixels changed. */
    public static List<InputImage> sequence(InputImage image, InputImage baseline, int[] order, int steps,
            boolean deletion) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        int c = image.channels();
        if (baseline.width() != w || baseline.height() != h || baseline.channels() != c) {
            throw new IllegalArgumentException("Baseline and image differ in size");
        }
        float[] from = deletion ? image.data() : baseline.data();
        float[] to = deletion ? baseline.data() : image.data();
        float[] current = from.clone();
        List<InputImage> out = new ArrayList<>(steps + 1);
        int done = 0;
        for (int s = 0; s <= steps; s++) {
            int upto = (int) Math.round((double) s * n / steps);
            for (; done < upto; done++) {
                int p = order[done];
                for (int k = 0; k < c; k++) {
                    current[k * n + p] = to[k * n + p];
                }
            }
            out.add(new InputImage(w, h, c, current.clone(), image.kind()));
        }
        return out;
    }

    /** A map of independent uniform random values (a random pixel order). */
    public static float[] randomMap(int w, int h, Random random) {
        float[] m = new float[w * h];
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextFloat();
        }
        return m;
    }

    /** A Gaussian bump at the image centre with sigma = {@code sigmaFraction} × min(width, height). */
    public static float[] centreGaussian(int w, int h, double sigmaFraction) {
        double s = sigmaFraction * Math.min(w, h);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        float[] m = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                m[y * w + x] = (float) Math.exp(-d2 / (2 * s * s));
            }
        }
        return m;
    }

    /** An image of the same size with every value {@code value}. */
    public static InputImage constant(InputImage like, float value) {
        float[] d = new float[like.data().length];
        Arrays.fill(d, value);
        return new InputImage(like.width(), like.height(), like.channels(), d, like.kind());
    }

    /** A Gaussian blur of every channel (separable, edges clamped). */
    public static InputImage blur(InputImage im, double sigma) {
        int w = im.width();
        int h = im.height();
        int n = w * h;
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] out = new float[im.data().length];
        float[] tmp = new float[n];
        for (int c = 0; c < im.channels(); c++) {
            int base = c * n;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) {
                        int xx = Math.max(0, Math.min(w - 1, x + i));
                        s += k[i + r] * im.data()[base + y * w + xx];
                    }
                    tmp[y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -r; i <= r; i++) {
                        int yy = Math.max(0, Math.min(h - 1, y + i));
                        s += k[i + r] * tmp[yy * w + x];
                    }
                    out[base + y * w + x] = (float) s;
                }
            }
        }
        return new InputImage(w, h, im.channels(), out, im.kind() == null ? PixelKind.FLOAT : im.kind());
    }
}
