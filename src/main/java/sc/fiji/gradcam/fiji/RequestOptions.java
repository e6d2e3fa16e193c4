package sc.fiji.gradcam.fiji;

import java.util.List;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.graph.ScoreKind;
import sc.fiji.gradcam.model.LoadedModel;

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

    /**
     * Checks the layer and target against the model before a batch starts (the explainer would
     * otherwise reject them once per image).
     */
    static void check(ExplainRequest request, LoadedModel model) {
        if (request.methods().stream().anyMatch(Method::usesLayer)) {
            model.catalog().find(request.layer());
        }
        for (String t : request.targets()) {
            boolean auto = t.equalsIgnoreCase("auto") || t.equalsIgnoreCase("top1");
            boolean label = model.labels().stream().anyMatch(t::equalsIgnoreCase);
            boolean index = t.matches("\\d+") && Integer.parseInt(t) < model.classes();
            if (!auto && !label && !index) {
                throw new IllegalArgumentException("Unknown class '" + t + "': the model has " + model.classes()
                        + " classes (0.." + (model.classes() - 1) + ")" + (model.labels().isEmpty() ? "."
                        : ": " + model.labels() + ".") + " Fix: give auto, an index or a label.");
            }
        }
    }
}
