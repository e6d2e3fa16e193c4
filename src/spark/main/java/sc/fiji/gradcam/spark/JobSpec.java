package sc.fiji.gradcam.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.batch.BatchOptions;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.model.ModelOptions;

/**
 * Everything a task needs to explain its images, as plain serialisable values (the API's records are rebuilt on the
 * executor): the model and how to load it, the request (the CLI's options), where the files go and how they look.
 * Two jobs with the same {@link #modelKey()} share one loaded model in an executor JVM.
 */
record JobSpec(String model, List<String> tags, String signature, String input, String output, String labels,
        String layout, List<String> targets, String layer, String methods, String score, boolean augSmooth,
        boolean eigenSmooth, String size, String resize, String range, String percentiles, String out, String lut,
        double opacity, boolean allPlanes, int batch) implements Serializable {

    private static final long serialVersionUID = 1L;

    JobSpec {
        tags = List.copyOf(tags);
        targets = List.copyOf(targets);
    }

    /** The request, as the CLI builds it from the same options. */
    ExplainRequest request() {
        return ExplainRequest.defaults().withTargets(new ArrayList<>(targets)).withLayer(layer)
                .withMethods(Method.parseList(methods)).withScore(ScoreKind.parse(score)).withAugSmooth(augSmooth)
                .withEigenSmooth(eigenSmooth).withPreprocessing(new PreprocessingOptions(size, resize, range,
                        percentiles));
    }

    ModelOptions modelOptions() {
        return new ModelOptions(tags, signature, input, output, labels == null ? null : Path.of(labels), layout);
    }

    /** The model and how it is loaded: one explainer per executor JVM and key. */
    String modelKey() {
        return model + "|" + modelOptions();
    }

    /** The runner's options for a task writing into the local folder {@code folder} (the CLI's columns). */
    BatchOptions batchOptions(Path folder) {
        return BatchOptions.of(folder, folder, request(), PredictionsCsv.CLI).withLook(ColorMap.parse(lut), opacity)
                .withPlanes(allPlanes, batch).withExisting(true, false);
    }
}
