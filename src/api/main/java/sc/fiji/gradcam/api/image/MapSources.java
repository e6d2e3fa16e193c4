package sc.fiji.gradcam.api.image;

import sc.fiji.gradcam.api.MapSource;

/**
 * The image-size maps of an explanation as {@link MapSource}s, from what the model gave at its own resolution:
 * nothing image-size is held until a writer or a viewer reads rows.
 */
public final class MapSources {

    private MapSources() {}

    /**
     * A feature-resolution map ({@code fw}×{@code fh}) upsampled onto a {@code width}×{@code height} image through
     * {@code g}, divided by {@code divisor} and clipped to [0, 1] when {@code divisor > 0} (the Grad-CAM family),
     * else as is.
     */
    public static MapSource upsampled(float[] map, int fw, int fh, Geometry g, int width, int height,
            double divisor) {
        return new Upsampled(new float[][] {map}, new MapResampler.Rows(fw, fh, g, width, height), width, height,
                divisor);
    }

    /** A model-resolution map, {@code values[(v × modelWidth + u) × channels + c]}, on the image (the gradients). */
    public static MapSource modelResolution(float[] values, int channels, Geometry g, int width, int height) {
        return new Upsampled(MapResampler.planes(values, channels, g.modelWidth() * g.modelHeight()),
                new MapResampler.Rows(g.modelWidth(), g.modelHeight(), g, width, height), width, height, 0);
    }

    /** Every channel of {@code map} times the one channel of {@code weight}, pointwise (Guided Grad-CAM). */
    public static MapSource product(MapSource map, MapSource weight) {
        if (map.width() != weight.width() || map.height() != weight.height() || weight.channels() != 1) {
            throw new IllegalArgumentException("A product of a " + map.width() + "×" + map.height() + " map and a "
                    + weight.width() + "×" + weight.height() + "×" + weight.channels() + " weight");
        }
        return new Product(map, weight, map.width(), map.height(), map.channels());
    }

    private record Product(MapSource map, MapSource weight, int width, int height, int channels)
            implements MapSource {

        @Override
        public void rows(int y0, int y1, float[] out) {
            int n = (y1 - y0) * width;
            float[] w = new float[n];
            map.rows(y0, y1, out);
            weight.rows(y0, y1, w);
            for (int c = 0; c < channels; c++) {
                for (int j = 0; j < n; j++) {
                    out[c * n + j] = out[c * n + j] * w[j];
                }
            }
        }
    }

    private record Upsampled(float[][] planes, MapResampler.Rows sampling, int width, int height, double divisor)
            implements MapSource {

        @Override
        public int channels() {
            return planes.length;
        }

        @Override
        public void rows(int y0, int y1, float[] out) {
            int n = (y1 - y0) * width;
            for (int c = 0; c < planes.length; c++) {
                sampling.fill(planes[c], y0, y1, out, c * n);
            }
            if (divisor > 0) {
                int all = n * planes.length;
                for (int j = 0; j < all; j++) {
                    out[j] = (float) Math.min(1.0, Math.max(0.0, out[j] / divisor));
                }
            }
        }
    }
}
