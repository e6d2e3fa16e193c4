package sc.fiji.gradcam.api;

/**
 * Which region of a dense output an explanation's target summed over: what was asked, what it became at the
 * output's resolution, and the score's value.
 *
 * @param asked the region asked for
 * @param aggregate sum or mean
 * @param pixels output pixels in the region (after mapping it through the model's geometry)
 * @param outputWidth the output's width (its pixels are what {@code pixels} counts)
 * @param outputHeight the output's height
 * @param value the target channel's aggregated output value over the region (after the model's activation)
 * @param note how the region was found, e.g. {@code foreground: channel 1 wins} or a fallback, or null
 */
public record TargetRegion(Region asked, Region.Aggregate aggregate, long pixels, int outputWidth, int outputHeight,
        double value, String note) {

    /** One line, e.g. {@code auto (foreground: channel 1 wins), 3412 of 65536 output pixels, sum}. */
    public String describe() {
        return asked.describe() + (note == null ? "" : " (" + note + ")") + ", " + pixels + " of "
                + (long) outputWidth * outputHeight + " output pixels, " + aggregate.id();
    }
}
