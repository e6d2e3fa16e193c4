package sc.fiji.gradcam.fiji;

import ij.measure.ResultsTable;
import java.awt.Rectangle;
import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Prediction;

/** Rows of the {@value #TITLE} table: one per explained plane. */
public final class ResultsTables {

    public static final String TITLE = "Grad-CAM Results";

    private ResultsTables() {}

    /** Appends one row per plane; {@code boxes} (null: none) holds each plane's hot-region box or null. */
    public static void append(ResultsTable rt, ImageExplanation result, List<Rectangle> boxes) {
        synchronized (rt) {
            for (int i = 0; i < result.explanations().size(); i++) {
                Explanation e = result.explanations().get(i);
                rt.incrementCounter();
                rt.addValue("Image", result.image().getTitle());
                rt.addValue("Plane", result.planes().get(i) + 1);
                rt.addValue("Predicted", e.predicted().label());
                rt.addValue("Probability", e.predicted().probability());
                rt.addValue("Target", e.target().label());
                rt.addValue("Target probability", e.target().probability());
                rt.addValue("Score", e.score().id());
                rt.addValue("Layer", e.layer() == null ? "" : e.layer().name());
                rt.addValue("Map max", e.rawMax());
                for (int k = 0; k < 5; k++) {
                    Prediction p = k < e.top5().size() ? e.top5().get(k) : null;
                    rt.addValue("Top" + (k + 1), p == null ? "" : p.label());
                    rt.addValue("P" + (k + 1), p == null ? Double.NaN : p.probability());
                }
                for (Map.Entry<String, Double> t : e.timingsMs().entrySet()) {
                    rt.addValue(t.getKey() + " ms", t.getValue());
                }
                Rectangle box = boxes == null ? null : boxes.get(i);
                if (boxes != null) {
                    rt.addValue("Box X", box == null ? Double.NaN : box.x);
                    rt.addValue("Box Y", box == null ? Double.NaN : box.y);
                    rt.addValue("Box width", box == null ? Double.NaN : box.width);
                    rt.addValue("Box height", box == null ? Double.NaN : box.height);
                }
                if (e.region() != null) {
                    rt.addValue("Region", e.region().asked().describe());
                    rt.addValue("Region pixels", e.region().pixels());
                    rt.addValue("Region " + e.region().aggregate().id(), e.region().value());
                }
                rt.addValue("Note", e.note() == null ? "" : e.note());
            }
        }
    }
}
