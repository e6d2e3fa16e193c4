package sc.fiji.gradcam.api.image;

/**
 * Brings maps back onto the image: a feature-resolution map is interpolated bilinearly to the model
 * input, then placed on the image through the inverse of the resize, crop or pad. Image pixels outside
 * the model's view (cropped away) get 0.
 */
public final class MapResampler {

    private MapResampler() {}

    /** A {@code fw}×{@code fh} feature map as an {@code width}×{@code height} image map. */
    public static float[] featureToImage(float[] map, int fw, int fh, Geometry g, int width, int height) {
        float[] out = new float[width * height];
        double toFeatureX = (double) fw / g.modelWidth();
        double toFeatureY = (double) fh / g.modelHeight();
        // the sampling positions depend on x or y alone: computed once per column and per row
        boolean[] insideX = new boolean[width];
        double[] px = new double[width];
        for (int x = 0; x < width; x++) {
            double u = g.modelU(x);
            insideX[x] = u >= -0.5 && u <= g.modelWidth() - 0.5;
            px[x] = (u + 0.5) * toFeatureX - 0.5;
        }
        boolean[] insideY = new boolean[height];
        double[] py = new double[height];
        for (int y = 0; y < height; y++) {
            double v = g.modelV(y);
            insideY[y] = v >= -0.5 && v <= g.modelHeight() - 0.5;
            py[y] = (v + 0.5) * toFeatureY - 0.5;
        }
        Bilinear.Taps xs = new Bilinear.Taps(px, fw);
        Bilinear.Taps ys = new Bilinear.Taps(py, fh);
        for (int y = 0; y < height; y++) {
            if (!insideY[y]) {
                continue;
            }
            int row = y * width;
            for (int x = 0; x < width; x++) {
                if (insideX[x]) {
                    out[row + x] = Bilinear.sample(map, 0, fw, xs, x, ys, y);
                }
            }
        }
        return out;
    }

    /**
     * A model-resolution multi-channel map ({@code values[(v * mw + u) * channels + c]}) as a planar
     * image map of {@code width}×{@code height}×channels.
     */
    public static float[] modelToImage(float[] values, int channels, Geometry g, int width, int height) {
        int mw = g.modelWidth();
        int mh = g.modelHeight();
        float[] plane = new float[mw * mh];
        float[] out = new float[width * height * channels];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = values[i * channels + c];
            }
            float[] mapped = featureToImage(plane, mw, mh, g, width, height);
            System.arraycopy(mapped, 0, out, c * width * height, mapped.length);
        }
        return out;
    }
}
