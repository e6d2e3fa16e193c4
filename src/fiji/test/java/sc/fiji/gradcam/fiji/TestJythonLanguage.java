package sc.fiji.gradcam.fiji;

import org.python.jsr223.PyScriptEngineFactory;
import org.scijava.plugin.Plugin;
import org.scijava.script.AdaptedScriptLanguage;
import org.scijava.script.ScriptLanguage;

/**
 * Python (Jython) for SciJava's ScriptService in tests. Fiji's own plugin for this (org.scijava:scripting-jython) is
 * not on Maven Central, so this one adapts jython-standalone's JSR 223 engine, as that plugin does; the {@code #@}
 * parameters, service injection and {@code #@output} are SciJava's own script machinery.
 */
@Plugin(type = ScriptLanguage.class, name = "Python")
public class TestJythonLanguage extends AdaptedScriptLanguage {

    public TestJythonLanguage() {
        super(new PyScriptEngineFactory());
    }
}
