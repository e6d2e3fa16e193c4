package sc.fiji.gradcam.api.image;

/** Renders maps as packed RGB pixels: colour-mapped heatmaps, blends over an image, signed gradients. */
public final class Heatmap {

    private Heatmap() {}

    /** Display RGB of an image: 8-bit as is, others scaled between their 1st and 99.8th percentiles. */
    public static int[] display(InputImage image) {
        int n = image.width() * image.height();
        double lo = 0;
        double hi = 255;
        if (image.kind() != PixelKind.UINT8) {
            double[] lh = Preprocessor.inputRange(image, new Preprocessing(1, 1, 1, ResizeMode.STRETCH, 0, 1,
                    Preprocessing.DEFAULT_LOW_PERCENTILE, Preprocessing.DEFAULT_HIGH_PERCENTILE));
            lo = lh[0];
            hi = lh[1];
        }
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            int[] c = new int[3];
            for (int k = 0; k < 3; k++) {
                float v = image.data()[Math.min(k, image.channels() - 1) * n + i];
                c[k] = (int) Math.max(0, Math.min(255, Math.round((v - lo) / (hi - lo) * 255)));
            }
            rgb[i] = (c[0] << 16) | (c[1] << 8) | c[2];
        }
        return rgb;
    }

    /** Colour-mapped map (values in [0, 1]) blended over {@code base} with the given opacity. */
    public static int[] blend(int[] base, float[] map, ColorMap lut, double opacity) {
        int[] out = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            int h = lut.rgb(map[i]);
            int r = mix(base[i] >> 16 & 255, h >> 16 & 255, opacity);
            int g = mix(base[i] >> 8 & 255, h >> 8 & 255, opacity);
            int b = mix(base[i] & 255, h & 255, opacity);
            out[i] = (r << 16) | (g << 8) | b;
        }
        return out;
    }

    /** Colour-mapped map without a base image. */
    public static int[] colour(float[] map, ColorMap lut) {
        int[] out = new int[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = lut.rgb(map[i]);
        }
        return out;
    }

    /**
     * A signed multi-channel gradient map as RGB, the usual way guided backprop is shown: each channel
     * centred at gray and scaled by the largest magnitude (one channel: gray).
     */
    public static int[] signed(float[] planar, int width, int height, int channels) {
        int n = width * height;
        double max = 1e-30;
        for (float v : planar) {
            max = Math.max(max, Math.abs(v));
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int[] c = new int[3];
            for (int k = 0; k < 3; k++) {
                float v = planar[Math.min(k, channels - 1) * n + i];
                c[k] = (int) Math.max(0, Math.min(255, Math.round(127.5 + 127.5 * v / max)));
            }
            out[i] = (c[0] << 16) | (c[1] << 8) | c[2];
        }
        return out;
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a * (1 - t) + b * t);
    }
}
