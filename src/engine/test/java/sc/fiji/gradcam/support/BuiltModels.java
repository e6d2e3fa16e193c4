package sc.fiji.gradcam.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.OutputActivation;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModel;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/** Test models built into one folder and loaded once each; close it in {@code @AfterAll}. */
public final class BuiltModels implements AutoCloseable {

    /** A built test model and its loaded form. */
    public record Built(TestModel model, LoadedModel loaded) {
        @Override
        public String toString() {
            return model.spec().name();
        }
    }

    private final Path dir;
    private final Map<TestModelSpec, Built> built = new LinkedHashMap<>();

    public BuiltModels(Path dir) {
        this.dir = dir;
    }

    public synchronized Built get(TestModelSpec spec) {
        return built.computeIfAbsent(spec, s -> {
            TestModel m = TestModels.buildIn(s, dir);
            return new Built(m, ModelLoader.load(m.dir()));
        });
    }

    /** Small specs (16×16, 3 classes, 4 filters) for every architecture in every style and the given type. */
    public static List<TestModelSpec> allSmall(ModelDType dtype, boolean softmax) {
        List<TestModelSpec> list = new ArrayList<>();
        for (Architecture a : Architecture.values()) {
            for (SaveStyle s : SaveStyle.values()) {
                list.add(small(a, s).withDtype(dtype).withSoftmax(softmax));
            }
        }
        return list;
    }

    /** Like {@link #small} with one output unit: a binary classifier with a sigmoid or a raw logit. */
    public static TestModelSpec singleUnit(Architecture a, SaveStyle s, OutputActivation activation) {
        return small(a, s).withClasses(1).withActivation(activation);
    }

    /**
     * Small channels-first specs of the given type: GAP and VGG, TF1 and function-call style, each with an NCHW input
     * transposed once ({@link Layout#NCHW_INPUT}) and as onnx-tf writes it ({@link Layout#ONNX_TF}). Their NHWC twins
     * are {@code spec.withLayout(Layout.NHWC)}.
     */
    public static List<TestModelSpec> channelsFirst(ModelDType dtype) {
        List<TestModelSpec> list = new ArrayList<>();
        for (Architecture a : List.of(Architecture.GAP, Architecture.VGG)) {
            for (SaveStyle s : List.of(SaveStyle.TF1_GRAPH, SaveStyle.FUNCTION_CALL)) {
                for (Layout l : List.of(Layout.NCHW_INPUT, Layout.ONNX_TF)) {
                    list.add(small(a, s).withDtype(dtype).withLayout(l));
                }
            }
        }
        return list;
    }

    public static TestModelSpec small(Architecture a, SaveStyle s) {
        return TestModelSpec.of(a, s).withInput(16, 16, 3).withClasses(3).withFilters(4).withSeed(3);
    }

    @Override
    public synchronized void close() {
        built.values().forEach(b -> b.loaded().close());
        built.clear();
    }
}
