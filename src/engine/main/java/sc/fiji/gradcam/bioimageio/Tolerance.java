package sc.fiji.gradcam.bioimageio;

import java.util.List;

/**
 * How close a reproduced test output must be to the package's: element-wise {@code |actual - expected| <= atol +
 * rtol * |expected|} (numpy's {@code allclose}), with at most {@code mismatchedPerMillion} elements per million
 * failing. Spec 0.5's {@code config.bioimageio.reproducibility_tolerance}; the defaults are its field defaults.
 *
 * @param outputIds the outputs this entry applies to (empty: every output)
 * @param weightFormats the weights formats it applies to (empty: every format)
 */
public record Tolerance(double relative, double absolute, double mismatchedPerMillion, List<String> outputIds,
        List<String> weightFormats) {

    /** rtol = atol = 1e-3, 100 mismatched elements per million (spec 0.5's defaults; also used for 0.4). */
    public static final Tolerance DEFAULT = new Tolerance(1e-3, 1e-3, 100, List.of(), List.of());

    public Tolerance {
        outputIds = List.copyOf(outputIds);
        weightFormats = List.copyOf(weightFormats);
    }

    boolean appliesTo(String outputId, String weightFormat) {
        return (outputIds.isEmpty() || outputIds.contains(outputId))
                && (weightFormats.isEmpty() || weightFormats.contains(weightFormat));
    }

    /** Whether {@code actual} is within tolerance of {@code expected} (NaN only matches NaN). */
    public boolean close(double actual, double expected) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (actual == expected) {
            return true;
        }
        return Math.abs(actual - expected) <= absolute + relative * Math.abs(expected);
    }

    /** How many mismatches {@code elements} values may have. */
    public long allowedMismatches(long elements) {
        return (long) Math.floor(mismatchedPerMillion * elements / 1e6);
    }
}
