package sc.fiji.gradcam.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import sc.fiji.gradcam.api.ScoreKind;

/**
 * What to explain.
 *
 * @param targets target classes: {@code auto} (top-1), an index or a label; one map set per target
 * @param layer target layer: {@code auto} or a catalog name
 * @param methods methods to compute
 * @param score what is differentiated
 * @param preprocessing overrides of the model's preprocessing (null fields: the model's settings)
 * @param augSmooth pytorch-grad-cam's {@code aug_smooth}: each CAM-like map is the mean of the maps of six augmented
 *     inputs ({@link AugmentationSmoothing})
 * @param eigenSmooth pytorch-grad-cam's {@code eigen_smooth}: each CAM-like map combines its weighted activations by
 *     their first principal component instead of their sum over the channels ({@link GradCam#weightedMap})
 * @param region for a dense output ({@code [batch, y, x, channels]}): the pixels the target channel's values are
 *     added up over ({@link Region#auto()}: the model's foreground for the channel); ignored for a classifier
 * @param aggregate sum or mean over the region
 */
public record ExplainRequest(List<String> targets, String layer, Set<Method> methods, ScoreKind score,
        PreprocessingOptions preprocessing, boolean augSmooth, boolean eigenSmooth, Region region,
        Region.Aggregate aggregate) {

    public ExplainRequest {
        region = region == null ? Region.auto() : region;
        aggregate = aggregate == null ? Region.Aggregate.SUM : aggregate;
    }

    /** A request whose region (for dense outputs) is the model's own foreground, summed. */
    public ExplainRequest(List<String> targets, String layer, Set<Method> methods, ScoreKind score,
            PreprocessingOptions preprocessing, boolean augSmooth, boolean eigenSmooth) {
        this(targets, layer, methods, score, preprocessing, augSmooth, eigenSmooth, Region.auto(),
                Region.Aggregate.SUM);
    }

    public static ExplainRequest defaults() {
        return new ExplainRequest(List.of("auto"), "auto", EnumSet.of(Method.GRADCAM, Method.GUIDED_GRADCAM),
                ScoreKind.LOGIT, PreprocessingOptions.none(), false, false);
    }

    public ExplainRequest withTargets(List<String> t) {
        return new ExplainRequest(t, layer, methods, score, preprocessing, augSmooth, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withLayer(String l) {
        return new ExplainRequest(targets, l, methods, score, preprocessing, augSmooth, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withMethods(Set<Method> m) {
        return new ExplainRequest(targets, layer, m, score, preprocessing, augSmooth, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withScore(ScoreKind s) {
        return new ExplainRequest(targets, layer, methods, s, preprocessing, augSmooth, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withPreprocessing(PreprocessingOptions p) {
        return new ExplainRequest(targets, layer, methods, score, p, augSmooth, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withAugSmooth(boolean a) {
        return new ExplainRequest(targets, layer, methods, score, preprocessing, a, eigenSmooth, region, aggregate);
    }

    public ExplainRequest withEigenSmooth(boolean e) {
        return new ExplainRequest(targets, layer, methods, score, preprocessing, augSmooth, e, region, aggregate);
    }

    public ExplainRequest withRegion(Region r) {
        return new ExplainRequest(targets, layer, methods, score, preprocessing, augSmooth, eigenSmooth, r, aggregate);
    }

    public ExplainRequest withAggregate(Region.Aggregate a) {
        return new ExplainRequest(targets, layer, methods, score, preprocessing, augSmooth, eigenSmooth, region, a);
    }
}
