package sc.fiji.gradcam.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.DefaultModel;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.model.ModelOptions;

/** Options naming a model and how to load it, shared by every subcommand. */
final class ModelArgs {

    @Option(names = "--model", paramLabel = "DIR", description = "SavedModel folder or .zip, or a BioImage.IO package "
            + "(its .zip, rdf.yaml / bioimageio.yaml, or folder) (default: the bundled malaria-cells model).")
    Path model;

    @Option(names = "--tags", split = ",", paramLabel = "TAG", description = "Meta-graph tags (default: serve).")
    List<String> tags = List.of("serve");

    @Option(names = "--signature", paramLabel = "NAME", description = "Signature (default: serving_default).")
    String signature;

    @Option(names = "--input", paramLabel = "KEY", description = "Signature input key (default: its image input); for a "
            + "model without a signature (a TF1 graph), the graph node or tensor that takes the image, e.g. input_tensor.")
    String input;

    @Option(names = "--output", paramLabel = "KEY", description = "Signature output key (default: its first "
            + "[batch, classes] output, else its first dense [batch, y, x, channels] output); for a model without a "
            + "signature, the graph node or tensor to explain, e.g. output_tensor.")
    String output;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels file, one per line (default: labels.txt "
            + "or synset.txt in the model folder); for a one-unit binary model: negative and positive, or only the "
            + "positive class.")
    Path labels;

    @Option(names = "--layout", paramLabel = "auto|nhwc|nchw", description = "The image input's layout: channels "
            + "last (nhwc) or first (nchw, e.g. PyTorch models converted through ONNX). Default: auto = layout= in the "
            + "model's gradcam.properties, else what the graph and the input shape show (see 'info'), else nhwc.")
    String layout;

    @Option(names = "--precision", paramLabel = "float32|bf16", description = "What the model computes in: float32 "
            + "(default) or bf16 (bfloat16 convolutions and matrix products in the forward and gradient passes, "
            + "through TensorFlow's oneDNN auto mixed precision; needs a CPU with avx512_bf16 or amx_bf16, refused "
            + "elsewhere). Experimental: with the bundled TensorFlow 2.16 natives its outputs were wrong where it was "
            + "measured (docs/benchmark.md); compare with float32.")
    String precision = "float32";

    Path path() {
        return model != null ? model : DefaultModel.path();
    }

    ModelOptions options() {
        return new ModelOptions(tags, signature, input, output, labels, layout, precision());
    }

    /** {@code --precision}, parsed (an unknown value throws with the valid ones). */
    Precision precision() {
        return Precision.parse(precision);
    }
}
