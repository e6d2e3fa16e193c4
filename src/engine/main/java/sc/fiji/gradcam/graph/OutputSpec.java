package sc.fiji.gradcam.graph;

/**
 * What the explained output holds per image.
 *
 * @param units values per image of a classifier ({@code [batch, units]}), or channels of a dense output
 * @param dense a dense output {@code [batch, y, x, channels]} (or {@code [batch, channels, y, x]},
 *     {@code [batch, y, x]}): its target is a channel summed or averaged over a region
 * @param channelsFirst a dense output laid out {@code [batch, channels, y, x]}
 * @param rank the output's rank (2 for a classifier)
 */
public record OutputSpec(int units, boolean dense, boolean channelsFirst, int rank) {

    /**
     * A regression output without classes: {@code [batch]} (one value), or {@code [batch, k]} values that
     * {@code regression=true} in gradcam.properties marks as such. Explained through the dense path as a 1 × 1 map
     * of k channels whose region is everything: the target is the value itself.
     */
    public static OutputSpec regression(int values, int rank) {
        return new OutputSpec(values, true, false, rank);
    }

    /** Whether this is a regression output ({@link #regression}): dense in form, without pixels. */
    public boolean regression() {
        return dense && rank <= 2;
    }

    /** A classifier with {@code units} outputs per image (1: a single-unit binary classifier). */
    public static OutputSpec classes(int units) {
        return new OutputSpec(units, false, false, 2);
    }

    /** A dense output of {@code rank} 3 or 4 with {@code channels} channels. */
    public static OutputSpec dense(int channels, boolean channelsFirst, int rank) {
        return new OutputSpec(channels, true, channelsFirst, rank);
    }
}
