package sc.fiji.gradcam.fiji;

import java.util.List;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.explain.PreprocessingOptions;
import sc.fiji.gradcam.graph.ScoreKind;

/** The commands' text options as a request. */
final class RequestOptions {

    private RequestOptions() {}

    /** A request for one target; invalid values throw with the valid choices. */
    static ExplainRequest of(String target, String layer, String methods, String score) {
        return ExplainRequest.defaults()
                .withTargets(List.of(target == null || target.isBlank() ? "auto" : target.trim()))
                .withLayer(layer == null || layer.isBlank() ? "auto" : layer.trim())
                .withMethods(Method.parseList(methods == null ? "" : methods))
                .withScore(ScoreKind.parse(score));
    }

    /**
     * As {@link #of(String, String, String, String)} with preprocessing overrides; {@code auto} (or blank) leaves
     * a value to the model's {@code gradcam.properties}, then to the graph (input size, detected range).
     */
    static ExplainRequest of(String target, String layer, String methods, String score, String size, String resize,
            String range) {
        return of(target, layer, methods, score).withPreprocessing(
                new PreprocessingOptions(unlessAuto(size), unlessAuto(resize), unlessAuto(range), null));
    }

    private static String unlessAuto(String value) {
        return value == null || value.isBlank() || value.trim().equalsIgnoreCase("auto") ? null : value.trim();
    }

    /** Whether {@code slices} asks for every plane ({@code all}) or the current one. */
    static boolean allPlanes(String slices) {
        String s = slices == null ? "" : slices.trim().toLowerCase();
        if (s.equals("all")) {
            return true;
        }
        if (s.isEmpty() || s.equals("current")) {
            return false;
        }
        throw new IllegalArgumentException("Unknown slices option '" + slices + "'. Valid: current, all.");
    }
}
