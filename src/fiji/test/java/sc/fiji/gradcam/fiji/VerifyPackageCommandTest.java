package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.measure.ResultsTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.module.Module;
import sc.fiji.gradcam.bioimageio.CarePackage;

/** Plugins › Grad-CAM › Verify BioImage.IO Model... on packages built around the real CARE model. */
class VerifyPackageCommandTest {

    @TempDir
    Path tmp;

    @Test
    void passesOnTheHonestPackageAndFailsOnATamperedOne() throws Exception {
        Path ok = CarePackage.build(tmp.resolve("ok"), CarePackage.Flaw.NONE);
        Path bad = CarePackage.build(tmp.resolve("bad"), CarePackage.Flaw.TAMPERED_OUTPUT);
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, VerifyPackageCommand.class, "model", ok.toFile());
            assertEquals(true, m.getOutput("passed"));
            String verdict = (String) m.getOutput("verdict");
            assertTrue(verdict.startsWith("PASS"), verdict);
            ResultsTable rt = (ResultsTable) m.getOutput("results");
            assertEquals(1, rt.size());
            assertEquals("restored", rt.getStringValue("Output", 0));
            assertEquals("PASS", rt.getStringValue("Result", 0));
            assertEquals(0, rt.getValue("Mismatches", 0), 0);

            Module f = Fixtures.run(c, VerifyPackageCommand.class, "model", bad.toFile());
            assertEquals(false, f.getOutput("passed"));
            assertEquals("FAIL", ((ResultsTable) f.getOutput("results")).getStringValue("Result", 0));
        }
    }

    static Context context;
    static Module last;

    /** Stands in for imagej-legacy's macro bridge (see {@link MacroTest}): the {@code model} key to the command. */
    public static class Bridge implements ij.plugin.PlugIn {
        @Override
        public void run(String arg) {
            String model = ij.Macro.getValue(ij.Macro.getOptions(), "model", null);
            try {
                last = Fixtures.run(context, VerifyPackageCommand.class, "model", new java.io.File(model));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }
    }

    @Test
    void runsFromAMacro() throws Exception {
        Path ok = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        try (Context c = new Context()) {
            context = c;
            if (ij.Menus.getCommands() == null) {
                var table = ij.Menus.class.getDeclaredField("pluginsTable");
                table.setAccessible(true);
                table.set(null, new java.util.Hashtable<String, String>());
            }
            @SuppressWarnings("unchecked")
            java.util.Map<String, String> commands = ij.Menus.getCommands();
            commands.put("Verify BioImage.IO Model...", Bridge.class.getName());
            new ij.macro.Interpreter().run("run(\"Verify BioImage.IO Model...\", \"model=[" + ok + "]\");", null);
            assertEquals(true, last.getOutput("passed"));
        } finally {
            context = null;
        }
    }

    @Test
    void aPackageWithoutWeightsIsCancelledWithTheReason() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, VerifyPackageCommand.class, "model",
                    Fixtures.shared().resolve("bioimageio/bsubtilis_unet_v0_4.bioimageio.yaml").toFile());
            assertTrue(Fixtures.canceled(m));
            assertTrue(Fixtures.reason(m).contains("tf-weights.zip"), Fixtures.reason(m));
            assertFalse(Fixtures.reason(m).contains("\n"));
            assertEquals(null, m.getOutput("results"));
        }
    }
}
