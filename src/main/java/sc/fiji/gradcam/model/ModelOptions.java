package sc.fiji.gradcam.model;

import java.nio.file.Path;
import java.util.List;

/**
 * How to load a model.
 *
 * @param tags meta-graph tags (default {@code serve})
 * @param signature signature key (null: {@code serving_default}, or the only one)
 * @param input input key of the signature (null: its only rank-4 input)
 * @param output output key (null: its first [batch, classes] output)
 * @param labels labels file (null: {@code labels.txt}/{@code synset.txt} in the folder, or the
 *     {@code labels} key of {@code gradcam.properties})
 */
public record ModelOptions(List<String> tags, String signature, String input, String output, Path labels) {

    public static ModelOptions defaults() {
        return new ModelOptions(List.of("serve"), null, null, null, null);
    }

    public ModelOptions withSignature(String s) {
        return new ModelOptions(tags, s, input, output, labels);
    }

    public ModelOptions withTags(List<String> t) {
        return new ModelOptions(t, signature, input, output, labels);
    }

    public ModelOptions withLabels(Path l) {
        return new ModelOptions(tags, signature, input, output, l);
    }

    public ModelOptions withInput(String i) {
        return new ModelOptions(tags, signature, i, output, labels);
    }

    public ModelOptions withOutput(String o) {
        return new ModelOptions(tags, signature, input, o, labels);
    }
}
