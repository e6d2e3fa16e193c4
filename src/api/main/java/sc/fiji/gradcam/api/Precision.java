package sc.fiji.gradcam.api;

/**
 * The arithmetic the model's session runs in. {@link #BF16} asks TensorFlow's grappler for its oneDNN automatic mixed
 * precision rewrite ({@code auto_mixed_precision_onednn_bfloat16}): convolutions, matrix products and the ops between
 * them (forward, gradients and the guided pass alike) compute in bfloat16, while inputs, fetched tensors and the
 * numerically sensitive ops (Exp, Softmax's reductions, Mean, ...) stay float32. It needs a CPU with bfloat16
 * instructions (AVX512_BF16 or AMX-BF16); loading refuses it, with the fix, elsewhere. Experimental: with TF 2.16's
 * natives its convolutions gave wrong, run-to-run different outputs where it was measured (docs/benchmark.md).
 */
public enum Precision {
    /** Everything in float32 (default). */
    FLOAT32("float32"),
    /** bfloat16 compute through TensorFlow's oneDNN auto mixed precision. */
    BF16("bf16");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    /** {@code float32} or {@code bf16}: the CLI's, the macro's and the JSON's spelling. */
    public String id() {
        return id;
    }

    /** Parses {@code float32} (also {@code fp32}) or {@code bf16} (also {@code bfloat16}); blank is float32. */
    public static Precision parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (k) {
            case "", "float32", "fp32", "f32" -> FLOAT32;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("Unknown precision '" + s + "'. Valid: float32, bf16.");
        };
    }
}
