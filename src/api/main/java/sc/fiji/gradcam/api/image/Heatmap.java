package sc.fiji.gradcam.api.image;

import sc.fiji.gradcam.api.MapSource;

/** Renders maps as packed RGB pixels: colour-mapped heatmaps, blends over an image, signed gradients. */
public final class Heatmap {

    private Heatmap() {}

    /** Display RGB of an image: 8-bit as is, others scaled between their 1st and 99.8th percentiles. */
    public static int[] display(InputImage image) {
        Display d = Display.of(image);
        int n = image.width() * image.height();
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = d.rgb(i);
        }
        return rgb;
    }

    /** How an image is shown as RGB: its display range, found once; pixels are converted when read. */
    public static final class Display {
        private final InputImage image;
        private final double lo;
        private final double hi;

        private Display(InputImage image, double lo, double hi) {
            this.image = image;
            this.lo = lo;
            this.hi = hi;
        }

        /** 8-bit: 0..255; others: between the 1st and 99.8th percentiles of all values. */
        public static Display of(InputImage image) {
            if (image.kind() == PixelKind.UINT8) {
                return new Display(image, 0, 255);
            }
            double[] lh = Preprocessor.inputRange(image, new Preprocessing(1, 1, 1, ResizeMode.STRETCH, 0, 1,
                    Preprocessing.DEFAULT_LOW_PERCENTILE, Preprocessing.DEFAULT_HIGH_PERCENTILE));
            return new Display(image, lh[0], lh[1]);
        }

        /** The packed RGB of pixel {@code i = y * width + x}. */
        public int rgb(int i) {
            int last = image.channels() - 1;
            return level(image.at(0, i)) << 16 | level(image.at(Math.min(1, last), i)) << 8
                    | level(image.at(Math.min(2, last), i));
        }

        private int level(float v) {
            return (int) Math.max(0, Math.min(255, Math.round((v - lo) / (hi - lo) * 255)));
        }
    }

    /**
     * Rows {@code y0 ≤ y < y1} of the colour-mapped one-channel {@code map} blended over the image with the given
     * opacity, as {@link #blend} does them, into {@code out[(y - y0) * width + x]}.
     */
    public static void blendRows(Display base, MapSource map, int y0, int y1, ColorMap lut, double opacity,
            int[] out) {
        int w = map.width();
        float[] values = new float[(y1 - y0) * w];
        map.rows(y0, y1, values);
        for (int j = 0; j < values.length; j++) {
            out[j] = blend(base.rgb(y0 * w + j), values[j], lut, opacity);
        }
    }

    /** Colour-mapped map (values in [0, 1]) blended over {@code base} with the given opacity. */
    public static int[] blend(int[] base, float[] map, ColorMap lut, double opacity) {
        int[] out = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = blend(base[i], map[i], lut, opacity);
        }
        return out;
    }

    private static int blend(int base, float value, ColorMap lut, double opacity) {
        int h = lut.rgb(value);
        int r = mix(base >> 16 & 255, h >> 16 & 255, opacity);
        int g = mix(base >> 8 & 255, h >> 8 & 255, opacity);
        int b = mix(base & 255, h & 255, opacity);
        return (r << 16) | (g << 8) | b;
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
        double max = 1e-30;
        for (float v : planar) {
            max = Math.max(max, Math.abs(v));
        }
        int[] out = new int[width * height];
        signed(planar, width * height, channels, max, out);
        return out;
    }

    /** Rows {@code y0 ≤ y < y1} of {@link #signed(float[], int, int, int)}, scaled by {@code max} (≥ 1e-30). */
    public static void signedRows(MapSource map, double max, int y0, int y1, int[] out) {
        int n = (y1 - y0) * map.width();
        float[] band = new float[n * map.channels()];
        map.rows(y0, y1, band);
        signed(band, n, map.channels(), Math.max(1e-30, max), out);
    }

    private static void signed(float[] planar, int n, int channels, double max, int[] out) {
        int last = channels - 1;
        for (int i = 0; i < n; i++) {
            out[i] = signedLevel(planar[i], max) << 16 | signedLevel(planar[Math.min(1, last) * n + i], max) << 8
                    | signedLevel(planar[Math.min(2, last) * n + i], max);
        }
    }

    private static int signedLevel(float v, double max) {
        return (int) Math.max(0, Math.min(255, Math.round(127.5 + 127.5 * v / max)));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a * (1 - t) + b * t);
    }
}
