package sc.fiji.gradcam.api;

/**
 * A map at an image's size whose values are computed when read, band by band of rows: how image-size maps reach the
 * writers without being held (a 20000 × 20000 map is 1.6 GB of floats). {@link #image} holds it whole.
 */
public interface MapSource {

    /** Rows per band that keep a band near a million values. */
    int BAND_VALUES = 1 << 20;

    int width();

    int height();

    int channels();

    /** Rows {@code y0 ≤ y < y1} of every channel into {@code out}: {@code out[(c × (y1 − y0) + y − y0) × width + x]}. */
    void rows(int y0, int y1, float[] out);

    /** A band height for this map: about {@link #BAND_VALUES} values, at least one row. */
    default int bandRows() {
        return (int) Math.max(1, Math.min(height(), BAND_VALUES / ((long) width() * channels())));
    }

    /** The whole map, held (planar, as {@link MapImage}). */
    default MapImage image() {
        float[] data = new float[Math.multiplyExact(Math.multiplyExact(width(), height()), channels())];
        if (channels() == 1) {
            rows(0, height(), data);
        } else {
            int plane = width() * height();
            int band = bandRows();
            float[] buf = new float[band * width() * channels()];
            for (int y0 = 0; y0 < height(); y0 += band) {
                int y1 = Math.min(height(), y0 + band);
                int n = (y1 - y0) * width();
                rows(y0, y1, buf);
                for (int c = 0; c < channels(); c++) {
                    System.arraycopy(buf, c * n, data, c * plane + y0 * width(), n);
                }
            }
        }
        return new MapImage(width(), height(), channels(), data);
    }

    /** The largest absolute value (read band by band). */
    default float maxAbs() {
        int band = bandRows();
        float[] buf = new float[band * width() * channels()];
        float max = 0;
        for (int y0 = 0; y0 < height(); y0 += band) {
            int y1 = Math.min(height(), y0 + band);
            rows(y0, y1, buf);
            int n = (y1 - y0) * width() * channels();
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(buf[i]));
            }
        }
        return max;
    }

    /** A held map as a source. */
    static MapSource of(MapImage map) {
        return new Held(map.width(), map.height(), map.channels(), map);
    }

    /** A held map read band by band. */
    record Held(int width, int height, int channels, MapImage map) implements MapSource {

        @Override
        public void rows(int y0, int y1, float[] out) {
            int n = (y1 - y0) * width;
            for (int c = 0; c < channels; c++) {
                System.arraycopy(map.data(), (c * height + y0) * width, out, c * n, n);
            }
        }

        @Override
        public MapImage image() {
            return map;
        }
    }
}
