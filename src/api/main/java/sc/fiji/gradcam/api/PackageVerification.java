package sc.fiji.gradcam.api;

import java.util.List;

/**
 * The outcome of running a BioImage.IO package's test inputs through its model and comparing with its test outputs
 * ({@code gradcam verify}, Fiji's Verify BioImage.IO Model command). Plain values, so it crosses the engine's class
 * loader.
 *
 * @param model the path given
 * @param name the model's name
 * @param formatVersion the description's format_version
 * @param savedModel the SavedModel folder that was run
 * @param outputs one comparison per output
 * @param notes what was assumed or left out (e.g. an unsupported step), empty when nothing
 */
public record PackageVerification(String model, String name, String formatVersion, String savedModel,
        List<OutputCheck> outputs, List<String> notes) {

    public PackageVerification {
        outputs = List.copyOf(outputs);
        notes = List.copyOf(notes);
    }

    /** Whether every output is within its tolerance. */
    public boolean passed() {
        return !outputs.isEmpty() && outputs.stream().allMatch(OutputCheck::passed);
    }

    /**
     * One output compared element-wise: {@code |actual - expected| <= atol + rtol * |expected|}.
     *
     * @param id the output's id
     * @param shape its shape
     * @param maxAbsDiff the largest absolute difference
     * @param mismatches elements outside the tolerance
     * @param allowed mismatches the tolerance allows ({@code mismatched_elements_per_million})
     */
    public record OutputCheck(String id, long[] shape, double maxAbsDiff, long mismatches, long allowed,
            double relativeTolerance, double absoluteTolerance, boolean passed) {}
}
