package sc.fiji.gradcam.api.image;

/**
 * Exact percentiles of all values of an image (every channel), without sorting a copy: a two-pass radix selection
 * over the values' order-preserving 32-bit keys, in {@code O(values)} time and a fixed 512 KB. The result is the same
 * as interpolating between the order statistics of the sorted values, {@code sorted[i] + (sorted[i + 1] - sorted[i])
 * × (pos - i)} with {@code pos = pct / 100 × (n - 1)}. Values must be finite.
 */
public final class Percentiles {

    private static final int BUCKETS = 1 << 16;

    private Percentiles() {}

    /** The percentiles {@code pcts} (0..100) of the image's values. */
    public static double[] of(InputImage image, double... pcts) {
        long n = (long) image.width() * image.height() * image.channels();
        long[] ranks = new long[2 * pcts.length];
        double[] pos = new double[pcts.length];
        for (int k = 0; k < pcts.length; k++) {
            pos[k] = Math.max(0, Math.min(n - 1, pcts[k] / 100.0 * (n - 1)));
            ranks[2 * k] = (long) Math.floor(pos[k]);
            ranks[2 * k + 1] = Math.min(ranks[2 * k] + 1, n - 1);
        }
        float[] v = select(image, ranks);
        double[] out = new double[pcts.length];
        for (int k = 0; k < pcts.length; k++) {
            float a = v[2 * k];
            float b = v[2 * k + 1];
            out[k] = a + (b - a) * (pos[k] - ranks[2 * k]);
        }
        return out;
    }

    /** The values of the given 0-based ranks in sorted order. */
    static float[] select(InputImage image, long[] ranks) {
        int plane = image.width() * image.height();
        long[] high = new long[BUCKETS];
        for (int c = 0; c < image.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                high[key(image.at(c, i)) >>> 16]++;
            }
        }
        int[] bucket = new int[ranks.length];
        long[] before = new long[ranks.length];
        for (int r = 0; r < ranks.length; r++) {
            long seen = 0;
            int b = 0;
            while (seen + high[b] <= ranks[r]) {
                seen += high[b++];
            }
            bucket[r] = b;
            before[r] = seen;
        }
        // second pass: the low 16 bits within each wanted bucket (ranks often share one)
        int[] distinct = java.util.Arrays.stream(bucket).distinct().toArray();
        long[][] low = new long[distinct.length][];
        int[] slot = new int[BUCKETS];
        java.util.Arrays.fill(slot, -1);
        for (int d = 0; d < distinct.length; d++) {
            low[d] = new long[BUCKETS];
            slot[distinct[d]] = d;
        }
        for (int c = 0; c < image.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                int k = key(image.at(c, i));
                int s = slot[k >>> 16];
                if (s >= 0) {
                    low[s][k & 0xffff]++;
                }
            }
        }
        float[] out = new float[ranks.length];
        for (int r = 0; r < ranks.length; r++) {
            long[] h = low[slot[bucket[r]]];
            long seen = before[r];
            int b = 0;
            while (seen + h[b] <= ranks[r]) {
                seen += h[b++];
            }
            out[r] = value(bucket[r] << 16 | b);
        }
        return out;
    }

    /** An unsigned key with the float order (as {@link java.util.Arrays#sort(float[])}: -0.0 before 0.0). */
    static int key(float v) {
        int b = Float.floatToRawIntBits(v);
        return b >= 0 ? b ^ 0x80000000 : ~b;
    }

    static float value(int key) {
        return Float.intBitsToFloat(key < 0 ? key ^ 0x80000000 : ~key);
    }
}
