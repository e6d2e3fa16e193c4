package sc.fiji.gradcam.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.graph.LayerCatalog;
import sc.fiji.gradcam.model.LoadedModel;

/** {@code gradcam layers}: the target-layer catalog with the default marked. */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = "The candidate target layers (4-D feature maps between input and output), default marked.")
final class LayersCommand extends ModelCommand {

    @Override
    void report(LoadedModel m, PrintWriter out) {
        LayerCatalog c = m.catalog();
        Layer def = c.defaultLayer();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", modelArgs.path().toString());
            o.put("default", def == null ? null : def.name());
            o.put("reason", c.reason());
            List<Map<String, Object>> layers = new ArrayList<>();
            for (Layer l : c.layers()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", l.name());
                e.put("layer", l.layer());
                e.put("tensor", l.tensor());
                e.put("op", l.op());
                e.put("height", l.height());
                e.put("width", l.width());
                e.put("channels", l.channels());
                e.put("layout", l.layout().id());
                e.put("default", l == def);
                layers.add(e);
            }
            o.put("layers", layers);
            out.println(Json.write(o));
        } else {
            for (Layer l : c.layers()) {
                out.printf("%s %-60s %-22s %4d x %-4d x %5d  %s%n", l == def ? "*" : " ", l.name(), l.op(), l.height(),
                        l.width(), l.channels(), l.layout().id());
            }
            out.println("* default: " + c.reason());
        }
    }
}
