package sc.fiji.gradcam.api.image;

import java.util.Arrays;

/**
 * Colour maps for heatmaps, the same in Fiji and in the CLI's PNGs: a value in [0, 1] to packed RGB.
 * Fire, Jet and Grays are piecewise linear; Turbo (Google, 2019) and Magma (matplotlib) are polynomial fits.
 */
public enum ColorMap {
    FIRE("Fire"),
    JET("Jet"),
    TURBO("Turbo"),
    MAGMA("Magma"),
    GRAYS("Grays");

    /** Choices for command parameters. */
    public static final String[] NAMES = Arrays.stream(values()).map(ColorMap::title).toArray(String[]::new);

    private static final int[][] FIRE_ANCHORS = {{0, 0, 0}, {0, 0, 160}, {128, 0, 200}, {220, 40, 40},
        {255, 160, 0}, {255, 255, 0}, {255, 255, 255}};
    private static final int[][] JET_ANCHORS = {{0, 0, 128}, {0, 0, 255}, {0, 255, 255}, {255, 255, 0},
        {255, 0, 0}, {128, 0, 0}};
    private static final int[][] GRAY_ANCHORS = {{0, 0, 0}, {255, 255, 255}};

    private final String title;
    private volatile int[] table;

    ColorMap(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    public static ColorMap parse(String s) {
        for (ColorMap m : values()) {
            if (m.title.equalsIgnoreCase(s == null ? "" : s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown colour map '" + s + "'. Valid: " + String.join(", ", NAMES) + ".");
    }

    /** Packed 0xRRGGBB of value v (clamped to [0, 1]; NaN as 0). */
    public int rgb(double v) {
        int i = (int) Math.round(Math.max(0, Math.min(1, Double.isNaN(v) ? 0 : v)) * 255);
        return table()[i];
    }

    /** The 256-entry table, index i for value i / 255. */
    public int[] table() {
        int[] t = table;
        if (t == null) {
            t = new int[256];
            for (int i = 0; i < 256; i++) {
                double x = i / 255.0;
                t[i] = switch (this) {
                    case FIRE -> linear(FIRE_ANCHORS, x);
                    case JET -> linear(JET_ANCHORS, x);
                    case GRAYS -> linear(GRAY_ANCHORS, x);
                    case TURBO -> turbo(x);
                    case MAGMA -> magma(x);
                };
            }
            table = t;
        }
        return t;
    }

    private static int linear(int[][] anchors, double x) {
        double t = x * (anchors.length - 1);
        int i = Math.min((int) t, anchors.length - 2);
        double f = t - i;
        int[] a = anchors[i];
        int[] b = anchors[i + 1];
        return pack((a[0] + f * (b[0] - a[0])) / 255, (a[1] + f * (b[1] - a[1])) / 255, (a[2] + f * (b[2] - a[2])) / 255);
    }

    private static int turbo(double x) {
        return pack(poly(x, 0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943),
                poly(x, 0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604),
                poly(x, 0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973));
    }

    private static int magma(double t) {
        return pack(poly(t, -0.002136485053939582, 0.2516605407371642, 8.353717279216625, -27.66873308576866,
                        52.17613981234068, -50.76852536473588, 18.65570506591883),
                poly(t, -0.000749655052795221, 0.6775232436837668, -3.577719514958484, 14.26473078096533,
                        -27.94360607168351, 29.04658282127291, -11.48977351997711),
                poly(t, -0.005386127855323933, 2.494026599312351, 0.3144679030132573, -13.64921318813922,
                        12.94416944238394, 4.23415299384598, -5.601961508734096));
    }

    private static double poly(double t, double... c) {
        double v = 0;
        for (int i = c.length - 1; i >= 0; i--) {
            v = v * t + c[i];
        }
        return v;
    }

    private static int pack(double r, double g, double b) {
        return (channel(r) << 16) | (channel(g) << 8) | channel(b);
    }

    private static int channel(double v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
