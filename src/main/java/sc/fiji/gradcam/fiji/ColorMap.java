package sc.fiji.gradcam.fiji;

import ij.plugin.LutLoader;
import ij.process.LUT;
import java.util.Arrays;

/**
 * Colour maps for heatmaps: ImageJ's Fire and Grays, and polynomial fits of Turbo (Google, 2019) and
 * matplotlib's Magma, so that no LUT file is needed.
 */
public enum ColorMap {
    FIRE("Fire"),
    TURBO("Turbo"),
    MAGMA("Magma"),
    GRAYS("Grays");

    /** Choices for command parameters. */
    public static final String[] NAMES = Arrays.stream(values()).map(ColorMap::title).toArray(String[]::new);

    private final String title;
    private volatile int[] rgb;

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
        throw new IllegalArgumentException("Unknown LUT '" + s + "'. Valid: " + String.join(", ", NAMES) + ".");
    }

    /** Packed RGB of a value in [0, 1] (clamped). */
    public int rgb(double v) {
        int i = (int) Math.round(Math.max(0, Math.min(1, Double.isNaN(v) ? 0 : v)) * 255);
        return table()[i];
    }

    public LUT lut() {
        byte[][] c = new byte[3][256];
        int[] t = table();
        for (int i = 0; i < 256; i++) {
            c[0][i] = (byte) (t[i] >> 16);
            c[1][i] = (byte) (t[i] >> 8);
            c[2][i] = (byte) t[i];
        }
        return new LUT(c[0], c[1], c[2]);
    }

    private int[] table() {
        int[] t = rgb;
        if (t == null) {
            t = new int[256];
            if (this == FIRE || this == GRAYS) {
                var cm = LutLoader.getLut(this == FIRE ? "fire" : "grays");
                for (int i = 0; i < 256; i++) {
                    t[i] = cm.getRGB(i) & 0xffffff;
                }
            } else {
                for (int i = 0; i < 256; i++) {
                    double x = i / 255.0;
                    t[i] = this == TURBO ? turbo(x) : magma(x);
                }
            }
            rgb = t;
        }
        return t;
    }

    private static int turbo(double x) {
        double x2 = x * x;
        double x3 = x2 * x;
        double x4 = x2 * x2;
        double x5 = x4 * x;
        return pack(0.13572138 + 4.61539260 * x - 42.66032258 * x2 + 132.13108234 * x3 - 152.94239396 * x4
                        + 59.28637943 * x5,
                0.09140261 + 2.19418839 * x + 4.84296658 * x2 - 14.18503333 * x3 + 4.27729857 * x4
                        + 2.82956604 * x5,
                0.10667330 + 12.64194608 * x - 60.58204836 * x2 + 110.36276771 * x3 - 89.90310912 * x4
                        + 27.34824973 * x5);
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
