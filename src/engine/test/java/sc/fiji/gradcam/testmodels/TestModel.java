package sc.fiji.gradcam.testmodels;

import java.nio.file.Path;
import java.util.List;

/**
 * A SavedModel written by {@link TestModels#build}, with what a test needs to know about its graph.
 *
 * <p>Tensor names follow TensorFlow's {@code node:index} form. For {@link SaveStyle#FUNCTION_CALL} the last conv
 * activation is a node of the library function {@link #lastConvFunction()}, not of the top-level graph.
 */
public final class TestModel {

    /** Tag of the single MetaGraphDef. */
    public static final String TAG = "serve";
    /** Key of the single SignatureDef. */
    public static final String SIGNATURE_KEY = "serving_default";

    private final Path dir;
    private final TestModelSpec spec;
    private final String inputKey;
    private final String outputKey;
    private final String inputTensorName;
    private final String outputTensorName;
    private final String lastConvNodeName;
    private final String lastConvFunction;
    private final long[] lastConvShape;
    private final double[][] denseWeights;
    private final double[] denseBias;
    private final List<String> variableNames;
    private final List<String> functionNames;

    TestModel(Path dir, TestModelSpec spec, String inputKey, String outputKey, String inputTensorName,
            String outputTensorName, String lastConvNodeName, String lastConvFunction, long[] lastConvShape,
            double[][] denseWeights, double[] denseBias, List<String> variableNames, List<String> functionNames) {
        this.dir = dir;
        this.spec = spec;
        this.inputKey = inputKey;
        this.outputKey = outputKey;
        this.inputTensorName = inputTensorName;
        this.outputTensorName = outputTensorName;
        this.lastConvNodeName = lastConvNodeName;
        this.lastConvFunction = lastConvFunction;
        this.lastConvShape = lastConvShape.clone();
        this.denseWeights = denseWeights;
        this.denseBias = denseBias;
        this.variableNames = List.copyOf(variableNames);
        this.functionNames = List.copyOf(functionNames);
    }

    /** The SavedModel folder (saved_model.pb + variables/). */
    public Path dir() { return dir; }
    public TestModelSpec spec() { return spec; }
    /** Signature input key ({@code "image"}). */
    public String inputKey() { return inputKey; }
    /** Signature output key: {@code "probabilities"} for softmax and sigmoid models, {@code "logits"} otherwise. */
    public String outputKey() { return outputKey; }
    /** Top-level tensor behind the input key: {@code image:0} (TF1) or {@code serving_default_image:0}. */
    public String inputTensorName() { return inputTensorName; }
    /** Top-level tensor behind the output key, e.g. {@code dense/Softmax:0} or {@code StatefulPartitionedCall:0}. */
    public String outputTensorName() { return outputTensorName; }

    /**
     * Node name of the last conv activation (the Grad-CAM target layer), e.g. {@code conv2d_2/Relu}; a top-level
     * node for TF1_GRAPH, a node of {@link #lastConvFunction()} otherwise ({@code functional_1/conv2d_2/Relu} for
     * KERAS3_EXPORT).
     */
    public String lastConvNodeName() { return lastConvNodeName; }

    /** {@code lastConvNodeName() + ":0"}. */
    public String lastConvTensorName() { return lastConvNodeName + ":0"; }

    /** Name of the library function holding the conv layers (FUNCTION_CALL), or null (TF1_GRAPH). */
    public String lastConvFunction() { return lastConvFunction; }

    /** Shape of the last conv activation for one image: {@code [h, w, c]}. */
    public long[] lastConvShape() { return lastConvShape.clone(); }

    /**
     * The final dense layer's kernel {@code W[F][K]} (F = GAP channels, or the flattened size for VGG), as float.
     * For GAP models {@code logits = mean_hw(lastConv) · W + b}, so the CAM of class k is {@code Σ_c W[c][k]·A_c}.
     */
    public float[][] denseWeights() {
        float[][] w = new float[denseWeights.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = new float[denseWeights[i].length];
            for (int j = 0; j < w[i].length; j++) {
                w[i][j] = (float) denseWeights[i][j];
            }
        }
        return w;
    }

    /** Like {@link #denseWeights()}, exact values (the float model stores these rounded to float). */
    public double[][] denseWeightsAsDouble() {
        double[][] w = new double[denseWeights.length][];
        for (int i = 0; i < w.length; i++) {
            w[i] = denseWeights[i].clone();
        }
        return w;
    }

    /** The final dense layer's bias {@code b[K]}. */
    public float[] denseBias() {
        float[] b = new float[denseBias.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) denseBias[i];
        }
        return b;
    }

    public double[] denseBiasAsDouble() { return denseBias.clone(); }

    /**
     * Names of the resource variables (= top-level VarHandleOp nodes; = checkpoint keys except for KERAS3_EXPORT,
     * whose keys are {@code variables/i/.ATTRIBUTES/VARIABLE_VALUE}), in creation order.
     */
    public List<String> variableNames() { return variableNames; }

    /**
     * Library functions (empty for TF1_GRAPH): FUNCTION_CALL: the signature wrapper, then the model function;
     * KERAS3_EXPORT: the {@code serving_default} wrapper, the {@code serve} wrapper, then the model function.
     */
    public List<String> functionNames() { return functionNames; }

    @Override
    public String toString() {
        return spec.name() + " at " + dir;
    }
}
