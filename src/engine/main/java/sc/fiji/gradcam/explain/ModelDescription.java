package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ModelInfo;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.graph.LayerCatalog;
import sc.fiji.gradcam.model.LoadedModel;

/** A loaded model as a {@link ModelInfo}: what the Model Info command shows. */
final class ModelDescription {

    private ModelDescription() {}

    static ModelInfo of(LoadedModel m) {
        LayerCatalog catalog = m.catalog();
        return new ModelInfo(describe(m), m.classes(), m.labels(), catalog.layers(), catalog.defaultLayer(),
                m.dense() && !m.regression());
    }

    static String describe(LoadedModel m) {
        StringBuilder b = new StringBuilder();
        b.append("Model: ").append(m.source()).append('\n');
        b.append("Graph: ").append(m.style()).append(", ").append(m.opCount()).append(" ops\n");
        b.append("Signatures: ").append(m.signatureKeys()).append(" (using '").append(m.signature().key())
                .append("')\n");
        m.signature().inputs().forEach(t -> b.append("Input: ").append(t).append('\n'));
        m.signature().outputs().forEach(t -> b.append("Output: ").append(t).append('\n'));
        b.append("Classes: ").append(m.classes()).append(m.labels().isEmpty() ? " (no labels file)" : " " + m.labels())
                .append(m.singleUnitBinary() ? " from one output unit (binary: 0 = negative, 1 = positive)" : "")
                .append('\n');
        b.append("Input range: ").append(PreprocessingOptions.none().inputRange(m).describe()).append('\n');
        b.append("Input layout: ").append(m.inputLayout().describe()).append('\n');
        b.append("Default layer: ").append(m.catalog().defaultLayer() == null ? "none" : m.catalog().defaultLayer()
                .name()).append(" — ").append(m.catalog().reason()).append('\n');
        m.properties().forEach((k, v) -> b.append("gradcam.properties: ").append(k).append('=').append(v).append('\n'));
        m.warnings().forEach(w -> b.append("Warning: ").append(w).append('\n'));
        return b.toString();
    }
}
