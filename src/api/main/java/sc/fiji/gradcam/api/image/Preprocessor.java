package sc.fiji.gradcam.api.image;

import java.util.Arrays;

/** Turns an {@link InputImage} into a model input (NHWC, one image) and says where it sits in the image. */
public final class Preprocessor {

    private Preprocessor() {}

    /** A model input for one image: {@code values[(v * width + u) * channels + c]}, and its placement. */
    public record ModelInput(float[] values, Geometry geometry) {}

    public static ModelInput prepare(InputImage image, Preprocessing p) {
        int fromC = image.channels();
        int toC = p.channels();
        if (fromC != toC && !(fromC == 1 || (fromC == 3 && toC == 1))) {
            throw new IllegalArgumentException("The image has " + fromC + " channels but the model expects " + toC
                    + ". Fix: convert the image (e.g. to RGB or 8-bit gray) or choose a model for " + fromC
                    + "-channel images.");
        }
        long bad = image.firstNonFinite();
        if (bad >= 0) {
            long plane = (long) image.width() * image.height();
            throw new IllegalArgumentException("The image has a NaN or infinite value at x=" + (bad % plane % image.width())
                    + ", y=" + (bad % plane / image.width()) + ". Fix: replace them first (e.g. Process › Math › Remove NaNs).");
        }
        double[] lohi = inputRange(image, p);
        double lo = lohi[0];
        double scale = (p.rangeMax() - p.rangeMin()) / (lohi[1] - lohi[0]);
        Geometry g = Geometry.of(p.resize(), image.width(), image.height(), p.width(), p.height());
        float[] out = new float[p.width() * p.height() * toC];
        float[] pixel = new float[fromC];
        int plane = image.width() * image.height();
        if (g.scaleX() == 1 && g.scaleY() == 1 && g.offsetX() == 0 && g.offsetY() == 0) {
            // the image already has the model's size: no resampling, only channels and range
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < fromC; c++) {
                    pixel[c] = image.at(c, i);
                }
                for (int c = 0; c < toC; c++) {
                    float raw = channel(pixel, fromC, toC, c);
                    out[i * toC + c] = (float) (p.rangeMin() + (raw - lo) * scale);
                }
            }
            return new ModelInput(out, g);
        }
        // the sampling positions depend on u or v alone: computed once per column and per row
        double[] xs = new double[p.width()];
        boolean[] outsideX = new boolean[p.width()];
        for (int u = 0; u < p.width(); u++) {
            xs[u] = g.imageX(u);
            outsideX[u] = xs[u] < -0.5 || xs[u] > image.width() - 0.5;
        }
        double[] ys = new double[p.height()];
        for (int v = 0; v < p.height(); v++) {
            ys[v] = g.imageY(v);
        }
        Bilinear.Taps tx = new Bilinear.Taps(xs, image.width());
        Bilinear.Taps ty = new Bilinear.Taps(ys, image.height());
        // unless the image is shrunk, area() is one bilinear sample: the precomputed taps give the same value faster
        boolean shrinks = (int) Math.ceil(g.scaleX() - 1e-9) > 1 || (int) Math.ceil(g.scaleY() - 1e-9) > 1;
        for (int v = 0; v < p.height(); v++) {
            boolean outsideY = ys[v] < -0.5 || ys[v] > image.height() - 0.5;
            for (int u = 0; u < p.width(); u++) {
                int o = (v * p.width() + u) * toC;
                if (outsideY || outsideX[u]) {
                    Arrays.fill(out, o, o + toC, (float) p.rangeMin());
                    continue;
                }
                for (int c = 0; c < fromC; c++) {
                    pixel[c] = shrinks ? area(image, c, xs[u], ys[v], g.scaleX(), g.scaleY())
                            : Bilinear.sample(image, c, tx, u, ty, v);
                }
                for (int c = 0; c < toC; c++) {
                    float raw = channel(pixel, fromC, toC, c);
                    out[o + c] = (float) (p.rangeMin() + (raw - lo) * scale);
                }
            }
        }
        return new ModelInput(out, g);
    }

    /** Channel c of the model input from an image pixel: as is, gray replicated, or RGB luminance. */
    private static float channel(float[] pixel, int fromC, int toC, int c) {
        if (fromC == toC) {
            return pixel[c];
        }
        return fromC == 1 ? pixel[0] : 0.299f * pixel[0] + 0.587f * pixel[1] + 0.114f * pixel[2];
    }

    /**
     * The image value over the footprint of one model pixel centred at (x, y): bilinear where the image is
     * enlarged, the mean of an n×n grid of bilinear samples where it is shrunk by n (no aliasing).
     */
    static float area(InputImage image, int c, double x, double y, double scaleX, double scaleY) {
        int nx = (int) Math.ceil(scaleX - 1e-9);
        int ny = (int) Math.ceil(scaleY - 1e-9);
        if (nx <= 1 && ny <= 1) {
            return Bilinear.sample(image, c, x, y);
        }
        double sum = 0;
        for (int j = 0; j < ny; j++) {
            double yy = y + ((j + 0.5) / ny - 0.5) * scaleY;
            for (int i = 0; i < nx; i++) {
                double xx = x + ((i + 0.5) / nx - 0.5) * scaleX;
                sum += Bilinear.sample(image, c, xx, yy);
            }
        }
        return (float) (sum / (nx * ny));
    }

    /** The image values that map to the ends of the model range: type range for 8-bit, percentiles otherwise. */
    static double[] inputRange(InputImage image, Preprocessing p) {
        if (p.raw()) {
            return new double[] {p.rangeMin(), p.rangeMax()};
        }
        if (image.kind() == PixelKind.UINT8 && !(p.percentilesFor8Bit() && image.channels() == 1)) {
            return new double[] {0, 255};
        }
        double[] lh = Percentiles.of(image, p.lowPercentile(), p.highPercentile());
        double lo = lh[0];
        double hi = lh[1];
        if (hi <= lo) {
            hi = lo + 1;
        }
        return new double[] {lo, hi};
    }

    static double percentile(float[] sorted, double pct) {
        double pos = Math.max(0, Math.min(sorted.length - 1, pct / 100.0 * (sorted.length - 1)));
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (sorted[j] - sorted[i]) * (pos - i);
    }
}
