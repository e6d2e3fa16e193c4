package sc.fiji.gradcam.image;

import java.util.List;

/** Colour maps for heatmaps: a value in [0, 1] to packed RGB, by piecewise-linear interpolation of anchors. */
public enum ColorMap {
    FIRE(new int[][] {{0, 0, 0}, {0, 0, 160}, {128, 0, 200}, {220, 40, 40}, {255, 160, 0}, {255, 255, 0},
        {255, 255, 255}}),
    JET(new int[][] {{0, 0, 128}, {0, 0, 255}, {0, 255, 255}, {255, 255, 0}, {255, 0, 0}, {128, 0, 0}}),
    MAGMA(new int[][] {{0, 0, 4}, {59, 15, 112}, {140, 41, 129}, {222, 73, 104}, {254, 159, 109}, {252, 253, 191}}),
    GRAYS(new int[][] {{0, 0, 0}, {255, 255, 255}});

    private final int[][] anchors;

    ColorMap(int[][] anchors) {
        this.anchors = anchors;
    }

    /** Packed 0xRRGGBB of value v (clamped to [0, 1]). */
    public int rgb(double v) {
        double t = Math.max(0, Math.min(1, Double.isNaN(v) ? 0 : v)) * (anchors.length - 1);
        int i = Math.min((int) t, anchors.length - 2);
        double f = t - i;
        int r = (int) Math.round(anchors[i][0] + f * (anchors[i + 1][0] - anchors[i][0]));
        int g = (int) Math.round(anchors[i][1] + f * (anchors[i + 1][1] - anchors[i][1]));
        int b = (int) Math.round(anchors[i][2] + f * (anchors[i + 1][2] - anchors[i][2]));
        return (r << 16) | (g << 8) | b;
    }

    public static ColorMap parse(String s) {
        for (ColorMap m : values()) {
            if (m.name().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown colour map '" + s + "'. Valid: " + names() + ".");
    }

    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(m -> m.name().charAt(0) + m.name().substring(1).toLowerCase())
                .toList();
    }
}
