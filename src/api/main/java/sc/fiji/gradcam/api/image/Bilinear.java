package sc.fiji.gradcam.api.image;

/** Bilinear sampling of a single-channel row-major float plane, with edge clamping. */
public final class Bilinear {

    private Bilinear() {}

    /** Value at the real position (x, y) (pixel centres at integers) of {@code plane} (offset {@code base}). */
    public static float sample(float[] plane, int base, int width, int height, double x, double y) {
        double cx = Math.max(0, Math.min(width - 1, x));
        double cy = Math.max(0, Math.min(height - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        double fx = cx - x0;
        double fy = cy - y0;
        double top = plane[base + y0 * width + x0] * (1 - fx) + plane[base + y0 * width + x1] * fx;
        double bottom = plane[base + y1 * width + x0] * (1 - fx) + plane[base + y1 * width + x1] * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /** {@link #sample(float[], int, int, int, double, double)} of channel {@code c} of an image (held or a view). */
    public static float sample(InputImage image, int c, double x, double y) {
        int width = image.width();
        int height = image.height();
        double cx = Math.max(0, Math.min(width - 1, x));
        double cy = Math.max(0, Math.min(height - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        return mix(image.at(c, y0 * width + x0), image.at(c, y0 * width + x1), image.at(c, y1 * width + x0),
                image.at(c, y1 * width + x1), cx - x0, cy - y0);
    }

    /** {@link #sample(float[], int, int, Taps, int, Taps, int)} of channel {@code c} of an image. */
    static float sample(InputImage image, int c, Taps xs, int x, Taps ys, int y) {
        int r0 = ys.i0[y] * image.width();
        int r1 = ys.i1[y] * image.width();
        return mix(image.at(c, r0 + xs.i0[x]), image.at(c, r0 + xs.i1[x]), image.at(c, r1 + xs.i0[x]),
                image.at(c, r1 + xs.i1[x]), xs.f[x], ys.f[y]);
    }

    /** The bilinear blend of the four neighbours, in the same order of operations as the array samplers. */
    private static float mix(float topLeft, float topRight, float bottomLeft, float bottomRight, double fx, double fy) {
        double top = topLeft * (1 - fx) + topRight * fx;
        double bottom = bottomLeft * (1 - fx) + bottomRight * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /**
     * Precomputed sampling positions along one axis: for each output index the two neighbouring source
     * indices and the weight of the second, exactly as {@link #sample} computes them (so results are the same
     * bit for bit), to sample many points on a grid without redoing the clamping and flooring per pixel.
     */
    static final class Taps {
        final int[] i0;
        final int[] i1;
        final double[] f;

        /** Taps for source positions {@code pos} along an axis of {@code size} pixels. */
        Taps(double[] pos, int size) {
            i0 = new int[pos.length];
            i1 = new int[pos.length];
            f = new double[pos.length];
            for (int k = 0; k < pos.length; k++) {
                double c = Math.max(0, Math.min(size - 1, pos[k]));
                i0[k] = (int) Math.floor(c);
                i1[k] = Math.min(i0[k] + 1, size - 1);
                f[k] = c - i0[k];
            }
        }
    }

    /** {@link #sample} at column taps {@code xs[x]} and row taps {@code ys[y]}. */
    static float sample(float[] plane, int base, int width, Taps xs, int x, Taps ys, int y) {
        double fx = xs.f[x];
        double fy = ys.f[y];
        int r0 = base + ys.i0[y] * width;
        int r1 = base + ys.i1[y] * width;
        double top = plane[r0 + xs.i0[x]] * (1 - fx) + plane[r0 + xs.i1[x]] * fx;
        double bottom = plane[r1 + xs.i0[x]] * (1 - fx) + plane[r1 + xs.i1[x]] * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /**
     * Resamples a {@code w}×{@code h} map to {@code outW}×{@code outH} so that both cover the same area
     * (pixel-centre alignment, like TF's {@code resize(..., half_pixel_centers=True)}).
     */
    public static float[] resize(float[] map, int w, int h, int outW, int outH) {
        float[] out = new float[outW * outH];
        double sx = (double) w / outW;
        double sy = (double) h / outH;
        for (int y = 0; y < outH; y++) {
            double my = (y + 0.5) * sy - 0.5;
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = sample(map, 0, w, h, (x + 0.5) * sx - 0.5, my);
            }
        }
        return out;
    }
}
