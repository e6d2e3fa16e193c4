package sc.fiji.gradcam.image;

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
        for (int y = 0; y < height; y++) {
            double v = g.modelV(y);
            boolean insideY = v >= -0.5 && v <= g.modelHeight() - 0.5;
            double fy = (v + 0.5) * toFeatureY - 0.5;
            for (int x = 0; x < width; x++) {
                double u = g.modelU(x);
                if (!insideY || u < -0.5 || u > g.modelWidth() - 0.5) {
                    continue;
                }
                out[y * width + x] = Bilinear.sample(map, 0, fw, fh, (u + 0.5) * toFeatureX - 0.5, fy);
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
