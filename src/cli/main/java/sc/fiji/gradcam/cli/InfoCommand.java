package sc.fiji.gradcam.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import sc.fiji.gradcam.api.InputRange;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.model.InputLayout;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.TensorInfo;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/** {@code gradcam info}: what a model is and how it is laid out. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Signatures, inputs, outputs, graph style, op count, labels, input value range and layout of a "
                + "model.")
final class InfoCommand extends ModelCommand {

    @Override
    void report(LoadedModel m, PrintWriter out) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", modelArgs.path().toString());
        o.put("style", m.style().id());
        o.put("signatures", m.signatureKeys());
        o.put("signature", m.signature().key());
        o.put("inputs", tensors(m.signature().inputs()));
        o.put("outputs", tensors(m.signature().outputs()));
        o.put("labels", m.labels());
        o.put("ops", m.opCount());
        o.put("image_input", m.input().key());
        o.put("class_output", m.output().key());
        o.put("classes", m.classes());
        o.put("output_units", m.outputUnits());
        o.put("binary_single_output", m.singleUnitBinary());
        o.put("properties", new LinkedHashMap<>(m.properties()));
        o.put("natives", TensorFlowRuntime.nativeSource());
        o.put("precision", m.precision().id());
        o.put("warnings", m.warnings());
        InputRange range = PreprocessingOptions.none().inputRange(m);
        o.put("input_range", range.range());
        o.put("input_range_source", range.source());
        o.put("input_range_reason", range.reason());
        InputLayout layout = m.inputLayout();
        o.put("input_layout", layout.layout().id());
        o.put("input_layout_source", layout.source());
        o.put("input_layout_reason", layout.reason());
        if (json) {
            out.println(Json.write(o));
        } else {
            out.println("Model:      " + o.get("model") + " (" + o.get("style") + ", " + o.get("ops") + " ops)");
            out.println("Signatures: " + m.signatureKeys() + " — using '" + m.signature().key() + "'");
            m.signature().inputs().forEach(t -> out.println("Input:      " + t));
            m.signature().outputs().forEach(t -> out.println("Output:     " + t));
            out.println("Labels:     " + (m.labels().isEmpty() ? "(none: classes are numbered)" : m.labels()));
            if (m.singleUnitBinary()) {
                out.println("Classes:    2 from one output unit (binary: 0 = negative, score -z; 1 = positive, z)");
            }
            out.println("Range:      " + range.describe());
            out.println("Layout:     " + layout.describe());
            m.warnings().forEach(w -> out.println("Warning:    " + w));
        }
    }

    static List<Map<String, Object>> tensors(List<TensorInfo> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (TensorInfo t : list) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.key());
            e.put("tensor", t.tensor());
            e.put("shape", t.shape());
            e.put("dtype", t.dtype());
            out.add(e);
        }
        return out;
    }
}
