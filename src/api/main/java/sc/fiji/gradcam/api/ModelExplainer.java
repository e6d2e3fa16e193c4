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

    @Override
    void close();
}
