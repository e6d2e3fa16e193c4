package sc.fiji.gradcam.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;

/**
 * Writes a {@link ClassifierNet} (or any network: {@link #export(Shape, Forward, Map, Path)}) with trained weights as an inference-only TF1-style SavedModel
 * (tag {@code serve}, signature {@code serving_default}: {@code image} [-1,N,N,C] float32 in,
 * {@code probabilities} [-1,K] float32 softmax out).
 *
 * <p>The graph is built afresh (no loss, gradients or Adam slots); the weights are variables set
 * from Java arrays and written to {@code variables/}. The helper {@code load/...} ops that set them
 * are removed from the stored graph afterwards.
 */
public final class SavedModelExport {

    public static final String TAG = "serve";
    public static final String SIGNATURE = "serving_default";
    public static final String INPUT = "image";
    public static final String OUTPUT = "probabilities";

    private SavedModelExport() {}

    public static void export(ClassifierNet net, Map<String, float[]> weights, Path dir) throws IOException {
        export(Shape.of(-1, net.size(), net.size(), net.channels()),
                (tf, image, factory) -> net.build(tf, image, factory).probabilities(), weights, dir);
    }

    /** A network's forward pass from {@code image} to the served output, its weights made by {@code factory}. */
    @FunctionalInterface
    public interface Forward {
        Operand<TFloat32> build(Ops tf, Operand<TFloat32> image, SmallCnn.Weights factory);
    }

    /**
     * Writes any network as the SavedModel above: input {@code image} of {@code inputShape} (−1 for free sizes),
     * output {@code probabilities} = what {@code forward} returns.
     */
    public static void export(Shape inputShape, Forward forward, Map<String, float[]> weights, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> image = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(inputShape));
            WeightVariables vars = new WeightVariables();
            Operand<TFloat32> out = forward.build(tf, image, vars::create);
            vars.addLoaders(tf);
            try (Session session = new Session(graph)) {
                vars.load(session, weights);
                Signature signature = Signature.builder().key(SIGNATURE)
                        .methodName("tensorflow/serving/predict")
                        .input(INPUT, image)
                        .output(OUTPUT, out)
                        .build();
                SavedModelBundle.exporter(dir.toString()).withTags(TAG).withSession(session)
                        .withSignature(signature).export();
            }
        }
        stripLoadOps(dir.resolve("saved_model.pb"));
    }

    /** Removes the {@code load/...} helper nodes from the stored graph. */
    private static void stripLoadOps(Path pb) throws IOException {
        SavedModel model = SavedModel.parseFrom(Files.readAllBytes(pb));
        SavedModel.Builder builder = model.toBuilder();
        for (int i = 0; i < builder.getMetaGraphsCount(); i++) {
            MetaGraphDef meta = builder.getMetaGraphs(i);
            GraphDef.Builder graph = meta.getGraphDef().toBuilder().clearNode();
            for (NodeDef node : meta.getGraphDef().getNodeList()) {
                if (!node.getName().startsWith(WeightVariables.LOAD_SCOPE + "/")) {
                    graph.addNode(node);
                }
            }
            builder.setMetaGraphs(i, meta.toBuilder().setGraphDef(graph));
        }
        Files.write(pb, builder.build().toByteArray());
    }
}
