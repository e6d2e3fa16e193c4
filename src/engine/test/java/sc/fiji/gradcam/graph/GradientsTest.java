package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.api.TensorName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Output;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.support.FiniteDifferences;
import sc.fiji.gradcam.support.FiniteDifferences.Check;
import sc.fiji.gradcam.support.FiniteDifferences.Probe;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.OutputActivation;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * {@link Gradients#of} of the class score against central finite differences, with respect to the image input
 * (fed through the placeholder) and to the default target layer (fed directly, upstream pruned): relative error
 * below 1e-3 on float64 test models of both save styles, below 1e-2 on float32 test and real models.
 */
class GradientsTest extends WithBuiltModels {

    static Stream<TestModelSpec> float64() {
        return BuiltModels.allSmall(ModelDType.FLOAT64, true).stream();
    }

    static Stream<TestModelSpec> float32() {
        return BuiltModels.allSmall(ModelDType.FLOAT32, true).stream();
    }

    @ParameterizedTest
    @MethodSource("float64")
    void float64TestModelsMatchFiniteDifferences(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        double[] x = Runs.random(m, 1, 17, 0, 1);
        // 16 largest and 16 random entries (floor 1% of max |g|) and 8 random directions; steps 1e-5
        assertAllBelow(checkAll(m, m, x, 2, 1e-5, 1e-5, 16, 0.01, 8), 1e-3, spec.name());
    }

    /**
     * Single-precision finite differences are dominated by rounding, so the float32 model's gradients are compared
     * with finite differences of its float64 twin (the same weights, rounded to float in the float32 model).
     */
    @ParameterizedTest
    @MethodSource("float32")
    void float32TestModelsMatchFiniteDifferencesOfTheirFloat64Twin(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        LoadedModel twin = models.get(spec.withDtype(ModelDType.FLOAT64)).loaded();
        double[] x = Runs.random(m, 1, 17, 0, 1);
        assertAllBelow(checkAll(m, twin, x, 1, 1e-5, 1e-5, 16, 0.01, 8), 1e-2, spec.name());
    }

    static Stream<TestModelSpec> singleUnitFloat64() {
        return Arrays.stream(Architecture.values()).flatMap(a -> Arrays.stream(SaveStyle.values())
                .map(s -> BuiltModels.singleUnit(a, s, OutputActivation.SIGMOID).withDtype(ModelDType.FLOAT64)));
    }

    /**
     * A single-unit binary model (logit z) has two classes with scores -z and z (and their sigmoids, log-sigmoids):
     * the gradients of both classes and every score kind match finite differences of those per-class scores.
     */
    @ParameterizedTest
    @MethodSource("singleUnitFloat64")
    void singleUnitModelsMatchFiniteDifferencesForBothClasses(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        assertEquals(2, m.classes());
        double[] x = Runs.random(m, 1, 17, 0, 1);
        for (ScoreKind kind : ScoreKind.values()) {
            for (int c = 0; c < 2; c++) {
                assertAllBelow(checkAll(m, m, kind, x, c, 1e-5, 1e-5, 16, 0.01, 4), 1e-3,
                        spec.name() + " " + kind + " class " + c);
            }
        }
    }

    static Stream<TestModelSpec> channelsFirstFloat64() {
        return BuiltModels.channelsFirst(ModelDType.FLOAT64).stream();
    }

    /**
     * Channels-first models ([N, C, H, W] input; onnx-tf-like NCHW feature maps): the gradients with respect to the
     * input and the default layer match finite differences in their own layout, and reordered to NHWC they equal
     * the gradients of the NHWC twin (same weights) at the same image.
     */
    @ParameterizedTest
    @MethodSource("channelsFirstFloat64")
    void channelsFirstModelsMatchFiniteDifferencesAndTheirNhwcTwin(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        LoadedModel twin = models.get(spec.withLayout(Layout.NHWC)).loaded();
        assertEquals(DataLayout.NCHW, m.inputLayout().layout());
        double[] x = Runs.random(m, 1, 17, 0, 1);
        // input step 1e-6: at 1e-5 one of the GAP nets' ±1 directions crosses a ReLU kink at this image (1.6% off;
        // the NHWC twin's directions differ, being drawn over another order of the same entries)
        assertAllBelow(checkAll(m, m, x, 2, 1e-6, 1e-5, 16, 0.01, 8), 1e-3, spec.name());

        int positions = (int) (spec.height() * spec.width());
        double[] dx = inputAndLayerGradients(m, x, 2);
        double[] dxTwin = inputAndLayerGradients(twin, Tf.toNhwc(x, DataLayout.NCHW, positions, spec.channels()), 2);
        Layer layer = m.catalog().defaultLayer();
        int fp = (int) (layer.height() * layer.width());
        int k = (int) layer.channels();
        int in = positions * spec.channels();
        double[] mine = java.util.stream.DoubleStream.concat(
                Arrays.stream(Tf.toNhwc(Arrays.copyOf(dx, in), DataLayout.NCHW, positions, spec.channels())),
                Arrays.stream(Tf.toNhwc(Arrays.copyOfRange(dx, in, dx.length), layer.layout(), fp, k))).toArray();
        double err = Tf.maxAbsDiff(mine, dxTwin) / Tf.maxAbs(dxTwin);
        System.out.printf("NCHW %s: input and layer gradients vs the NHWC twin: max rel diff %.3g%n", spec.name(), err);
        assertEquals(dxTwin.length, mine.length);
        assertTrue(err < 1e-12, spec.name() + ": differs from the NHWC twin by " + err);
    }

    /** d score[c] / d input followed by d score[c] / d default layer, each in the model's own layout. */
    private static double[] inputAndLayerGradients(LoadedModel m, double[] x, int c) {
        ServingGraph s = m.serving();
        ClassScore score = ClassScore.build(s, ScoreKind.LOGIT, Runs.scope("score"), m.outputUnits());
        Output<?>[] g = Gradients.of(s, score.score().asOutput(), Runs.scope("grad"), s.tensor(s.input()),
                s.tensor(m.catalog().defaultLayer().tensorName()));
        List<double[]> r = Runs.run(m, x, 1, score, c, g[0], g[1]);
        return java.util.stream.DoubleStream.concat(Arrays.stream(r.get(0)), Arrays.stream(r.get(1))).toArray();
    }

    static Stream<String> realModels() {
        return SharedModels.ALL.stream();
    }

    /**
     * Real float32 models, finite differences in single precision: the 16 largest input-gradient entries and the
     * 16 largest plus 16 random non-zero activations of the default layer.
     */
    @ParameterizedTest
    @MethodSource("realModels")
    void realModelsMatchFiniteDifferences(String name) {
        LoadedModel m = SharedModels.loaded(name);
        double[] x = SharedModels.modelInputs(name).get(0);
        // a generic point near the real image: noise of 1% of the range breaks the exact max-pool ties of flat
        // backgrounds (MNIST's zeros), where the gradient is not defined
        double range = name.equals(SharedModels.POTATO) ? 255 : name.equals(SharedModels.EYES) ? 2 : 1;
        double[] noise = Runs.random(m, 1, 3, 0, 0.01 * range);
        for (int i = 0; i < x.length; i++) {
            x[i] += noise[i];
        }
        // potato: about one grey level (rounding needs the larger step); the others 1e-3 of the range
        double hInput = (name.equals(SharedModels.POTATO) ? 4e-3 : 1e-3) * range;
        // tm_eyes (MobileNetV2, 224², ReLU6 everywhere): kinks lie so densely along every pixel axis that no single-
        // precision step is both above the rounding noise (~1%) and below the kink spacing; its input gradient is
        // checked at 10% here and exactly by GuidedReversePassTest (guided=false equals this gradient)
        double inputLimit = name.equals(SharedModels.EYES) ? 0.1 : 1e-2;
        FiniteDifferences.allowOneSided(true);
        try {
            List<Check> checks = checkAll(m, m, x, 1, hInput, 1e-2, 0, 0.05, 0);
            System.out.printf("FD %s: %s%n", name, checks);
            assertTrue(checks.get(0).maxRelError() < inputLimit, name + " input " + checks.get(0));
            assertTrue(checks.get(1).maxRelError() < 1e-2, name + " layer " + checks.get(1));
        } finally {
            FiniteDifferences.allowOneSided(false);
        }
    }

    static void assertAllBelow(List<Check> checks, double limit, String name) {
        System.out.printf("FD %s: %s%n", name, checks);
        for (Check c : checks) {
            assertTrue(c.maxRelError() < limit, name + " " + c);
        }
    }

    /**
     * d score[c] / d input and d score[c] / d layer of {@code m} (the logit score) for one image {@code x}, against
     * finite differences
     * of {@code fd} (m itself or its float64 twin): per entry (the 16 largest |g|, {@code random} random ones; the
     * layer also 16 random ones) and along {@code directions} random directions. The layer step is {@code hLayer}
     * times the largest activation.
     */
    static List<Check> checkAll(LoadedModel m, LoadedModel fd, double[] x, int c, double hInput, double hLayer,
            int random, double floor, int directions) {
        return checkAll(m, fd, ScoreKind.LOGIT, x, c, hInput, hLayer, random, floor, directions);
    }

    /** Like the above for the score {@code kind}: finite differences of column c of the per-class scores. */
    static List<Check> checkAll(LoadedModel m, LoadedModel fd, ScoreKind kind, double[] x, int c, double hInput,
            double hLayer, int random, double floor, int directions) {
        ServingGraph s = m.serving();
        ClassScore score = ClassScore.build(s, kind, Runs.scope("score"), m.outputUnits());
        Layer layer = m.catalog().defaultLayer();
        Output<?>[] g = Gradients.of(s, score.score().asOutput(), Runs.scope("grad"), s.tensor(s.input()),
                s.tensor(layer.tensorName()));
        List<double[]> r = Runs.run(m, x, 1, score, c, g[0], g[1], layer.tensor());
        double[] dx = r.get(0);
        double[] dA = r.get(1);
        double[] a = r.get(2);
        assertEquals(x.length, dx.length);
        assertEquals(a.length, dA.length);
        long[] ashape = layer.layout().fromNhwc(FiniteDifferences.one(layer.height(), layer.width(), layer.channels()));
        assertEquals(a.length, ashape[1] * ashape[2] * ashape[3], "layer shape " + layer);
        assertTrue(Tf.maxAbs(dx) > 0 && Tf.maxAbs(dA) > 0, "zero gradient");

        ClassScore fdScore = fd == m ? score : ClassScore.build(fd.serving(), kind, Runs.scope("score"),
                fd.outputUnits());
        TensorName scores = TensorName.parse(fdScore.scores().op().name() + ":0");
        Layer fdLayer = fd.catalog().defaultLayer();
        if (fd != m) {
            assertEquals(layer.channels(), fdLayer.channels());
            a = Runs.run(fd, x, 1, null, -1, fdLayer.tensor()).get(0);
        }
        Probe in = new Probe(fd, fd.serving().input(), x, Runs.inputShape(m, 1), scores, c);
        // activations that are exactly 0 (after a ReLU) tie in the max-pool windows downstream: not checked
        Probe at = new Probe(fd, fdLayer.tensorName(), a, ashape, scores, c);
        double h = hLayer * Math.max(1e-3, Tf.maxAbs(a));
        List<Check> checks = new java.util.ArrayList<>(List.of(
                FiniteDifferences.entries(in, dx, FiniteDifferences.choose(dx, null, 16, random, 5), hInput, floor),
                FiniteDifferences.entries(at, dA, FiniteDifferences.choose(dA, a, 16, Math.max(16, random), 6), h,
                        floor)));
        if (directions > 0) {
            checks.add(FiniteDifferences.directions(in, dx, null, directions, hInput, 7));
            checks.add(FiniteDifferences.directions(at, dA, a, directions, h, 8));
        }
        for (Check ch : checks) {
            assertTrue(ch.checked() >= Math.min(6, ch.checked() + ch.skipped()) && ch.checked() > 0,
                    "too many kinks: " + ch);
        }
        return checks;
    }
}
