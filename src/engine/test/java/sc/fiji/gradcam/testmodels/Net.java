package sc.fiji.gradcam.testmodels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Emits Keras-named layer ops into one graph (the top-level graph for TF1, a function body graph otherwise).
 *
 * <p>Weights are created through {@code readVariable}, which returns the tensor of a {@code ReadVariableOp}
 * (on a top-level {@code VarHandleOp}, or on a {@code DT_RESOURCE} function argument). Their values come from
 * one seeded {@link Random} in creation order, so every style gets the same weights.
 */
final class Net {

    final Graph g;
    final DataType dt;
    private final Random rnd;
    private final boolean roundToFloat;
    private final BiFunction<Net, Variable, Output<?>> readVariable;
    /** Keras 3 naming: ops under {@link #KERAS3_SCOPE}, {@code …/convolution}, bias as Reshape + AddV2. */
    final boolean keras3;
    final List<Variable> variables = new ArrayList<>();

    /** Scope of every op of a Keras 3 functional model traced by {@code model.export()}. */
    static final String KERAS3_SCOPE = "functional_1/";

    Net(Graph g, ModelDType dtype, long seed, BiFunction<Net, Variable, Output<?>> readVariable) {
        this(g, dtype, seed, false, readVariable);
    }

    Net(Graph g, ModelDType dtype, long seed, boolean keras3, BiFunction<Net, Variable, Output<?>> readVariable) {
        this.g = g;
        this.keras3 = keras3;
        this.dt = dtype.tf();
        this.roundToFloat = dtype == ModelDType.FLOAT32;
        this.rnd = new Random(seed);
        this.readVariable = readVariable;
    }

    // ---- raw op helpers -------------------------------------------------------------------------------------

    GraphOperationBuilder builder(String type, String name, Output<?>... inputs) {
        GraphOperationBuilder b = g.opBuilder(type, keras3 ? KERAS3_SCOPE + name : name, g.baseScope());
        for (Output<?> in : inputs) {
            b.addInput(in);
        }
        return b;
    }

    Output<?> op(String type, String name, Output<?>... inputs) {
        return builder(type, name, inputs).build().output(0);
    }

    static Output<?> placeholder(Graph g, String name, DataType dt, Shape shape) {
        return g.opBuilder("Placeholder", name, g.baseScope()).setAttr("dtype", dt).setAttr("shape", shape).build()
                .output(0);
    }

    Output<?> constInt(String name, int... values) {
        try (Tensor t = TInt32.vectorOf(values)) {
            return builder("Const", name).setAttr("dtype", DataType.DT_INT32).setAttr("value", t).build().output(0);
        }
    }

    /** A float constant of the model's type: a scalar for one value, else a vector. */
    Output<?> constant(String name, double... values) {
        Shape shape = values.length == 1 ? Shape.scalar() : Shape.of(values.length);
        try (Tensor t = dt == DataType.DT_DOUBLE ? TFloat64.tensorOf(shape, DataBuffers.of(values, true, false))
                : TFloat32.tensorOf(shape, DataBuffers.of(floats(values), true, false))) {
            return builder("Const", name).setAttr("dtype", dt).setAttr("value", t).build().output(0);
        }
    }

    private static float[] floats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    // ---- weights --------------------------------------------------------------------------------------------

    enum Init { HE, GLOROT, BIAS, GAMMA, BETA, MOVING_MEAN, MOVING_VAR, GAMMA_SMALL }

    /** Creates variable {@code name} with seeded values and returns its value as read in this graph. */
    Output<?> weight(String name, Init init, long fanIn, long fanOut, long... shape) {
        Variable var = new Variable(name, shape.clone(), draw(init, fanIn, fanOut, shape));
        variables.add(var);
        return readVariable.apply(this, var);
    }

