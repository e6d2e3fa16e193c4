package sc.fiji.gradcam.api.image;

/** How an image is brought to the model's input size. */
public enum ResizeMode {
    /** Scale each axis independently (aspect ratio not kept). */
    STRETCH,
    /** Centre crop to the model's aspect ratio, then scale. */
    CROP,
    /** Scale to fit inside, keeping the aspect ratio, and pad the rest with the range's minimum. */
    PAD,
    /**
     * No resampling: the image at its own scale, centred in the model input and padded with the range's minimum (or
     * cropped where it is larger). What a fully convolutional model with a free input size gets: its input is then
     * the image's size rounded up to the model's size step.
     */
    NONE;

    public static ResizeMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Unknown resize mode '" + s + "'. Valid: stretch, crop, pad, none.");
        }
    }
}
