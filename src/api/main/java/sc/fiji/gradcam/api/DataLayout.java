package sc.fiji.gradcam.api;

import java.util.Locale;

/**
 * Where a 4-D image or feature-map tensor keeps its channels: last ({@code [N, H, W, C]}, TensorFlow's and Keras's
 * default) or first ({@code [N, C, H, W]}, PyTorch's, hence models converted through ONNX, and Keras
 * {@code channels_first}). Everything outside the graph (preprocessing, maps) works in NHWC; these methods move
 * values and shapes between the two.
 */
public enum DataLayout {
    NHWC,
    NCHW;

    /** {@code nhwc} or {@code nchw}, as options and JSON write it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code nhwc} or {@code nchw} (any case); anything else is an {@link IllegalArgumentException}. */
    public static DataLayout parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (DataLayout l : values()) {
            if (l.name().equals(t)) {
                return l;
            }
        }
        throw new IllegalArgumentException("Unknown layout '" + text + "': use nhwc (channels last), nchw (channels "
                + "first) or auto.");
    }

    /** A 4-D shape in this layout as {@code [n, h, w, c]}. */
    public long[] toNhwc(long[] shape) {
        return this == NHWC ? shape.clone() : new long[] {shape[0], shape[2], shape[3], shape[1]};
    }

    /** An {@code [n, h, w, c]} shape in this layout. */
    public long[] fromNhwc(long[] nhwc) {
        return this == NHWC ? nhwc.clone() : new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
    }

    /** Index step between neighbouring spatial positions of one channel ({@code positions} = h·w per image). */
    public int positionStride(int positions, int channels) {
        return this == NHWC ? channels : 1;
    }

    /** Index step between neighbouring channels at one spatial position. */
    public int channelStride(int positions, int channels) {
        return this == NHWC ? 1 : positions;
    }

    /**
     * {@code n} images of {@code h·w·c} NHWC values, reordered into this layout: the same array for NHWC, else a
     * new one.
     */
    public float[] fromNhwc(float[] values, int n, int h, int w, int c) {
        return this == NHWC ? values : reorder(values, n, h * w, c, true);
    }

    /** {@code n} images of {@code h·w·c} values in this layout, reordered into NHWC (the same array for NHWC). */
    public float[] toNhwc(float[] values, int n, int h, int w, int c) {
        return this == NHWC ? values : reorder(values, n, h * w, c, false);
    }

    /** Moves each image's [positions, channels] block to [channels, positions] (or back). */
    private static float[] reorder(float[] values, int n, int positions, int channels, boolean toChannelsFirst) {
        float[] out = new float[values.length];
        int per = positions * channels;
        for (int i = 0; i < n; i++) {
            int base = i * per;
            for (int p = 0; p < positions; p++) {
                for (int c = 0; c < channels; c++) {
                    int last = base + p * channels + c;
                    int first = base + c * positions + p;
                    if (toChannelsFirst) {
                        out[first] = values[last];
                    } else {
                        out[last] = values[first];
                    }
                }
            }
        }
        return out;
    }
}