    /** The next seeded values for a weight of {@code shape} (row-major). */
    private double[] draw(Init init, long fanIn, long fanOut, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            switch (init) {
                case HE: x = rnd.nextGaussian() * Math.sqrt(2.0 / fanIn); break;
                case GLOROT: x = rnd.nextGaussian() * Math.sqrt(2.0 / (fanIn + fanOut)); break;
                case BIAS: x = rnd.nextGaussian() * 0.05; break;
                case GAMMA: x = 0.8 + 0.4 * rnd.nextDouble(); break;
                case BETA: x = rnd.nextGaussian() * 0.1; break;
                case MOVING_MEAN: x = rnd.nextGaussian() * 0.1; break;
                case MOVING_VAR: x = 0.5 + rnd.nextDouble(); break;
                case GAMMA_SMALL: x = 0.1 + 0.1 * rnd.nextDouble(); break;
                default: throw new AssertionError(init);
            }
            v[i] = roundToFloat ? (double) (float) x : x;
        }
        return v;
    }

    /** Creates variable {@code name} holding {@code values} (a Keras state such as an adapted mean) and reads it. */
    Output<?> fixedWeight(String name, double[] values, long... shape) {
        double[] v = values.clone();
        for (int i = 0; i < v.length && roundToFloat; i++) {
            v[i] = (float) v[i];
        }
        Variable var = new Variable(name, shape.clone(), v);
        variables.add(var);
        return readVariable.apply(this, var);
    }

    /** Standard ReadVariableOp on a resource handle, named like TF's resource variables. */
    Output<?> read(Output<?> handle, Variable v) {
        return builder("ReadVariableOp", v.name + "/Read/ReadVariableOp", handle).setAttr("dtype", dt).build()
                .output(0);
    }

    // ---- layers ---------------------------------------------------------------------------------------------

    /**
     * Conv2D (SAME, NHWC) with HE kernel, optional bias; returns the conv (or bias) output. The bias is a
     * {@code BiasAdd}, or for Keras 3 ({@link #keras3}) {@code AddV2(convolution, Reshape(bias, [1,1,1,C]))} named
     * {@code layer/add}, with the conv named {@code layer/convolution}.
     */
    Output<?> conv(String layer, Output<?> x, int k, long in, long out, int stride, boolean bias) {
        Output<?> kernel = weight(layer + "/kernel", Init.HE, k * k * in, out, k, k, in, out);
        Output<?> y = builder("Conv2D", layer + (keras3 ? "/convolution" : "/Conv2D"), x, kernel)
                .setAttr("strides", new long[] {1, stride, stride, 1}).setAttr("padding", "SAME")
                .setAttr("data_format", "NHWC").build().output(0);
        if (bias) {
            Output<?> b = weight(layer + "/bias", Init.BIAS, in, out, out);
            if (keras3) {
                Output<?> shaped = op("Reshape", layer + "/Reshape", b,
                        constInt(layer + "/Reshape/shape", 1, 1, 1, (int) out));
                y = op("AddV2", layer + "/add", y, shaped);
            } else {
                y = builder("BiasAdd", layer + "/BiasAdd", y, b).setAttr("data_format", "NHWC").build().output(0);
            }
        }
        return y;
    }

    /** DepthwiseConv2dNative (SAME, multiplier 1), no bias. */
    Output<?> depthwise(String layer, Output<?> x, int k, long ch, int stride) {
        Output<?> kernel = weight(layer + "/depthwise_kernel", Init.HE, k * k, 1, k, k, ch, 1);
        return builder("DepthwiseConv2dNative", layer + "/depthwise", x, kernel)
                .setAttr("strides", new long[] {1, stride, stride, 1}).setAttr("padding", "SAME")
                .setAttr("data_format", "NHWC").build().output(0);
    }

    /**
     * Inference batch norm: FusedBatchNormV3 (is_training=false) for float32; for float64 (which FusedBatchNormV3
     * does not support) Keras' unfused form {@code x * (gamma * rsqrt(var + eps)) + (beta - mean * ...)}.
     */
    Output<?> batchNorm(String layer, Output<?> x, long ch) {
        return batchNorm(layer, x, ch, Init.GAMMA);
    }

    /**
     * Batch norm whose gamma comes from {@code gammaInit} ({@link Init#GAMMA_SMALL} for the last norm of a
     * residual branch, so deep random residual stacks keep their activations in range).
     */
    Output<?> batchNorm(String layer, Output<?> x, long ch, Init gammaInit) {
        Output<?> gamma = weight(layer + "/gamma", gammaInit, ch, ch, ch);
        Output<?> beta = weight(layer + "/beta", Init.BETA, ch, ch, ch);
        Output<?> mean = weight(layer + "/moving_mean", Init.MOVING_MEAN, ch, ch, ch);
        Output<?> var = weight(layer + "/moving_variance", Init.MOVING_VAR, ch, ch, ch);
        float eps = 1e-3f;
        if (dt == DataType.DT_FLOAT) {
            return builder("FusedBatchNormV3", layer + "/FusedBatchNormV3", x, gamma, beta, mean, var)
                    .setAttr("U", DataType.DT_FLOAT).setAttr("epsilon", eps).setAttr("data_format", "NHWC")
                    .setAttr("is_training", false).build().output(0);
        }
        String p = layer + "/batchnorm/";
        Output<?> epsC;
        try (Tensor t = org.tensorflow.types.TFloat64.scalarOf(eps)) {
            epsC = builder("Const", p + "add/y").setAttr("dtype", dt).setAttr("value", t).build().output(0);
        }
        Output<?> add = op("AddV2", p + "add", var, epsC);
        Output<?> rsqrt = op("Rsqrt", p + "Rsqrt", add);
        Output<?> scale = op("Mul", p + "mul", rsqrt, gamma);
        Output<?> xs = op("Mul", p + "mul_1", x, scale);
        Output<?> ms = op("Mul", p + "mul_2", mean, scale);
        Output<?> shift = op("Sub", p + "sub", beta, ms);
        return op("AddV2", p + "add_1", xs, shift);
    }

    Output<?> relu(String layer, Output<?> x) {
        return op("Relu", layer + "/Relu", x);
    }

    Output<?> relu6(String layer, Output<?> x) {
        return op("Relu6", layer + "/Relu6", x);
    }

    Output<?> maxPool(String layer, Output<?> x) {
        return builder("MaxPool", layer + "/MaxPool", x).setAttr("ksize", new long[] {1, 2, 2, 1})
                .setAttr("strides", new long[] {1, 2, 2, 1}).setAttr("padding", "VALID")
                .setAttr("data_format", "NHWC").build().output(0);
    }

    /** MaxPool with a square window, stride and padding ({@code SAME} or {@code VALID}). */
    Output<?> maxPool(String layer, Output<?> x, int k, int stride, String padding) {
        return builder("MaxPool", layer + "/MaxPool", x).setAttr("ksize", new long[] {1, k, k, 1})
                .setAttr("strides", new long[] {1, stride, stride, 1}).setAttr("padding", padding)
                .setAttr("data_format", "NHWC").build().output(0);
    }

    Output<?> flatten(String layer, Output<?> x, long size) {
        return op("Reshape", layer + "/Reshape", x, constInt(layer + "/Const", -1, (int) size));
    }

    /** GlobalAveragePooling2D: Mean over axes 1,2. */
    Output<?> globalAveragePool(String layer, Output<?> x) {
        return builder("Mean", layer + "/Mean", x, constInt(layer + "/Mean/reduction_indices", 1, 2))
                .setAttr("keep_dims", false).build().output(0);
    }

    // ---- channels first, as onnx-tf writes it on a CPU (see Layout.ONNX_TF) ------------------------------

    /** {@code Transpose(x, perm)} named {@code name}. */
    Output<?> transpose(String name, Output<?> x, int... perm) {
        return op("Transpose", name, x, constInt(name + "/perm", perm));
    }

    /**
     * An NCHW conv on a CPU: {@code transpose} (to NHWC), {@code Conv2D} (SAME, NHWC, HE kernel), {@code transpose_1}
     * (back to NCHW), then the bias in NCHW: {@code BiasAdd(data_format NCHW)}, or ({@code addBias})
     * {@code AddV2(conv, Reshape(bias, [C, 1, 1]))} named {@code layer/add}. Draws the weights as {@link #conv} does.
     */
    Output<?> convChannelsFirst(String layer, Output<?> x, int k, long in, long out, boolean addBias) {
        Output<?> kernel = weight(layer + "/kernel", Init.HE, k * k * in, out, k, k, in, out);
        Output<?> nhwc = transpose(layer + "/transpose", x, 0, 2, 3, 1);
        Output<?> y = builder("Conv2D", layer + "/Conv2D", nhwc, kernel).setAttr("strides", new long[] {1, 1, 1, 1})
                .setAttr("padding", "SAME").setAttr("data_format", "NHWC").build().output(0);
        y = transpose(layer + "/transpose_1", y, 0, 3, 1, 2);
        Output<?> b = weight(layer + "/bias", Init.BIAS, in, out, out);
        if (addBias) {
            Output<?> shaped = op("Reshape", layer + "/Reshape", b, constInt(layer + "/Reshape/shape", (int) out, 1, 1));
            return op("AddV2", layer + "/add", y, shaped);
        }
        return builder("BiasAdd", layer + "/BiasAdd", y, b).setAttr("data_format", "NCHW").build().output(0);
    }

    /** 2×2 max pooling of an NCHW tensor, wrapped in transposes like a conv (CPU MaxPool is NHWC only). */
    Output<?> maxPoolChannelsFirst(String layer, Output<?> x) {
        Output<?> nhwc = transpose(layer + "/transpose", x, 0, 2, 3, 1);
        return transpose(layer + "/transpose_1", maxPool(layer, nhwc), 0, 3, 1, 2);
    }

    /** ONNX GlobalAveragePool + Flatten: {@code Mean} over axes 2, 3 keeping them ({@code [N, C, 1, 1]}), Reshape. */
    Output<?> globalAveragePoolChannelsFirst(String layer, Output<?> x, long channels) {
        Output<?> mean = builder("Mean", layer + "/Mean", x, constInt(layer + "/Mean/reduction_indices", 2, 3))
                .setAttr("keep_dims", true).build().output(0);
        return flatten(layer, mean, channels);
    }

    /**
     * Dense on an NCHW feature map flattened channel-major ({@code [N, C·H·W]}): the kernel is drawn as {@link #dense}
     * draws it for the NHWC flattening (rows {@code (y·W + x)·C + c}), then its rows are stored in the channel-major
     * order {@code (c·H + y)·W + x}, so the layer computes the same logits as the NHWC model's.
     */
    Output<?> denseChannelMajor(String layer, Output<?> x, long c, long h, long w, long out) {
        long in = c * h * w;
        double[] drawn = draw(Init.GLOROT, in, out, in, out);
        double[] rows = new double[drawn.length];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    long from = ((y * w + xx) * c + ch) * out;
                    long to = ((ch * h + y) * w + xx) * out;
                    System.arraycopy(drawn, (int) from, rows, (int) to, (int) out);
                }
            }
        }
        Variable kernelVar = new Variable(layer + "/kernel", new long[] {in, out}, rows);
        variables.add(kernelVar);
        Output<?> kernel = readVariable.apply(this, kernelVar);
        Output<?> y = op("MatMul", layer + "/MatMul", x, kernel);
        Output<?> b = weight(layer + "/bias", Init.BIAS, in, out, out);
        return op("BiasAdd", layer + "/BiasAdd", y, b);
    }

    Output<?> addV2(String layer, Output<?> a, Output<?> b) {
        return op("AddV2", layer + "/add", a, b);
    }

    /** Dense MatMul + BiasAdd (Keras 3: AddV2 named {@code layer/Add}); returns the logits. */
    Output<?> dense(String layer, Output<?> x, long in, long out) {
        Output<?> kernel = weight(layer + "/kernel", Init.GLOROT, in, out, in, out);
        Output<?> y = op("MatMul", layer + "/MatMul", x, kernel);
        Output<?> b = weight(layer + "/bias", Init.BIAS, in, out, out);
        return keras3 ? op("AddV2", layer + "/Add", y, b) : op("BiasAdd", layer + "/BiasAdd", y, b);
    }

    /** The model output from the dense logits: {@code layer/Softmax}, {@code layer/Sigmoid} or the logits. */
    Output<?> activation(String layer, Output<?> logits, OutputActivation a) {
        switch (a) {
            case SOFTMAX: return op("Softmax", layer + "/Softmax", logits);
            case SIGMOID: return op("Sigmoid", layer + "/Sigmoid", logits);
            case NONE: return logits;
            default: throw new AssertionError(a);
        }
    }

    /** Finds a variable created so far. */
    Variable variable(String name) {
        for (Variable v : variables) {
            if (v.name.equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("no variable " + name);
    }

    static String nodeName(Output<?> o) {
        GraphOperation op = (GraphOperation) o.op();
        return op.name();
    }
}
