package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.measure.ResultsTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.module.Module;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.Layout;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

class ModelInfoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void describesSignatureLabelsAndLayers() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, ModelInfoCommand.class, "model", Fixtures.mnistModel());
            String info = (String) m.getOutput("info");
            assertTrue(info.contains("serving_default"), info);
            assertTrue(info.contains("Input: x"), info);
            assertTrue(info.contains("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"), info);
            assertTrue(info.contains("Default layer: Relu_1"), info);
            assertTrue(info.contains("Input range: 0:1 (default: "), info);
            ResultsTable layers = (ResultsTable) m.getOutput("layers");
            assertEquals(8, layers.size());
            assertEquals("Conv2D", layers.getStringValue("Layer", 0));
            int def = -1;
            for (int i = 0; i < layers.size(); i++) {
                if (layers.getStringValue("Default", i).equals("yes")) {
                    def = i;
                }
            }
            assertEquals("Relu_1", layers.getStringValue("Layer", def));
            assertEquals(14, layers.getValue("Width", def), 0);
        }
    }

    @Test
    void showsTheInputRangeFoundInTheGraph() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, ModelInfoCommand.class, "model", Fixtures.potatoModel());
            String info = (String) m.getOutput("info");
            assertTrue(info.contains("Input range: 0:255 (detected: sequential_5/sequential/rescaling/mul (Mul) "
                    + "multiplies the input by 0.003922 (1/255)"), info);
        }
    }

    /** An onnx-tf-like model: its input layout and the default layer's channels-first shape. */
    @Test
    void showsAChannelsFirstModelsLayout() throws Exception {
        TestModelSpec spec = BuiltModels.small(Architecture.GAP, SaveStyle.TF1_GRAPH).withLayout(Layout.ONNX_TF);
        Path dir = TestModels.buildIn(spec, tmp).dir();
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, ModelInfoCommand.class, "model", dir.toFile());
            String info = (String) m.getOutput("info");
            assertTrue(info.contains("Input layout: nchw (detected: "), info);
            ResultsTable layers = (ResultsTable) m.getOutput("layers");
            int def = -1;
            for (int i = 0; i < layers.size(); i++) {
                if (layers.getStringValue("Default", i).equals("yes")) {
                    def = i;
                }
            }
            assertEquals("conv2d_2/Relu", layers.getStringValue("Layer", def));
            assertEquals("nchw", layers.getStringValue("Layout", def));
            assertEquals(16, layers.getValue("Height", def), 0);
            assertEquals(16, layers.getValue("Width", def), 0);
            assertEquals(8, layers.getValue("Channels", def), 0);
        }
    }

    @Test
    void notAModelFails() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, ModelInfoCommand.class, "model", tmp.toFile());
            assertTrue(Fixtures.canceled(m));
            assertTrue(Fixtures.reason(m).contains("Fix:"), Fixtures.reason(m));
        }
    }
}
