package sc.fiji.gradcam.api;

/** What is differentiated for the target class c. */
public enum ScoreKind {
    /** The pre-softmax score y_c, as in the Grad-CAM paper (default). */
    LOGIT("logit"),
    /** The softmax probability p_c. */
    PROBABILITY("probability"),
    /** log p_c (log-softmax). */
    LOG_PROBABILITY("log-probability");

    private final String id;

    ScoreKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses {@code logit}, {@code probability} or {@code log-probability} (case and _ / - ignored). */
    public static ScoreKind parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase().replace('_', '-');
        for (ScoreKind v : values()) {
            if (v.id.equals(k)) {
                return v;
            }
        }
        if (k.isEmpty()) {
            return LOGIT;
        }
        throw new IllegalArgumentException("Unknown score '" + s + "'. Valid: logit, probability, log-probability.");
    }
}
