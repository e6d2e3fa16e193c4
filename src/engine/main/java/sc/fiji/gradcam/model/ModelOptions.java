package sc.fiji.gradcam.model;

import java.nio.file.Path;
import java.util.List;
import sc.fiji.gradcam.api.Precision;

/**
 * How to load a model.
 *
 * @param tags meta-graph tags (default {@code serve})
 * @param signature signature key (null: {@code serving_default}, or the only one)
 * @param input input key of the signature (null: its only rank-4 input)
 * @param output output key (null: its first [batch, classes] output)
 * @param labels labels file (null: {@code labels.txt}/{@code synset.txt} in the folder, or the
 *     {@code labels} key of {@code gradcam.properties})
 * @param layout the image input's layout, {@code nhwc} or {@code nchw} (null or {@code auto}: {@code layout=} in
 *     {@code gradcam.properties}, else detected from the graph and the input shape, else nhwc)
 * @param precision what the session computes in (null: float32); {@code bf16} sets grappler's oneDNN bfloat16
 *     rewrite in the session's config, see {@link sc.fiji.gradcam.runtime.Bfloat16}
 */
public record ModelOptions(List<String> tags, String signature, String input, String output, Path labels,
        String layout, Precision precision) {

    public ModelOptions {
        precision = precision == null ? Precision.FLOAT32 : precision;
    }

    /** Float32 options (the form before {@code precision} existed). */
    public ModelOptions(List<String> tags, String signature, String input, String output, Path labels,
            String layout) {
        this(tags, signature, input, output, labels, layout, Precision.FLOAT32);
    }

    public static ModelOptions defaults() {
        return new ModelOptions(List.of("serve"), null, null, null, null, null);
    }

    public ModelOptions withPrecision(Precision p) {
        return new ModelOptions(tags, signature, input, output, labels, layout, p);
    }

    public ModelOptions withSignature(String s) {
        return new ModelOptions(tags, s, input, output, labels, layout, precision);
    }

    public ModelOptions withTags(List<String> t) {
        return new ModelOptions(t, signature, input, output, labels, layout, precision);
    }

    public ModelOptions withLabels(Path l) {
        return new ModelOptions(tags, signature, input, output, l, layout, precision);
    }

    public ModelOptions withInput(String i) {
        return new ModelOptions(tags, signature, i, output, labels, layout, precision);
    }

    public ModelOptions withOutput(String o) {
        return new ModelOptions(tags, signature, input, o, labels, layout, precision);
    }

    /** {@code nhwc}, {@code nchw}, or null / {@code auto}. */
    public ModelOptions withLayout(String l) {
        return new ModelOptions(tags, signature, input, output, labels, l, precision);
    }
}
