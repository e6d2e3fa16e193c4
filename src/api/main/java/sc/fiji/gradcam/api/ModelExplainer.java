package sc.fiji.gradcam.api;

import java.util.List;
import sc.fiji.gradcam.api.image.InputImage;

/**
 * A loaded model that explains images: what the Fiji commands hold of the engine. Thread-safe. In Fiji the
 * implementation lives behind the engine class loader (see {@link GradCamEngine}); only this interface and the
 * types of this package cross it.
 */
public interface ModelExplainer extends AutoCloseable {

    /** Images per session run. */
    int MAX_BATCH = 16;

    /** Checks a request against the model (targets, layer, methods) before any work; throws with the fix. */
    void validate(ExplainRequest request);

    /** The explanations of one image, one per target of the request. */
    List<Explanation> explain(InputImage image, ExplainRequest request);

    /** The explanations of several images (at most {@link #MAX_BATCH} per call is fastest): per image, per target. */
    List<List<Explanation>> explain(List<InputImage> images, ExplainRequest request);

    /** What the model takes and offers: signature, labels, input range, layers. */
    ModelInfo info();

    /** The layer a request's {@code layer} names ({@code auto}: the default); throws with the valid names. */
    Layer layer(String nameOrAuto);

    /**
     * The layers of weights the model-randomisation sanity check can re-initialise (the variables' name scopes, e.g.
     * {@code block1 ... block4, dense}), input side first; empty when the model's weights are graph constants.
     */
    List<String> weightLayers();

    /**
     * A second, independent instance of this model (loaded again from its folder; its own graph and session) in which
     * the weights of {@code layers} are re-initialised in memory: kernels He-normal, biases zero (Adebayo et al.'s
     * randomisation test). Each layer's values depend only on {@code seed} and its name, so the steps of a cascade
     * agree on the layers they share. The files and this instance are not touched; close the copy when done.
     * Throws {@link IllegalArgumentException} for a name not in {@link #weightLayers()}.
     */
    ModelExplainer reinitialised(List<String> layers, long seed);

    @Override
    void close();
}
