package sc.fiji.gradcam.api.image;

import java.util.ArrayDeque;

/** Binary morphology on row-major masks of width w and height h (disc structuring elements, 8-connectivity). */
public final class BinaryMasks {

    private BinaryMasks() {}

    /** Pixels within Euclidean distance {@code r} of a true pixel. */
    public static boolean[] dilate(boolean[] m, int w, int h, double r) {
        boolean[] out = new boolean[m.length];
        int ri = (int) Math.floor(r);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!m[y * w + x]) {
                    continue;
                }
                for (int dy = -ri; dy <= ri; dy++) {
                    for (int dx = -ri; dx <= ri; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (dx * dx + dy * dy <= r * r && xx >= 0 && yy >= 0 && xx < w && yy < h) {
                            out[yy * w + xx] = true;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Pixels whose whole disc of radius {@code r} is true (outside the image counts as false). */
    public static boolean[] erode(boolean[] m, int w, int h, double r) {
        boolean[] inv = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            inv[i] = !m[i];
        }
        // the border counts as background: dilate the complement padded by the image edge
        boolean[] grown = dilate(inv, w, h, r);
        boolean[] out = new boolean[m.length];
        int ri = (int) Math.floor(r);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean nearEdge = x < ri || y < ri || x >= w - ri || y >= h - ri;
                out[y * w + x] = m[y * w + x] && !grown[y * w + x] && !nearEdge;
            }
        }
        return out;
    }

    /** Removes 8-connected components smaller than {@code minSize} pixels. */
    public static boolean[] removeSmall(boolean[] m, int w, int h, int minSize) {
        int[] label = components(m, w, h);
        int[] size = sizes(label);
        boolean[] out = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = label[i] > 0 && size[label[i]] >= minSize;
        }
        return out;
    }

    /** Only the largest 8-connected component (empty if there is none). */
    public static boolean[] largest(boolean[] m, int w, int h) {
        int[] label = components(m, w, h);
        int[] size = sizes(label);
        int best = 0;
        for (int l = 1; l < size.length; l++) {
            if (best == 0 || size[l] > size[best]) {
                best = l;
            }
        }
        boolean[] out = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = best > 0 && label[i] == best;
        }
        return out;
    }

    /** Pixel count of each component label (index 0: background). */
    private static int[] sizes(int[] label) {
        int n = 0;
        for (int l : label) {
            n = Math.max(n, l);
        }
        int[] size = new int[n + 1];
        for (int l : label) {
            size[l]++;
        }
        return size;
    }

    /** The bounding box {x, y, width, height} of a mask, or null when it is empty. */
    public static int[] bounds(boolean[] m, int w) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int i = 0; i < m.length; i++) {
            if (m[i]) {
                x0 = Math.min(x0, i % w);
                x1 = Math.max(x1, i % w);
                y0 = Math.min(y0, i / w);
                y1 = Math.max(y1, i / w);
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }

    /** Fills holes: background not 4-connected to the image border becomes true. */
    public static boolean[] fillHoles(boolean[] m, int w, int h) {
        boolean[] outside = new boolean[m.length];
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int x = 0; x < w; x++) {
            seed(m, outside, q, x);
            seed(m, outside, q, (h - 1) * w + x);
        }
        for (int y = 0; y < h; y++) {
            seed(m, outside, q, y * w);
            seed(m, outside, q, y * w + w - 1);
        }
        while (!q.isEmpty()) {
            int i = q.poll();
            int x = i % w;
            int y = i / w;
            if (x > 0) {
                seed(m, outside, q, i - 1);
            }
            if (x < w - 1) {
                seed(m, outside, q, i + 1);
            }
            if (y > 0) {
                seed(m, outside, q, i - w);
            }
            if (y < h - 1) {
                seed(m, outside, q, i + w);
            }
        }
        boolean[] out = new boolean[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = !outside[i];
        }
        return out;
    }

    private static void seed(boolean[] m, boolean[] outside, ArrayDeque<Integer> q, int i) {
        if (!m[i] && !outside[i]) {
            outside[i] = true;
            q.add(i);
        }
    }

    /** Component labels 1..n (0 = background), 8-connectivity. */
    public static int[] components(boolean[] m, int w, int h) {
        int[] label = new int[m.length];
        int next = 0;
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int s = 0; s < m.length; s++) {
            if (!m[s] || label[s] != 0) {
                continue;
            }
            label[s] = ++next;
            q.add(s);
            while (!q.isEmpty()) {
                int i = q.poll();
                int x = i % w;
                int y = i / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                            int j = yy * w + xx;
                            if (m[j] && label[j] == 0) {
                                label[j] = next;
                                q.add(j);
                            }
                        }
                    }
                }
            }
        }
        return label;
    }

    /** Centroid {x, y} (pixel centres at integer coordinates), or null for an empty mask. */
    public static double[] centroid(boolean[] m, int w) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i]) {
                sx += i % w;
                sy += i / w;
                n++;
            }
        }
        return n == 0 ? null : new double[] {sx / n, sy / n};
    }

    /** A single true pixel at (round(x), round(y)). */
    public static boolean[] point(int w, int h, double x, double y) {
        boolean[] m = new boolean[w * h];
        int xi = (int) Math.max(0, Math.min(w - 1, Math.round(x)));
        int yi = (int) Math.max(0, Math.min(h - 1, Math.round(y)));
        m[yi * w + xi] = true;
        return m;
    }
}
