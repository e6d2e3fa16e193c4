package sc.fiji.gradcam.explain;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import sc.fiji.gradcam.graph.ScoreKind;

/**
 * What to explain.
 *
 * @param targets target classes: {@code auto} (top-1), an index or a label; one map set per target
 * @param layer target layer: {@code auto} or a catalog name
 * @param methods methods to compute
 * @param score what is differentiated
 * @param preprocessing overrides of the model's preprocessing (null fields: the model's settings)
 */
public record ExplainRequest(List<String> targets, String layer, Set<Method> methods, ScoreKind score,
        PreprocessingOptions preprocessing) {

    public static ExplainRequest defaults() {
        return new ExplainRequest(List.of("auto"), "auto", EnumSet.of(Method.GRADCAM, Method.GUIDED_GRADCAM),
                ScoreKind.LOGIT, PreprocessingOptions.none());
    }

    public ExplainRequest withTargets(List<String> t) {
        return new ExplainRequest(t, layer, methods, score, preprocessing);
    }

    public ExplainRequest withLayer(String l) {
        return new ExplainRequest(targets, l, methods, score, preprocessing);
    }

    public ExplainRequest withMethods(Set<Method> m) {
        return new ExplainRequest(targets, layer, m, score, preprocessing);
    }

    public ExplainRequest withScore(ScoreKind s) {
        return new ExplainRequest(targets, layer, methods, s, preprocessing);
    }

    public ExplainRequest withPreprocessing(PreprocessingOptions p) {
        return new ExplainRequest(targets, layer, methods, score, p);
    }
}
