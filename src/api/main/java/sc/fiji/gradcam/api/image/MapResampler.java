package sc.fiji.gradcam.api.image;

/**
 * Brings maps back onto the image: a feature-resolution map is interpolated bilinearly to the model
 * input, then placed on the image through the inverse of the resize, crop or pad. Image pixels outside
 * the model's view (cropped away) get 0. Any band of rows can be computed on its own ({@link Rows}), with the
 * same values bit for bit as the whole map: image-size maps need never be held at once.
 */
public final class MapResampler {

    private MapResampler() {}

    /** A {@code fw}×{@code fh} feature map as an {@code width}×{@code height} image map. */
    public static float[] featureToImage(float[] map, int fw, int fh, Geometry g, int width, int height) {
        float[] out = new float[width * height];
        new Rows(fw, fh, g, width, height).fill(map, 0, height, out, 0);
        return out;
    }

    /**
     * A model-resolution multi-channel map ({@code values[(v * mw + u) * channels + c]}) as a planar
     * image map of {@code width}×{@code height}×channels.
     */
    public static float[] modelToImage(float[] values, int channels, Geometry g, int width, int height) {
        float[][] planes = planes(values, channels, g.modelWidth() * g.modelHeight());
        Rows rows = new Rows(g.modelWidth(), g.modelHeight(), g, width, height);
        float[] out = new float[width * height * channels];
        for (int c = 0; c < channels; c++) {
            rows.fill(planes[c], 0, height, out, c * width * height);
        }
        return out;
    }

    /** The channels of an interleaved map ({@code values[i * channels + c]}) as separate planes. */
    public static float[][] planes(float[] values, int channels, int plane) {
        float[][] out = new float[channels][plane];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                out[c][i] = values[i * channels + c];
            }
        }
        return out;
    }

    /** The sampling of one feature grid onto one image, computed once; rows are filled on demand. */
    public static final class Rows {
        private final int fw;
        private final int width;
        private final boolean[] insideX;
        private final boolean[] insideY;
        private final Bilinear.Taps xs;
        private final Bilinear.Taps ys;

        public Rows(int fw, int fh, Geometry g, int width, int height) {
            this.fw = fw;
            this.width = width;
            double toFeatureX = (double) fw / g.modelWidth();
            double toFeatureY = (double) fh / g.modelHeight();
            // the sampling positions depend on x or y alone: computed once per column and per row
            insideX = new boolean[width];
            double[] px = new double[width];
            for (int x = 0; x < width; x++) {
                double u = g.modelU(x);
                insideX[x] = u >= -0.5 && u <= g.modelWidth() - 0.5;
                px[x] = (u + 0.5) * toFeatureX - 0.5;
            }
            insideY = new boolean[height];
            double[] py = new double[height];
            for (int y = 0; y < height; y++) {
                double v = g.modelV(y);
                insideY[y] = v >= -0.5 && v <= g.modelHeight() - 0.5;
                py[y] = (v + 0.5) * toFeatureY - 0.5;
            }
            xs = new Bilinear.Taps(px, fw);
            ys = new Bilinear.Taps(py, fh);
        }

        /** Rows {@code y0 ≤ y < y1} of the upsampled {@code map} into {@code out} from {@code offset}, row-major. */
        public void fill(float[] map, int y0, int y1, float[] out, int offset) {
            for (int y = y0; y < y1; y++) {
                int row = offset + (y - y0) * width;
                if (!insideY[y]) {
                    java.util.Arrays.fill(out, row, row + width, 0f);
                    continue;
                }
                for (int x = 0; x < width; x++) {
                    out[row + x] = insideX[x] ? Bilinear.sample(map, 0, fw, xs, x, ys, y) : 0f;
                }
            }
        }
    }
}
