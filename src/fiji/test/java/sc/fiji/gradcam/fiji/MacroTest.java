package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

/**
 * Macro level: an ImageJ macro calls {@code run("Grad-CAM...", options)}. Fiji's legacy bridge
 * (imagej-legacy) is not on the test class path, so {@link Bridge} stands in for it the way it works:
 * the command's label is registered as an ImageJ 1 command, and each input is read from the option
 * string by its name with {@link Macro#getValue} (booleans: the bare key), the image is the active one.
 */
class MacroTest {

    static Context context;
    static Module last;

    /** The stand-in for imagej-legacy's macro bridge. */
    public static class Bridge implements PlugIn {
        @Override
        public void run(String arg) {
            String options = Macro.getOptions() == null ? "" : Macro.getOptions();
            // the menu entry "Grad-CAM..." is GradCamDialog: a DynamicCommand whose items exist once it is created
            CommandInfo info = context.service(CommandService.class).getCommand(GradCamDialog.class);
            Module module = context.service(ModuleService.class).createModule(info);
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("image", WindowManager.getCurrentImage());
            for (ModuleItem<?> item : module.getInfo().inputs()) {
                boolean flag = item.getType() == boolean.class;
                String value = flag ? String.valueOf((" " + options + " ").contains(" " + item.getName() + " "))
                        : Macro.getValue(options, item.getName(), null);
                if (value != null && !item.getName().equals("image")) {
                    inputs.put(item.getName(), value); // strings, converted by SciJava like the bridge does
                }
            }
            try {
                last = context.service(ModuleService.class).run(module, true, inputs).get();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }
    }

    private static void register() throws Exception {
        if (Menus.getCommands() == null) {
            // ImageJ 1 builds its command table with AWT menus, which fail headless: give it an empty one
            var table = Menus.class.getDeclaredField("pluginsTable");
            table.setAccessible(true);
            table.set(null, new java.util.Hashtable<String, String>());
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, String> commands = Menus.getCommands();
        commands.put("Grad-CAM...", Bridge.class.getName());
    }

    /** The Batch_Folder.ijm template with its script parameters given as variables (headless: no map windows). */
    @Test
    void batchFolderMacroRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        try (Context c = new Context()) {
            context = c;
            register();
            java.nio.file.Path in = java.nio.file.Files.createDirectories(tmp.resolve("in"));
            for (int i = 0; i < 2; i++) {
                ij.IJ.save(Fixtures.mnist(i), in.resolve("digit" + i + ".tif").toString());
            }
            java.nio.file.Path out = java.nio.file.Files.createDirectories(tmp.resolve("out"));
            String script = java.nio.file.Files.readString(ScriptTemplatesTest.template("Batch_Folder.ijm").toPath());
            String params = "input=\"" + in + "\"; output=\"" + out + "\"; model=\"" + Fixtures.mnistModel()
                    + "\"; target=\"auto\"; methods=\"gradcam\";\n";
            new Interpreter().run(params + script.replaceAll("(?m)^#@.*$", ""), null);
            assertEquals("2", last.getOutput("predicted_label")); // digit1.tif is t10k_0001, a 2
            ij.ImagePlus saved = ij.IJ.openImage(out.resolve("digit1.gradcam-overlay.tif").toString());
            var roi = saved.getOverlay().get(0);
            assertTrue(roi instanceof ij.gui.ImageRoi, "heatmap saved in the overlay: " + roi);
        } finally {
            context = null;
        }
    }

