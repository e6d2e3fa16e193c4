package sc.fiji.gradcam.fiji;

import org.codehaus.groovy.jsr223.GroovyScriptEngineFactory;
import org.scijava.plugin.Plugin;
import org.scijava.script.AdaptedScriptLanguage;
import org.scijava.script.ScriptLanguage;

/**
 * Groovy for SciJava's ScriptService in tests. Fiji's own plugin for this (org.scijava:scripting-groovy) is not on
 * Maven Central, so this one adapts groovy-jsr223's engine, as that plugin does; everything else (the {@code #@}
 * parameters, service injection, {@code #@output}) is SciJava's own script machinery.
 */
@Plugin(type = ScriptLanguage.class, name = "Groovy")
public class TestGroovyLanguage extends AdaptedScriptLanguage {

    public TestGroovyLanguage() {
        super(new GroovyScriptEngineFactory());
    }
}
