package sc.fiji.gradcam.model;

/** How the exporter laid out the graph. */
public enum GraphStyle {
    /** All ops at the top level (TF1, Teachable Machine, frozen graphs). */
    TF1_GRAPH("tf1-graph"),
    /** The serving path runs through function-library calls (TF2 Keras 2/3, tf.Module). */
    TF2_FUNCTIONS("tf2-functions");

    private final String id;

    GraphStyle(String id) {
        this.id = id;
    }

    /** The identifier used in JSON output. */
    public String id() {
        return id;
    }
}
