package sc.fiji.gradcam.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * Inlining fidelity: the inlined path's output equals the signature's own output (the function call TF runs)
 * within 1e-5, on random inputs and on the real images; the inlined path never runs through a call op.
 */
class ServingGraphTest extends WithBuiltModels {

    static Stream<TestModelSpec> functionCallSpecs() {
        List<TestModelSpec> list = new ArrayList<>();
        for (SaveStyle style : new SaveStyle[] {SaveStyle.FUNCTION_CALL, SaveStyle.KERAS3_EXPORT}) {
            for (Architecture a : Architecture.values()) {
                for (ModelDType d : ModelDType.values()) {
                    list.add(BuiltModels.small(a, style).withDtype(d).withSoftmax(d == ModelDType.FLOAT32));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("functionCallSpecs")
    void inlinedOutputEqualsSignatureOutputOnTestModels(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        assertTrue(m.serving().isInlined());
        assertNotEquals(m.serving().output(), m.serving().signatureOutput());
        assertTrue(m.serving().output().node().startsWith(FunctionInliner.PREFIX));
        assertNoCallOnPath(m);
        double err = compare(m, Runs.random(m, 4, 21, 0, 1), 4);
        System.out.printf("inlining %s: max |inlined - signature| %.3g%n", spec.name(), err);
    }

    static Stream<String> realModels() {
        return SharedModels.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("realModels")
    void inlinedOutputEqualsSignatureOutputOnRealModels(String name) {
        LoadedModel m = SharedModels.loaded(name);
        assertEquals(!name.equals(SharedModels.EYES), m.serving().isInlined());
        if (m.serving().isInlined()) {
            assertNoCallOnPath(m);
        }
        List<double[]> images = SharedModels.modelInputs(name);
        double[] all = new double[images.size() * images.get(0).length];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * images.get(0).length, images.get(0).length);
        }
        double range = name.equals(SharedModels.POTATO) ? 255 : 1;
        double lo = name.equals(SharedModels.EYES) ? -1 : 0;
        double e1 = compare(m, all, images.size());
        double e2 = compare(m, Runs.random(m, 2, 5, lo, range), 2);
        System.out.printf("inlining %s: max |inlined - signature| %.3g (images), %.3g (random)%n", name, e1, e2);
    }

    private static void assertNoCallOnPath(LoadedModel m) {
        for (String node : m.serving().path()) {
            String op = m.serving().view().node(node).getOp();
            assertFalse(op.endsWith("PartitionedCall"), "call op on the inlined path: " + node);
        }
    }

    /** Both outputs in one run; asserts they agree within 1e-5 (relative to the output size where above 1). */
    private static double compare(LoadedModel m, double[] x, int batch) {
        if (!m.serving().isInlined()) {
            assertEquals(m.serving().output(), m.serving().signatureOutput());
            return 0;
        }
        List<double[]> r = Runs.run(m, x, batch, null, -1, m.serving().output().toString(),
                m.serving().signatureOutput().toString());
        double scale = Math.max(1, Tf.maxAbs(r.get(1)));
        double err = Tf.maxAbsDiff(r.get(0), r.get(1));
        assertEquals(batch * m.outputUnits(), r.get(0).length);
        assertTrue(err <= 1e-5 * scale, "inlined output differs by " + err);
        return err;
    }

    @Test
    void tf1GraphsAreUsedAsTheyAre() {
        LoadedModel m = models.get(BuiltModels.small(Architecture.VGG, SaveStyle.TF1_GRAPH)).loaded();
        assertFalse(m.serving().isInlined());
        assertEquals(m.serving().output(), m.serving().signatureOutput());
        assertTrue(m.serving().path().contains(m.serving().input().node()));
        assertTrue(m.serving().path().contains(m.serving().output().node()));
    }
}
