package sc.fiji.gradcam.api.image;

/**
 * A 2-D image with one or more channels, planar: value {@code (x, y, c)} at index {@code c * width * height + y *
 * width + x}. The neutral form between front ends (ImgLib2, ImageJ, files) and the model.
 * <p>
 * Either it holds its values ({@link #InputImage(int, int, int, float[], PixelKind)}), or it is a read-only
 * {@linkplain #view view} of pixels held elsewhere (an ImageJ processor, say), so that a 20000 × 20000 8-bit image
 * costs its own 400 MB and not 1.6 GB more of floats. Readers go through {@link #at} / {@link #get}; {@link #data}
 * of a view is a new copy.
 */
public final class InputImage {

    /** Channel {@code c}'s value at {@code index = y * width + x}. */
    @FunctionalInterface
    public interface Pixels {
        float get(int c, int index);
    }

    private final int width;
    private final int height;
    private final int channels;
    private final float[] data;
    private final Pixels pixels;
    private final PixelKind kind;

    /** An image holding {@code data} (planar), which is not copied. */
    public InputImage(int width, int height, int channels, float[] data, PixelKind kind) {
        this(width, height, channels, data, null, kind);
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("Pixel array of " + data.length + " values for a " + width + "×"
                    + height + "×" + channels + " image");
        }
    }

    private InputImage(int width, int height, int channels, float[] data, Pixels pixels, PixelKind kind) {
        if (width <= 0 || height <= 0 || channels <= 0) {
            throw new IllegalArgumentException("Empty image: " + width + "×" + height + "×" + channels);
        }
        if ((long) width * height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("The image is " + width + "×" + height + " pixels, more than 2^31 in "
                    + "one plane. Fix: explain a downscaled copy or tiles of it.");
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.data = data;
        this.pixels = pixels;
        this.kind = kind;
    }

    /** A read-only view of pixels held elsewhere: nothing is copied, {@code pixels} is read when needed. */
    public static InputImage view(int width, int height, int channels, PixelKind kind, Pixels pixels) {
        return new InputImage(width, height, channels, null, pixels, kind);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int channels() {
        return channels;
    }

    public PixelKind kind() {
        return kind;
    }

    /** Whether the values are read from elsewhere ({@link #view}) rather than held. */
    public boolean isView() {
        return data == null;
    }

    /** Channel {@code c}'s value at {@code index = y * width + x}. */
    public float at(int c, int index) {
        return data != null ? data[c * width * height + index] : pixels.get(c, index);
    }

    public float get(int x, int y, int c) {
        return at(c, y * width + x);
    }

    /** The values, planar: the array itself, or for a {@link #view} a new copy (image-size: avoid for large ones). */
    public float[] data() {
        if (data != null) {
            return data;
        }
        int plane = width * height;
        float[] copy = new float[Math.multiplyExact(plane, channels)];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                copy[c * plane + i] = pixels.get(c, i);
            }
        }
        return copy;
    }

    /** Index (planar, as in {@link #data}) of the first NaN or infinite value, or -1. */
    public long firstNonFinite() {
        int plane = width * height;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                if (!Float.isFinite(at(c, i))) {
                    return (long) c * plane + i;
                }
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "InputImage[" + width + "×" + height + "×" + channels + ", " + kind + (isView() ? ", view]" : "]");
    }
}
