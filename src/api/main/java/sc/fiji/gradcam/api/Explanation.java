package sc.fiji.gradcam.api;

import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;

/**
 * The explanation of one image for one target class.
 *
 * @param predicted the top-1 class
 * @param top5 the five best classes (fewer when the model has fewer)
 * @param target the class explained
 * @param score what was differentiated
 * @param layer the target layer (null when no layer-based method was asked for)
 * @param rawMax maximum of the raw Grad-CAM map (0: the map is empty; with augmentation smoothing at most 1)
 * @param maps each method's map at the image's size: Grad-CAM family normalised to [0, 1] (one channel),
 *     gradients raw with one channel per model input channel. From the engine a {@link SourcedMaps}: computed
 *     when read, a large map anew by each {@code get} ({@link #source} reads it band by band)
 * @param gradcamRaw the unnormalised Grad-CAM map at feature resolution (null without Grad-CAM); with
 *     {@link ExplainRequest#eigenSmooth()} or {@link ExplainRequest#augSmooth()} the smoothed map (augmentation
 *     smoothing: the mean of six maps, each divided by its maximum)
 * @param rawMaps the unnormalised maps at feature resolution of the CAM-like methods asked for (Grad-CAM,
 *     counterfactual, and the CAM variants), smoothed like {@code gradcamRaw}: what {@link #maps} holds upsampled
 *     and normalised
 * @param note advice when a map is empty (Grad-CAM's, or a CAM variant's asked for), else null
 * @param timingsMs time spent per step (shared steps of a batch are divided among its images); with augmentation
 *     smoothing {@code preprocess} and {@code forward} include the five augmented inputs and each method's time its
 *     six maps
 * @param region for a dense output, the region the target channel was summed or averaged over; null for a
 *     classifier
 */
public record Explanation(Prediction predicted, List<Prediction> top5, Prediction target, ScoreKind score,
        Layer layer, double rawMax, Map<Method, MapImage> maps, MapImage gradcamRaw, Map<Method, MapImage> rawMaps,
        String note,
        Map<String, Double> timingsMs, TargetRegion region) {

    /** A classifier's explanation (no region). */
    public Explanation(Prediction predicted, List<Prediction> top5, Prediction target, ScoreKind score, Layer layer,
            double rawMax, Map<Method, MapImage> maps, MapImage gradcamRaw, Map<Method, MapImage> rawMaps, String note,
            Map<String, Double> timingsMs) {
        this(predicted, top5, target, score, layer, rawMax, maps, gradcamRaw, rawMaps, note, timingsMs, null);
    }

    /** The method's image-size map as a source read band by band (without computing it whole), or null. */
    public MapSource source(Method m) {
        if (maps instanceof SourcedMaps s) {
            return s.source(m);
        }
        MapImage map = maps.get(m);
        return map == null ? null : MapSource.of(map);
    }

    /** Whether the Grad-CAM map is zero everywhere (no positive evidence at this layer). */
    public boolean emptyMap() {
        return gradcamRaw != null && rawMax <= 0;
    }
}
