package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.support.BuiltModels.Built;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/** The default target layer and the candidate list, on test models and on the real models. */
class LayerCatalogTest extends WithBuiltModels {

    static Stream<TestModelSpec> specs() {
        return Stream.of(BuiltModels.allSmall(ModelDType.FLOAT32, true), BuiltModels.allSmall(ModelDType.FLOAT64, false),
                BuiltModels.channelsFirst(ModelDType.FLOAT32)).flatMap(List::stream);
    }

    static Stream<TestModelSpec> channelsFirst() {
        return Stream.of(ModelDType.values()).flatMap(d -> BuiltModels.channelsFirst(d).stream());
    }

    /**
     * Channels-first models list every layer their NHWC twin has, with the same height, width and channels; the
     * layers between an onnx-tf convolution's back-transpose and the next transpose (bias, ReLU, the keep-dims
     * global mean) are NCHW, everything else NHWC; the default is the last block's ReLU, in NCHW for onnx-tf.
     */
    @ParameterizedTest
    @MethodSource("channelsFirst")
    void channelsFirstLayersHaveTheShapesOfTheirNhwcTwin(TestModelSpec spec) {
        LayerCatalog catalog = models.get(spec).loaded().catalog();
        LayerCatalog twin = models.get(spec.withLayout(Layout.NHWC)).loaded().catalog();
        boolean onnx = spec.layout() == Layout.ONNX_TF;
        int matched = 0;
        for (Layer l : catalog.layers()) {
            String node = l.tensorName().node();
            boolean channelsFirst = onnx && (node.endsWith("/transpose_1") || node.endsWith("/BiasAdd")
                    || node.endsWith("/add") || node.endsWith("/Relu") || node.endsWith("/Mean"));
            assertEquals(channelsFirst ? DataLayout.NCHW : DataLayout.NHWC, l.layout(), spec.name() + " " + l);
            var shape = models.get(spec).loaded().serving().tensor(l.tensorName()).shape();
            long c = channelsFirst ? shape.get(1) : shape.get(3);
            assertEquals(c, l.channels(), l.toString());
            for (Layer t : twin.layers()) {
                if (t.name().equals(l.name()) || l.name().endsWith("/add") && t.name().equals(l.layer() + "/BiasAdd")) {
                    matched++;
                    assertEquals(List.of(t.height(), t.width(), t.channels()), List.of(l.height(), l.width(),
                            l.channels()), spec.name() + " " + l + " vs " + t);
                }
            }
        }
        assertTrue(matched >= 7, spec.name() + ": only " + matched + " layers found in the twin");
        Layer d = catalog.defaultLayer();
        assertEquals(twin.defaultLayer().name(), d.name(), catalog.reason());
        assertEquals(onnx ? DataLayout.NCHW : DataLayout.NHWC, d.layout());
        assertEquals(List.of(twin.defaultLayer().height(), twin.defaultLayer().width(), twin.defaultLayer().channels()),
                List.of(d.height(), d.width(), d.channels()));
        assertTrue(!onnx || catalog.reason().contains("Transpose →"), catalog.reason());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void defaultLayerIsTheLastConvActivation(TestModelSpec spec) {
        Built b = models.get(spec);
        LayerCatalog catalog = b.loaded().catalog();
        Layer d = catalog.defaultLayer();
        assertNotNull(d, catalog.reason());
        String node = d.tensorName().node();
        String expected = b.model().lastConvNodeName();
        assertTrue(node.equals(expected) || node.endsWith("/" + expected),
                spec.name() + ": default " + node + ", expected …" + expected + " (" + catalog.reason() + ")");
        long[] shape = b.model().lastConvShape();
        assertEquals(shape[0], d.height());
        assertEquals(shape[1], d.width());
        assertEquals(shape[2], d.channels());
        assertOnlyPathTensors(b.loaded());
        // found by its own name, its tensor and its node; "auto" is the default
        assertSame(d, catalog.find(d.name()));
        assertSame(d, catalog.find(d.tensor()));
        assertSame(d, catalog.find("auto"));
        assertSame(d, catalog.find(""));
    }

    static void assertOnlyPathTensors(LoadedModel m) {
        LayerCatalog catalog = m.catalog();
        assertFalse(catalog.layers().isEmpty());
        for (Layer l : catalog.layers()) {
            assertTrue(m.serving().path().contains(l.tensorName().node()), l + " is not on the serving path");
            var out = m.serving().tensor(l.tensorName());
            assertEquals(4, out.shape().numDimensions(), l.toString());
            assertTrue(l.channels() > 0, l.toString());
        }
        assertEquals(catalog.layers().size(), catalog.layers().stream().map(Layer::name).distinct().count(),
                "layer names are not unique");
    }

    @Test
    void unknownLayerListsTheValidOnes() {
        LayerCatalog catalog = models.get(BuiltModels.small(sc.fiji.gradcam.testmodels.Architecture.GAP,
                sc.fiji.gradcam.testmodels.SaveStyle.FUNCTION_CALL)).loaded().catalog();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.find("conv9"));
        assertTrue(e.getMessage().contains("conv9"), e.getMessage());
        for (Layer l : catalog.layers()) {
            assertTrue(e.getMessage().contains(l.name()), e.getMessage() + " lacks " + l.name());
        }
        assertTrue(e.getMessage().contains("auto"), e.getMessage());
    }

    @Test
    void mnist() {
        LoadedModel m = SharedModels.loaded(SharedModels.MNIST);
        Layer d = m.catalog().defaultLayer();
        System.out.println("mnist: " + m.catalog().reason() + "; " + m.catalog().layers().stream().map(Layer::name).toList());
        assertTrue(d.tensorName().node().endsWith("Relu_1"), d.toString());
        assertShape(d, 14, 14, 32);
        assertOnlyPathTensors(m);
    }

    @Test
    void potato() {
        LoadedModel m = SharedModels.loaded(SharedModels.POTATO);
        Layer d = m.catalog().defaultLayer();
        System.out.println("potato: " + m.catalog().reason() + "; " + m.catalog().layers().stream().map(Layer::name).toList());
        assertTrue(d.name().contains("conv2d_23"), d.toString());
        assertShape(d, 4, 4, 64);
        assertOnlyPathTensors(m);
        // the Keras layer name selects the last op of that layer
        assertEquals(d, m.catalog().find("conv2d_23"));
    }

    @Test
    void teachableMachineEyesListsOnlyTheConnectedCopy() {
        LoadedModel m = SharedModels.loaded(SharedModels.EYES);
        Layer d = m.catalog().defaultLayer();
        System.out.println("eyes: " + m.catalog().reason() + "; " + m.catalog().layers().size() + " layers");
        assertEquals("sequential_5/model2/out_relu/Relu6", d.tensorName().node());
        assertShape(d, 7, 7, 1280);
        assertOnlyPathTensors(m);
        for (Layer l : m.catalog().layers()) {
            assertTrue(l.tensorName().node().startsWith("sequential_5/model2/"), "off-path copy listed: " + l);
        }
        // the other two copies of the conv stack exist in the graph, but not in the catalog
        long copies = m.serving().view().size();
        assertTrue(copies > 3 * m.catalog().layers().size());
    }

    private static void assertShape(Layer l, long h, long w, long c) {
        assertEquals(h, l.height(), l.toString());
        assertEquals(w, l.width(), l.toString());
        assertEquals(c, l.channels(), l.toString());
    }
}
