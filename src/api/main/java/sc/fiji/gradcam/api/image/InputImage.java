package sc.fiji.gradcam.api.image;

/**
 * A 2-D image with one or more channels, stored planar: {@code data[c * width * height + y * width + x]}.
 * The neutral form between front ends (ImgLib2, ImageJ, files) and the model.
 */
public record InputImage(int width, int height, int channels, float[] data, PixelKind kind) {

    public InputImage {
        if (width <= 0 || height <= 0 || channels <= 0) {
            throw new IllegalArgumentException("Empty image: " + width + "×" + height + "×" + channels);
        }
        if (data.length != (long) width * height * channels) {
            throw new IllegalArgumentException("Pixel array of " + data.length + " values for a " + width + "×"
                    + height + "×" + channels + " image");
        }
    }

    public float get(int x, int y, int c) {
        return data[(c * height + y) * width + x];
    }

    /** Index of the first NaN or infinite value, or -1. */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }
}
