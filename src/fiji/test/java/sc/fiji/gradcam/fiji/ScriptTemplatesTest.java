package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.io.File;
import java.io.StringWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.ModuleService;
import org.scijava.script.ScriptInfo;
import org.scijava.script.ScriptModule;
import org.scijava.script.ScriptService;

/**
 * The Script Editor templates shipped in the jar under {@code script_templates/Grad-CAM/}: exactly these three, each
 * run by a test (the macro in {@link MacroTest}, the Groovy one in {@link GroovyScriptTest}, the Python one here,
 * through SciJava's ScriptService with Jython as {@link TestJythonLanguage}).
 */
class ScriptTemplatesTest {

    static final String FOLDER = "script_templates/Grad-CAM/";

    /** A template as a file (the test class path holds the module's resources as a folder). */
    static File template(String name) {
        URL url = ScriptTemplatesTest.class.getClassLoader().getResource(FOLDER + name);
        assertNotNull(url, FOLDER + name + " is not on the class path");
        try {
            return new File(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void jython() {
        System.setProperty("python.cachedir.skip", "true");
        System.setProperty("python.console.encoding", "UTF-8");
    }

    @Test
    void theTemplatesAreTheOnesTheTestsRun() throws Exception {
        try (Stream<Path> files = Files.list(template("Batch_Folder.ijm").toPath().getParent())) {
            assertEquals(List.of("Batch_Folder.ijm", "Explain_And_Check.py", "Headless_Batch.groovy"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void pythonTemplateExplainsAndChecksTheActiveImage() throws Exception {
        ImagePlus cell = Fixtures.malariaCell();
        try (Context c = new Context()) {
            ScriptService scripts = c.service(ScriptService.class);
            assertEquals("Python", scripts.getLanguageByExtension("py").getLanguageName());
            ScriptInfo info = scripts.getScript(template("Explain_And_Check.py"));
            ScriptModule module = info.createModule();
            c.inject(module);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            module.setOutputWriter(out);
            module.setErrorWriter(err);
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("imp", cell);
            inputs.put("model", Fixtures.malariaModel());
            inputs.put("target", "auto");
            inputs.put("layer", "auto");
            c.service(ModuleService.class).run(module, true, inputs).get();
            assertEquals("", err.toString(), err.toString());
            String summary = (String) module.getOutput("summary");
            assertNotNull(summary, out.toString());
            assertTrue(summary.startsWith("Grad-CAM depends on the weights"), summary);
            List<String> lines = out.toString().lines().toList();
            assertEquals(5, lines.size(), out.toString());
            assertTrue(lines.get(0).startsWith(cell.getTitle() + ": Parasitized ("), lines.get(0));
            assertTrue(lines.get(1).startsWith("trained") && lines.get(1).contains("Grad-CAM rho  1.000"), lines.get(1));
            assertTrue(lines.get(3).startsWith("all layers re-initialised"), lines.get(3));
            assertEquals(summary, lines.get(4));
        }
    }
}
