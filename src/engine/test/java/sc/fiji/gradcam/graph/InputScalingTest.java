package sc.fiji.gradcam.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
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
 * The input range read from the graph: 0:255 for a uint8 input and for scaling ops right after the input
 * (Rescaling, x/127.5-1, caffe means, an adapted Normalization), nothing for models that start with a layer.
 */
class InputScalingTest {

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final OpenedModels MODELS = new OpenedModels();

    /** A small GAP model of {@code style} with {@code ops} after its input (null: none). */
    static LoadedModel testModel(SaveStyle style, InputOps ops) {
        TestModelSpec spec = BuiltModels.small(Architecture.GAP, style);
        Path dir = tmp.resolve(spec.name() + "-" + (ops == null ? "plain" : ops.name().toLowerCase()));
        return MODELS.load(ops == null ? TestModels.build(spec, dir).dir() : TestModels.build(spec, dir, ops).dir());
    }

    @Test
    void potatoLeafRescalesInsideItsGraph() {
        Optional<InputScaling> s = InputScaling.detect(SharedModels.loaded(SharedModels.POTATO).serving());
        assertTrue(s.isPresent());
        assertEquals(0, s.get().min());
        assertEquals(255, s.get().max());
        String reason = s.get().reason();
        assertTrue(reason.contains("sequential/rescaling/mul") && reason.contains("(Mul)"), reason);
        assertTrue(reason.contains("0.003922 (1/255)"), reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {SharedModels.MNIST, SharedModels.EYES})
    void modelsScaledOutsideTheirGraphAreNotDetected(String name) {
        LoadedModel m = SharedModels.loaded(name);
        assertEquals(Optional.empty(), InputScaling.detect(m.serving()));
        assertEquals(Optional.empty(), m.inputScaling());
    }

    static Stream<Arguments> stylesAndOps() {
        List<Arguments> list = new ArrayList<>();
        for (SaveStyle style : SaveStyle.values()) {
            for (InputOps ops : InputOps.values()) {
                list.add(Arguments.of(style, ops));
            }
        }
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("stylesAndOps")
    void scalingOpsAfterTheInputAreFoundInEveryExportStyle(SaveStyle style, InputOps ops) {
        LoadedModel m = testModel(style, ops);
        assertEquals(style != SaveStyle.TF1_GRAPH, m.serving().isInlined());
        Optional<InputScaling> s = m.inputScaling();
        assertEquals(ops.expects255(), s.isPresent(), () -> s.toString());
        if (s.isPresent()) {
            assertEquals(0, s.get().min());
            assertEquals(255, s.get().max());
            String expected = switch (ops) {
                case RESCALING_1_255 -> "rescaling/mul (Mul) multiplies the input by 0.003922 (1/255)";
                case DIV_127_5_SUB_1 -> "truediv (RealDiv) divides the input by 127.5";
                case CAFFE_MEANS -> "BiasAdd (BiasAdd) adds [-103.9, -116.8, -123.7] to the input";
                case NORMALIZATION_255 -> "normalization/sub (Sub) subtracts [103.9, 116.8, 123.7] from the input";
                default -> throw new AssertionError(ops);
            };
            assertTrue(s.get().reason().contains(expected), s.get().reason());
        }
    }

    @ParameterizedTest
    @EnumSource(SaveStyle.class)
    void modelsThatStartWithAConvolutionAreNotDetected(SaveStyle style) {
        assertEquals(Optional.empty(), testModel(style, null).inputScaling());
    }

    @Test
    void aUint8InputMeansPixelValues0To255() {
        Path dir = TinyModels.writeUint8(tmp.resolve("uint8"), new long[] {-1, 8, 8, 3}, new long[] {-1, 3},
                (Ops tf, Operand<TFloat32> x) -> tf.math.mean(x, tf.constant(new int[] {1, 2})));
        LoadedModel m = MODELS.load(dir);
        assertEquals("uint8", m.input().dtype());
        Optional<InputScaling> s = m.inputScaling();
        assertTrue(s.isPresent());
        assertEquals(255, s.get().max());
        assertTrue(s.get().reason().contains("uint8"), s.get().reason());
    }
}
