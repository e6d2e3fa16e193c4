package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.InputRange;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.PreprocessingOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.DefaultModel;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.OpenedModels;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.InputOps;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/**
 * Which input range the explainer uses: an option beats {@code gradcam.properties}, which beats what the graph
 * asks for, which beats 0:1; and a detected range gives the same predictions as the right range given by hand.
 */
class InputRangeTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final OpenedModels MODELS = new OpenedModels();

    private static PreprocessingOptions range(String r) {
        return new PreprocessingOptions(null, null, r, null);
    }

    /** Top-1 and every class probability of {@code images} under {@code options}. */
    private static List<double[]> predict(LoadedModel m, List<InputImage> images, PreprocessingOptions options) {
        Explainer e = new Explainer(m);
        ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM)).withPreprocessing(options);
        List<double[]> out = new ArrayList<>();
        for (List<Explanation> x : e.explain(images, r)) {
            Explanation first = x.get(0);
            double[] p = new double[1 + first.top5().size()];
            p[0] = first.predicted().index();
            for (Prediction q : first.top5()) {
                p[1 + q.index()] = q.probability();
            }
            out.add(p);
        }
        return out;
    }

    private static void assertSamePredictions(List<double[]> a, List<double[]> b, double tolerance) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i)[0], b.get(i)[0], "top-1 of image " + i);
            for (int k = 1; k < a.get(i).length; k++) {
                assertEquals(a.get(i)[k], b.get(i)[k], tolerance, "probability of class " + (k - 1) + ", image " + i);
            }
        }
    }

    private static List<InputImage> randomImages(int n, int size, long seed) {
        Random r = new Random(seed);
        List<InputImage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] px = new float[size * size * 3];
            for (int j = 0; j < px.length; j++) {
                px[j] = r.nextInt(256);
            }
            list.add(new InputImage(size, size, 3, px, PixelKind.UINT8));
        }
        return list;
    }

    @Test
    void potatoLeafWithoutRangePredictsAsWithRange0To255() {
        LoadedModel m = SharedModels.loaded(SharedModels.POTATO);
        InputRange detected = PreprocessingOptions.none().inputRange(m);
        assertEquals(InputRange.DETECTED, detected.source());
        assertEquals("0:255", detected.range());
        List<Path> files = SharedModels.imageFiles(SharedModels.POTATO);
        List<InputImage> images = files.stream().map(SharedModels::read).toList();
        List<double[]> auto = predict(m, images, PreprocessingOptions.none());
        assertSamePredictions(predict(m, images, range("0:255")), auto, 0);
        // the two clear cases of the shared models' README (the other two images depend on how they are resized)
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).getFileName().toString();
            String label = m.label((int) auto.get(i)[0]);
            double p = auto.get(i)[1 + (int) auto.get(i)[0]];
            if (name.startsWith("early_blight_1")) {
                assertEquals("Potato___Early_blight", label);
                assertTrue(p > 0.995, name + " " + p);
            } else if (name.startsWith("leaf")) {
                assertEquals("Potato___healthy", label);
                assertTrue(p > 0.995, name + " " + p);
            }
        }
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().startsWith("early_blight_1")));
    }

    @ParameterizedTest
    @CsvSource({"mnist_tfmodule,0:1", "tm_eyes_tf1,-1:1"})
    void modelsScaledOutsideKeepTheDefault(String name, String documented) {
        LoadedModel m = SharedModels.loaded(name);
        InputRange r = PreprocessingOptions.none().inputRange(m);
        assertEquals(InputRange.DEFAULT, r.source());
        assertEquals("0:1", r.range());
        InputRange given = range(documented).inputRange(m);
        assertEquals(InputRange.OPTION, given.source());
        assertEquals(documented, given.range());
    }

    @Test
    void anOptionBeatsDetection() {
        LoadedModel m = SharedModels.loaded(SharedModels.POTATO);
        InputRange r = range("0:1").inputRange(m);
        assertEquals(InputRange.OPTION, r.source());
        assertEquals("0:1", r.range());
        assertEquals(1, range("0:1").resolve(m).rangeMax());
        assertEquals(255, PreprocessingOptions.none().resolve(m).rangeMax());
    }

    @Test
    void gradcamPropertiesBeatDetectionAndAnOptionBeatsBoth() throws Exception {
        TestModelSpec spec = BuiltModels.small(Architecture.GAP, SaveStyle.FUNCTION_CALL);
        Path dir = TestModels.build(spec, tmp.resolve("with-properties"), InputOps.RESCALING_1_255).dir();
        Files.writeString(dir.resolve("gradcam.properties"), "range=-1:1\n");
        LoadedModel m = MODELS.load(dir);
        assertTrue(m.inputScaling().isPresent(), "the graph still asks for 0:255");
        InputRange saved = PreprocessingOptions.none().inputRange(m);
        assertEquals(InputRange.PROPERTIES, saved.source());
        assertEquals("-1:1", saved.range());
        assertEquals(-1, PreprocessingOptions.none().resolve(m).rangeMin());
        assertEquals("0:2", range("0:2").inputRange(m).range());
        assertEquals(InputRange.OPTION, range("0:2").inputRange(m).source());
    }

    @ParameterizedTest
    @CsvSource({"TF1_GRAPH,RESCALING_1_255,0:1", "FUNCTION_CALL,RESCALING_1_255,0:1",
        "TF1_GRAPH,DIV_127_5_SUB_1,-1:1", "FUNCTION_CALL,DIV_127_5_SUB_1,-1:1"})
    void aDetectedRangeFeedsTheScalingOpsWhatTheLayersWereMadeFor(SaveStyle style, InputOps ops, String plainRange) {
        TestModelSpec spec = BuiltModels.small(Architecture.GAP, style);
        String name = spec.name() + "-" + ops.name().toLowerCase();
        LoadedModel scaled = MODELS.load(TestModels.build(spec, tmp.resolve(name), ops).dir());
        LoadedModel plain = MODELS.load(TestModels.build(spec, tmp.resolve(name + "-plain")).dir());
        List<InputImage> images = randomImages(3, 16, 7);
        // same layer weights: the scaling model fed 0..255 must equal the plain model fed its range
        assertSamePredictions(predict(plain, images, range(plainRange)),
                predict(scaled, images, PreprocessingOptions.none()), 1e-5);
        assertEquals(InputRange.DETECTED, PreprocessingOptions.none().inputRange(scaled).source());
    }

    @Test
    void aUint8ModelGetsPixelValuesNot0To1() {
        // logits = channel means / 100: a uint8 model fed 0..1 sees only 0s and 1s
        Path dir = TinyModels.writeUint8(tmp.resolve("uint8"), new long[] {-1, 8, 8, 3}, new long[] {-1, 3},
                (Ops tf, Operand<TFloat32> x) -> tf.math.mul(tf.math.mean(x, tf.constant(new int[] {1, 2})),
                        tf.constant(0.01f)));
        LoadedModel m = MODELS.load(dir);
        float[] px = new float[8 * 8 * 3];
        for (int i = 0; i < 64; i++) {
            px[i] = 200;
            px[64 + i] = 100;
            px[128 + i] = 40;
        }
        List<InputImage> image = List.of(new InputImage(8, 8, 3, px, PixelKind.UINT8));
        Explainer e = new Explainer(m);
        ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADIENT));
        Explanation auto = e.explain(image, r).get(0).get(0);
        Explanation byHand = e.explain(image, r.withPreprocessing(range("0:255"))).get(0).get(0);
        Explanation wrong = e.explain(image, r.withPreprocessing(range("0:1"))).get(0).get(0);
        assertEquals(InputRange.DETECTED, PreprocessingOptions.none().inputRange(m).source());
        assertEquals(byHand.predicted(), auto.predicted());
        double expected = Math.exp(2.0) / (Math.exp(2.0) + Math.exp(1.0) + Math.exp(0.4));
        assertEquals(expected, auto.predicted().probability(), 1e-5);
        assertNotEquals(auto.predicted().probability(), wrong.predicted().probability(), 1e-3);
    }

    @Test
    void theBundledDefaultModelKeepsItsPropertiesRange() {
        LoadedModel m = MODELS.load(DefaultModel.path());
        InputRange r = PreprocessingOptions.none().inputRange(m);
        assertEquals(InputRange.PROPERTIES, r.source());
        assertEquals("0:1", r.range());
        Preprocessing p = PreprocessingOptions.none().resolve(m);
        assertEquals(0, p.rangeMin());
        assertEquals(1, p.rangeMax());
        assertEquals("96x96x3, resize stretch, range 0:1", p.describe());
    }
}
