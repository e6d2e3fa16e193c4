package sc.fiji.gradcam.fiji;

import java.awt.Rectangle;
import sc.fiji.gradcam.explain.MapImage;

/** The bounding box of a map's largest hot region: pixels above a fraction of the maximum, 8-connected. */
public final class HotRegion {

    /** Default threshold: 15% of the map's maximum. */
    public static final double DEFAULT_FRACTION = 0.15;

    private HotRegion() {}

    /** The box of the largest 8-connected component above {@code fraction × max}; null for an empty map. */
    public static Rectangle box(MapImage map, double fraction) {
        int w = map.width();
        int h = map.height();
        float[] v = map.data();
        double max = map.max();
        if (!(max > 0)) {
            return null;
        }
        double threshold = fraction * max;
        boolean[] seen = new boolean[w * h];
        int[] queue = new int[w * h];
        Rectangle best = null;
        int bestSize = 0;
        for (int start = 0; start < w * h; start++) {
            if (seen[start] || v[start] <= threshold) {
                continue;
            }
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            seen[start] = true;
            int x0 = w, y0 = h, x1 = -1, y1 = -1;
            while (head < tail) {
                int p = queue[head++];
                int x = p % w;
                int y = p / w;
                x0 = Math.min(x0, x);
                x1 = Math.max(x1, x);
                y0 = Math.min(y0, y);
                y1 = Math.max(y1, y);
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        int ny = y + dy;
                        int q = ny * w + nx;
                        if (nx >= 0 && ny >= 0 && nx < w && ny < h && !seen[q] && v[q] > threshold) {
                            seen[q] = true;
                            queue[tail++] = q;
                        }
                    }
                }
            }
            if (tail > bestSize) {
                bestSize = tail;
                best = new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
            }
        }
        return best;
    }
}