    /**
     * The smoothing options are macro booleans (present or absent keys): with {@code aug_smooth eigen_smooth} the
     * command's Grad-CAM output is the explainer's map with both, and differs from the one without.
     */
    @Test
    void smoothingKeysReachTheMaps() throws Exception {
        try (Context c = new Context()) {
            context = c;
            register();
            String image = Fixtures.shared().resolve("models/mnist_tfmodule/images/t10k_0001_label2.png").toString();
            String options = "model=[" + Fixtures.mnistModel() + "] target=auto layer=Conv2D_1 methods=gradcam "
                    + "score=logit slices=current";
            java.util.List<float[]> maps = new java.util.ArrayList<>();
            for (String smoothing : new String[] {"", " aug_smooth eigen_smooth"}) {
                new Interpreter().run("setBatchMode(true);\nopen(\"" + image + "\");\nrun(\"Grad-CAM...\", \""
                        + options + smoothing + "\");\n", null);
                assertTrue(!Fixtures.canceled(last), () -> Fixtures.reason(last));
                boolean on = !smoothing.isEmpty();
                assertEquals(on, last.getInput("aug_smooth"));
                assertEquals(on, last.getInput("eigen_smooth"));
                var imp = (ij.ImagePlus) last.getInput("image");
                var direct = c.service(ModelCache.class).explainer(Fixtures.mnistModel()).explain(
                        sc.fiji.gradcam.api.io.ImagePlusImages.plane(imp, 0), sc.fiji.gradcam.api.ExplainRequest
                                .defaults().withLayer("Conv2D_1").withAugSmooth(on).withEigenSmooth(on)).get(0);
                @SuppressWarnings("unchecked")
                var cam = (net.imglib2.img.Img<net.imglib2.type.numeric.real.FloatType>) last.getOutput("gradcam");
                float[] values = new float[imp.getWidth() * imp.getHeight()];
                var cursor = cam.localizingCursor();
                while (cursor.hasNext()) {
                    float v = cursor.next().get();
                    values[cursor.getIntPosition(1) * imp.getWidth() + cursor.getIntPosition(0)] = v;
                }
                assertArrayEquals(direct.maps().get(sc.fiji.gradcam.api.Method.GRADCAM).data(), values, 1e-6f);
                maps.add(values);
            }
            double change = 0;
            for (int j = 0; j < maps.get(0).length; j++) {
                change = Math.max(change, Math.abs(maps.get(0)[j] - maps.get(1)[j]));
            }
            assertTrue(change > 1e-3, "the smoothing keys changed nothing");
        } finally {
            context = null;
        }
    }

    @Test
    void macroRunsTheCommandWithItsOptionString() throws Exception {
        try (Context c = new Context()) {
            context = c;
            register();
            String image = Fixtures.shared().resolve("models/mnist_tfmodule/images/t10k_0001_label2.png").toString();
            String macro = "setBatchMode(true);\n"
                    + "open(\"" + image + "\");\n"
                    + "run(\"Grad-CAM...\", \"model=[" + Fixtures.mnistModel() + "] target=auto layer=Conv2D_1 "
                    + "methods=gradcam,guided-gradcam score=logit opacity=0.25 lut=Magma slices=current box\");\n"
                    + "n = Overlay.size;\n"
                    + "return \"\" + n;\n";
            String result = new Interpreter().run(macro, null);
            assertNotNull(last, "the macro reached the command");
            assertTrue(!Fixtures.canceled(last), () -> Fixtures.reason(last));
            assertEquals("2", last.getOutput("predicted_label"));
            assertEquals("Magma", last.getInput("lut"));
            assertEquals(true, last.getInput("box"));
            assertEquals(0.25, (double) last.getInput("opacity"), 1e-12);
            var imp = (ij.ImagePlus) last.getInput("image");
            ImageRoi heat = (ImageRoi) imp.getOverlay().get(HeatmapOverlay.NAME);
            assertEquals(0.25, heat.getOpacity(), 1e-6);
            assertEquals("2", result, "heatmap + box in the overlay, seen from the macro");
        } finally {
            context = null;
        }
    }

    /**
     * A macro recorded from the new dialog (boxes as bare keys, an empty methods list) runs the ticked methods; one
     * with neither key runs Grad-CAM and Guided Grad-CAM as before; methods=[...] wins over boxes.
     */
    @Test
    void boxesFromARecordedMacroAndTheMethodsKeyThatWins() throws Exception {
        try (Context c = new Context()) {
            context = c;
            register();
            String image = Fixtures.shared().resolve("models/mnist_tfmodule/images/t10k_0001_label2.png").toString();
            String base = "model=[" + Fixtures.mnistModel() + "] target=auto layer=[Conv2D_1 (14×14×32)] ";
            java.util.function.Function<String, java.util.List<String>> run = options -> {
                new Interpreter().run("setBatchMode(true);\nopen(\"" + image + "\");\nrun(\"Grad-CAM...\", \""
                        + base + options + "\");\n", null);
                assertTrue(!Fixtures.canceled(last), () -> Fixtures.reason(last));
                java.util.List<String> out = new java.util.ArrayList<>();
                for (sc.fiji.gradcam.api.Method m : sc.fiji.gradcam.api.Method.values()) {
                    if (last.getOutput(m.id().replace('-', '_')) != null) {
                        out.add(m.id());
                    }
                }
                return out;
            };
            assertEquals(java.util.List.of("gradcam", "gradient"), run.apply("method_gradcam method_gradient methods=[]"));
            assertEquals(java.util.List.of("gradcam", "guided-gradcam"), run.apply("score=logit"));
            assertEquals(java.util.List.of("layercam"), run.apply("method_gradcam methods=layercam"));
        } finally {
            context = null;
        }
    }
}
