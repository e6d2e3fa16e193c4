package sc.fiji.gradcam.api.image;

/** What the pixel values of an image mean, which decides how they are mapped to the model's range. */
public enum PixelKind {
    /** 8-bit gray or RGB: the type range 0..255 maps to the model range. */
    UINT8,
    /** 16-bit: percentiles map to the model range. */
    UINT16,
    /** 32-bit float: percentiles map to the model range. */
    FLOAT
}
