package sc.fiji.gradcam.explain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Output;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.graph.BiasLayers;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.graph.Gradients;
import sc.fiji.gradcam.graph.GuidedReversePass;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.graph.ServingGraph;

/**
 * The gradient graphs of one model, built once per score, layer and method on first use and reused:
 * the score, d score / d layer, d score / d input, the guided reverse pass, and FullGrad's gradients. Building
 * extends the model's graph, so it is serialised; running them is not.
 */
final class ExplanationGraphs {

    private final ServingGraph serving;
    /** What the output holds per image. */
    private final sc.fiji.gradcam.graph.OutputSpec spec;
    private final Map<ScoreKind, ClassScore> scores = new HashMap<>();
    private final Map<String, Output<?>> gradients = new HashMap<>();
    private final Map<ScoreKind, FullGradGraph> fullGrads = new HashMap<>();
    private List<BiasLayers.BiasLayer> biasLayers;
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();

    ExplanationGraphs(ServingGraph serving, int units) {
        this(serving, sc.fiji.gradcam.graph.OutputSpec.classes(units));
    }

    ExplanationGraphs(ServingGraph serving, sc.fiji.gradcam.graph.OutputSpec spec) {
        this.serving = serving;
        this.spec = spec;
    }

    synchronized ClassScore score(ScoreKind kind) {
        return scores.computeIfAbsent(kind,
                k -> ClassScore.build(serving, k, scope("score_" + k.name().toLowerCase()), spec));
    }

    /** d score / d activations of {@code layer}. */
    synchronized Output<?> layerGradient(ScoreKind kind, Layer layer) {
        return gradients.computeIfAbsent(kind + "|layer|" + layer.tensor(), k -> Gradients.of(serving,
                score(kind).score().asOutput(), scope("layer"), serving.tensor(layer.tensorName()))[0]);
    }

    /** d score / d input (the vanilla gradient). */
    synchronized Output<?> inputGradient(ScoreKind kind) {
        return gradients.computeIfAbsent(kind + "|input", k -> Gradients.of(serving, score(kind).score().asOutput(),
                scope("input"), serving.tensor(serving.differentiableInput()))[0]);
    }

    /** The guided reverse pass's d score / d input (or the plain per-op pass when {@code guided} is false). */
    synchronized Output<?> guidedGradient(ScoreKind kind, boolean guided) {
        return gradients.computeIfAbsent(kind + "|guided|" + guided, k -> {
            ClassScore s = score(kind);
            Output<?> dLogits = Gradients.of(serving, s.score().asOutput(), scope("logits"),
                    serving.tensor(s.logits()))[0];
            return GuidedReversePass.build(serving, s.logits(), dLogits, scope(guided ? "guided" : "perop"), guided);
        });
    }

    /**
     * FullGrad's gradients: d score / d input and d score / d z for the output z of every bias-carrying layer
     * ({@link BiasLayers}), all from one {@code addGradients} call, so TensorFlow builds one backward pass for them.
     */
    record FullGradGraph(List<BiasLayers.BiasLayer> layers, Output<?> inputGradient, List<Output<?>> layerGradients) {}

    /** {@link FullGradGraph} of {@code kind}; the image input has {@code inputLayout}. */
    synchronized FullGradGraph fullGrad(ScoreKind kind, DataLayout inputLayout) {
        if (biasLayers == null) {
            biasLayers = BiasLayers.of(serving, inputLayout);
        }
        return fullGrads.computeIfAbsent(kind, k -> {
            List<Output<?>> xs = new ArrayList<>();
            xs.add(serving.tensor(serving.differentiableInput()));
            for (BiasLayers.BiasLayer l : biasLayers) {
                xs.add(serving.tensor(l.output()));
            }
            Output<?>[] d = Gradients.of(serving, score(kind).score().asOutput(), scope("fullgrad"),
                    xs.toArray(new Output<?>[0]));
            return new FullGradGraph(biasLayers, d[0], List.of(d).subList(1, d.length));
        });
    }

    /** A name scope unique in the process (several explainers may share a graph). */
    private static String scope(String what) {
        return "gradcam_" + what + "_" + COUNTER.getAndIncrement();
    }
}
