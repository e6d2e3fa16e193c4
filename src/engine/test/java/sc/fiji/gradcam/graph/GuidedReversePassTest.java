package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.ScoreKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.OutputActivation;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * The per-op reverse pass: without the guided rule it reproduces TF's whole-graph gradient on every test
 * architecture, every save style, single-unit binary heads (both classes), and every real model; with it, it
 * differs wherever ReLUs gate negative upstream gradients; on a hand-made graph it gives exactly relu(g)·[x&gt;0] (and ·[x&lt;6] for ReLU6).
 */
class GuidedReversePassTest extends WithBuiltModels {

    static Stream<TestModelSpec> specs() {
        return Stream.of(BuiltModels.allSmall(ModelDType.FLOAT32, true).stream(),
                BuiltModels.allSmall(ModelDType.FLOAT64, false).stream(),
                // single-unit binary heads: the pass starts at the logit z with d score / dz = -1 or 1
                Stream.of(SaveStyle.values()).map(s -> BuiltModels.singleUnit(Architecture.RESIDUAL, s,
                        OutputActivation.SIGMOID)),
                Stream.of(BuiltModels.singleUnit(Architecture.MOBILENET, SaveStyle.FUNCTION_CALL,
                        OutputActivation.NONE).withDtype(ModelDType.FLOAT64))).flatMap(s -> s);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void unguidedPassEqualsGradientOnTestModels(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        compare(m, Runs.random(m, 2, 9, 0, 1), 2, spec.name());
    }

    static Stream<String> realModels() {
        return SharedModels.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("realModels")
    void unguidedPassEqualsGradientOnRealModels(String name) {
        LoadedModel m = SharedModels.loaded(name);
        compare(m, SharedModels.modelInputs(name).get(0), 1, name);
    }

    /** plain (per-op, guided=false) == Gradients.of; guided != plain; for {@code batch} images. */
    static void compare(LoadedModel m, double[] x, int batch, String name) {
        ServingGraph s = m.serving();
        ClassScore score = ClassScore.build(s, ScoreKind.LOGIT, Runs.scope("score"), m.outputUnits());
        Output<?> whole = Gradients.of(s, score.score().asOutput(), Runs.scope("whole"), s.tensor(s.input()))[0];
        Output<?> dLogits = Gradients.of(s, score.score().asOutput(), Runs.scope("dlogits"),
                s.tensor(score.logits()))[0];
        Output<?> plain = GuidedReversePass.build(s, score.logits(), dLogits, Runs.scope("plain"), false);
        Output<?> guided = GuidedReversePass.build(s, score.logits(), dLogits, Runs.scope("guided"), true);
        for (int c : m.singleUnitBinary() ? new int[] {-1, 0, 1} : new int[] {-1, m.classes() - 1}) {
            List<double[]> r = Runs.run(m, x, batch, score, c, whole, plain, guided);
            double scale = Tf.maxAbs(r.get(0));
            double diff = Tf.maxAbsDiff(r.get(0), r.get(1));
            double guidedDiff = Tf.maxAbsDiff(r.get(2), r.get(1));
            System.out.printf("guided %s class %d: |plain - gradient| %.3g of max %.3g; |guided - plain| %.3g%n", name,
                    c, diff, scale, guidedDiff);
            assertTrue(scale > 0, "zero gradient");
            assertTrue(diff <= 1e-5 * scale, name + ": per-op pass differs from the gradient by " + diff);
            assertTrue(guidedDiff > 0.05 * scale, name + ": the guided rule changed nothing (" + guidedDiff + ")");
            assertTrue(Tf.maxAbs(r.get(2)) > 0);
        }
    }

    /** x → ReLU or ReLU6 → flatten → W → logits: guided = relu(W[:,c]) · mask, plain = W[:,c] · mask. */
    @Test
    void guidedRuleByHand() {
        float[][] w = {{1, 0}, {-1, 1}, {-1, 0}, {1, 0}};
        check(false, new double[] {1, -1, 2, -2}, w, new double[] {1, 0, -1, 0}, new double[] {1, 0, 0, 0});
        // ReLU6: x = 7 is saturated (mask 0), x = 3 passes, x = 2 passes but its upstream -1 is negative
        check(true, new double[] {3, 7, -1, 2}, new float[][] {{1, 0}, {1, 1}, {1, 0}, {-1, 0}},
                new double[] {1, 0, 0, -1}, new double[] {1, 0, 0, 0});
    }

    private static void check(boolean relu6, double[] x, float[][] w, double[] plainExpected,
            double[] guidedExpected) {
        Path dir = tmp.resolve("hand-" + relu6);
        TinyModels.write(dir, new long[] {-1, 2, 2, 1}, new long[] {-1, 2}, (Ops tf, Operand<TFloat32> in) -> {
            Operand<TFloat32> r = relu6 ? tf.withName("act").nn.relu6(in) : tf.withName("act").nn.relu(in);
            Operand<TFloat32> flat = tf.reshape(r, tf.constant(new long[] {-1, 4}));
            return tf.linalg.matMul(flat, tf.constant(w));
        });
        try (LoadedModel m = ModelLoader.load(dir)) {
            ServingGraph s = m.serving();
            ClassScore score = ClassScore.build(s, ScoreKind.LOGIT, Runs.scope("score"), 2);
            Output<?> dLogits = Gradients.of(s, score.score().asOutput(), Runs.scope("d"), s.tensor(score.logits()))[0];
            Output<?> plain = GuidedReversePass.build(s, score.logits(), dLogits, Runs.scope("plain"), false);
            Output<?> guided = GuidedReversePass.build(s, score.logits(), dLogits, Runs.scope("guided"), true);
            List<double[]> r = Runs.run(m, x, 1, score, 0, plain, guided);
            assertArrayEquals(plainExpected, r.get(0), 1e-7, "plain");
            assertArrayEquals(guidedExpected, r.get(1), 1e-7, "guided");
        }
    }
}
