package sc.fiji.gradcam.api.image;

/**
 * Where the model input sits in the image: model pixel (u, v) has its centre at image position
 * {@code (offsetX + (u + 0.5) * scaleX - 0.5, offsetY + (v + 0.5) * scaleY - 0.5)}.
 */
public record Geometry(int modelWidth, int modelHeight, double offsetX, double offsetY, double scaleX, double scaleY) {

    /** The placement of an image of {@code width}×{@code height} in a model input, for {@code mode}. */
    public static Geometry of(ResizeMode mode, int width, int height, int modelWidth, int modelHeight) {
        double sx = (double) width / modelWidth;
        double sy = (double) height / modelHeight;
        return switch (mode) {
            case STRETCH -> new Geometry(modelWidth, modelHeight, 0, 0, sx, sy);
            case CROP -> {
                double s = Math.min(sx, sy);
                yield new Geometry(modelWidth, modelHeight, (width - s * modelWidth) / 2, (height - s * modelHeight) / 2,
                        s, s);
            }
            // integer offsets, so that every model pixel is an image pixel
            case NONE -> new Geometry(modelWidth, modelHeight, -Math.floorDiv(modelWidth - width, 2),
                    -Math.floorDiv(modelHeight - height, 2), 1, 1);
            case PAD -> {
                double s = Math.max(sx, sy);
                yield new Geometry(modelWidth, modelHeight, (width - s * modelWidth) / 2, (height - s * modelHeight) / 2,
                        s, s);
            }
        };
    }

    /** Image x of model column u (centres). */
    public double imageX(double u) {
        return offsetX + (u + 0.5) * scaleX - 0.5;
    }

    public double imageY(double v) {
        return offsetY + (v + 0.5) * scaleY - 0.5;
    }

    /** Model column of image x (centres); the inverse of {@link #imageX}. */
    public double modelU(double x) {
        return (x + 0.5 - offsetX) / scaleX - 0.5;
    }

    public double modelV(double y) {
        return (y + 0.5 - offsetY) / scaleY - 0.5;
    }
}
