package sc.fiji.gradcam.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/** Hand-written SavedModels without variables (constants only), for exact checks and error cases. */
public final class TinyModels {

    private TinyModels() {}

    /** Builds a graph: {@code body} gets the ops and the float32 placeholder {@code x} and returns the output. */
    public interface Body {
        Operand<TFloat32> build(Ops tf, Operand<TFloat32> x);
    }

    /** Writes a SavedModel (tag serve, signature serving_default, x → y) with the input shape given. */
    public static Path write(Path dir, long[] inputShape, long[] outputShape, Body body) {
        TensorFlowRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(inputShape)));
            Operand<TFloat32> y = tf.withName("y").identity(body.build(tf, x));
            return write(dir, g.toGraphDef(), "x:0", inputShape, "y:0", outputShape, List.of("serve"),
                    "serving_default");
        }
    }

    /**
     * Like {@link #write(Path, long[], long[], Body)} with a uint8 image input {@code x}: {@code body} gets it
     * after a {@code Cast} to float32 (as a Keras model with a uint8 input has it).
     */
    public static Path writeUint8(Path dir, long[] inputShape, long[] outputShape, Body body) {
        TensorFlowRuntime.engine();
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Operand<TUint8> x = tf.withName("x").placeholder(TUint8.class, Placeholder.shape(Shape.of(inputShape)));
            Operand<TFloat32> y = tf.withName("y").identity(body.build(tf, tf.withName("Cast").dtypes.cast(x,
                    TFloat32.class)));
            return write(dir, g.toGraphDef(), "x:0", inputShape, DataType.DT_UINT8, "y:0", outputShape,
                    List.of("serve"), "serving_default");
        }
    }

    /**
     * A single-unit binary classifier with a known logit: RGB 16×16 → 1×1 conv picking red and green → ReLU
     * ({@code features}) → global average → {@code z = mean(red) - mean(green)} (in the model's range, 0:1 by
     * default) → {@code activation} ({@code Sigmoid}, {@code Softmax} or empty: the raw logit), output [batch, 1].
     */
    public static Path redVersusGreen(Path dir, String activation) {
        return write(dir, new long[] {-1, 16, 16, 3}, new long[] {-1, 1}, (Ops tf, Operand<TFloat32> x) -> {
            float[][][][] k = {{{{1, 0}, {0, 1}, {0, 0}}}};
            Operand<TFloat32> conv = tf.nn.conv2d(x, tf.constant(k), List.of(1L, 1L, 1L, 1L), "SAME");
            Operand<TFloat32> a = tf.withName("features").nn.relu(conv);
            Operand<TFloat32> gap = tf.math.mean(a, tf.constant(new int[] {1, 2}));
            Operand<TFloat32> z = tf.withName("logit").linalg.matMul(gap, tf.constant(new float[][] {{1}, {-1}}));
            return switch (activation) {
                case "Sigmoid" -> tf.math.sigmoid(z);
                case "Softmax" -> tf.nn.softmax(z);
                case "" -> z;
                default -> throw new IllegalArgumentException(activation);
            };
        });
    }

    /** Writes a SavedModel proto for {@code graph} with one signature. */
    public static Path write(Path dir, GraphDef graph, String input, long[] inputShape, String output,
            long[] outputShape, List<String> tags, String signature) {
        return write(dir, graph, input, inputShape, DataType.DT_FLOAT, output, outputShape, tags, signature);
    }

    private static Path write(Path dir, GraphDef graph, String input, long[] inputShape, DataType inputType,
            String output, long[] outputShape, List<String> tags, String signature) {
        try {
            Files.createDirectories(dir);
            SignatureDef sig = SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict")
                    .putInputs("x", info(input, inputShape, inputType))
                    .putOutputs("y", info(output, outputShape, DataType.DT_FLOAT)).build();
            MetaGraphDef meta = MetaGraphDef.newBuilder()
                    .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addAllTags(tags))
                    .setGraphDef(graph).putSignatureDef(signature, sig).build();
            Files.write(dir.resolve("saved_model.pb"),
                    SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build().toByteArray());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TensorInfo info(String name, long[] shape, DataType type) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return TensorInfo.newBuilder().setName(name).setDtype(type).setTensorShape(s).build();
    }
}
