package sc.fiji.gradcam.api.image;

/**
 * How an image becomes a model input.
 *
 * @param width model input width
 * @param height model input height
 * @param channels model input channels (1 or 3 are converted to each other; otherwise they must match)
 * @param resize resize mode
 * @param rangeMin value the image's low end maps to
 * @param rangeMax value the image's high end maps to
 * @param lowPercentile low end for 16-bit and float images (8-bit and RGB use 0)
 * @param highPercentile high end for 16-bit and float images (8-bit and RGB use 255)
 * @param step for a model whose input size is free ({@code width} and {@code height} 0): each image goes in at its
 *     own size rounded up to a multiple of this ({@link #forImage}); 1 for a fixed size
 * @param percentilesFor8Bit 8-bit gray images too go from their percentiles to the range (a BioImage.IO package's
 *     per-sample {@code scale_range}; {@code percentiles.8bit=true} in gradcam.properties), not from 0–255
 * @param raw values pass unchanged (the model's own preprocessing was applied to the image before, e.g. a
 *     BioImage.IO package's steps); padding is {@code rangeMin}
 */
public record Preprocessing(int width, int height, int channels, ResizeMode resize, double rangeMin, double rangeMax,
        double lowPercentile, double highPercentile, int step, boolean percentilesFor8Bit, boolean raw) {

    /** Values scaled from the image's percentiles (or 0–255) to the range. */
    public Preprocessing(int width, int height, int channels, ResizeMode resize, double rangeMin, double rangeMax,
            double lowPercentile, double highPercentile, int step, boolean percentilesFor8Bit) {
        this(width, height, channels, resize, rangeMin, rangeMax, lowPercentile, highPercentile, step,
                percentilesFor8Bit, false);
    }

    /** Without percentiles for 8-bit images (they use 0–255). */
    public Preprocessing(int width, int height, int channels, ResizeMode resize, double rangeMin, double rangeMax,
            double lowPercentile, double highPercentile, int step) {
        this(width, height, channels, resize, rangeMin, rangeMax, lowPercentile, highPercentile, step, false);
    }

    /** Default size step of a fully convolutional model: four 2× poolings (U-Nets of depth ≤ 4). */
    public static final int DEFAULT_STEP = 16;

    /** A fixed input size. */
    public Preprocessing(int width, int height, int channels, ResizeMode resize, double rangeMin, double rangeMax,
            double lowPercentile, double highPercentile) {
        this(width, height, channels, resize, rangeMin, rangeMax, lowPercentile, highPercentile, 1);
    }

    /** Whether each image goes in at its own size (the model's input size is free and none was given). */
    public boolean perImage() {
        return width <= 0 || height <= 0;
    }

    /**
     * The preprocessing of an image of {@code w × h}: this one for a fixed size, else the image's size rounded up to
     * a multiple of {@link #step}, without resampling ({@link ResizeMode#NONE}).
     */
    public Preprocessing forImage(int w, int h) {
        if (!perImage()) {
            return this;
        }
        int s = Math.max(1, step);
        return new Preprocessing((w + s - 1) / s * s, (h + s - 1) / s * s, channels, ResizeMode.NONE, rangeMin,
                rangeMax, lowPercentile, highPercentile, s, percentilesFor8Bit, raw);
    }

    public static final double DEFAULT_LOW_PERCENTILE = 1.0;
    public static final double DEFAULT_HIGH_PERCENTILE = 99.8;

    /** Parses a range written {@code A:B}, e.g. {@code 0:1}, {@code -1:1}, {@code 0:255}. */
    public static double[] parseRange(String s) {
        String[] parts = s.trim().split(":");
        try {
            if (parts.length == 2) {
                double a = Double.parseDouble(parts[0]);
                double b = Double.parseDouble(parts[1]);
                if (Double.isFinite(a) && Double.isFinite(b) && a < b) {
                    return new double[] {a, b};
                }
                if (a >= b) {
                    throw new IllegalArgumentException("Invalid range '" + s + "': " + (a == b ? "it is empty"
                            : "MIN is above MAX") + ". Write it as MIN:MAX with MIN below MAX, e.g. 0:1, -1:1 or 0:255.");
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new IllegalArgumentException("Invalid range '" + s + "'. Write it as MIN:MAX, e.g. 0:1, -1:1 or 0:255.");
    }

    /** Parses a size written {@code WxH} or {@code N} (square). */
    public static int[] parseSize(String s) {
        String[] parts = s.trim().toLowerCase().split("[x×,]");
        try {
            int w = Integer.parseInt(parts[0].trim());
            int h = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : w;
            if (w > 0 && h > 0 && parts.length <= 2) {
                return new int[] {w, h};
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new IllegalArgumentException("Invalid size '" + s + "'. Write it as WIDTHxHEIGHT, e.g. 224x224.");
    }

    public String describe() {
        if (perImage()) {
            return "each image's own size (rounded up to a multiple of " + step + ")x" + channels + ", range "
                    + formatRange(rangeMin, rangeMax);
        }
        return width + "x" + height + "x" + channels + ", resize " + resize.name().toLowerCase() + ", range "
                + formatRange(rangeMin, rangeMax);
    }

    /** A range as {@link #parseRange} reads it: {@code 0:1}, {@code -1:1}, {@code 0:255}, {@code 0:0.5}. */
    public static String formatRange(double min, double max) {
        return fmt(min) + ":" + fmt(max);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
