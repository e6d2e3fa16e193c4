package sc.fiji.gradcam.testmodels;

import java.util.Objects;

/**
 * What {@link TestModels#build} should build: an immutable value with withers.
 *
 * <p>Defaults ({@link #of}): 32×32×3 input (NHWC), 5 classes, 8 base filters, seed 1, float32, softmax output. One
 * class ({@code withClasses(1)}) with a sigmoid or no activation is a single-unit binary classifier.
 * Two specs that differ only in {@link #style()} or {@link #layout()} get identical weights.
 */
public final class TestModelSpec {

    private final Architecture architecture;
    private final SaveStyle style;
    private final int height;
    private final int width;
    private final int channels;
    private final int classes;
    private final int filters;
    private final long seed;
    private final ModelDType dtype;
    private final OutputActivation activation;
    private final Layout layout;

    private TestModelSpec(Architecture architecture, SaveStyle style, int height, int width, int channels,
            int classes, int filters, long seed, ModelDType dtype, OutputActivation activation, Layout layout) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.style = Objects.requireNonNull(style, "style");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.activation = Objects.requireNonNull(activation, "activation");
        this.layout = Objects.requireNonNull(layout, "layout");
        if (layout == Layout.ONNX_TF && architecture != Architecture.GAP && architecture != Architecture.VGG) {
            throw new IllegalArgumentException("the ONNX_TF layout is built for GAP and VGG only, not " + architecture);
        }
        if (height < 4 || width < 4 || channels < 1 || classes < 1 || filters < 1) {
            throw new IllegalArgumentException("need height, width >= 4 and channels, classes, filters >= 1: "
                    + height + "x" + width + "x" + channels + ", classes " + classes + ", filters " + filters);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.classes = classes;
        this.filters = filters;
        this.seed = seed;
    }

    /** A 32×32×3, 5-class, float32, softmax model of the given architecture and style. */
    public static TestModelSpec of(Architecture architecture, SaveStyle style) {
        return new TestModelSpec(architecture, style, 32, 32, 3, 5, 8, 1L, ModelDType.FLOAT32,
                OutputActivation.SOFTMAX, Layout.NHWC);
    }

    public Architecture architecture() { return architecture; }
    public SaveStyle style() { return style; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }
    public int classes() { return classes; }
    /** Base number of conv filters (layers use 1×, 2× or 4× this). */
    public int filters() { return filters; }
    public long seed() { return seed; }
    public ModelDType dtype() { return dtype; }
    /** True: output is Softmax(logits); false: a sigmoid or the logits (see {@link #activation()}). */
    public boolean softmax() { return activation == OutputActivation.SOFTMAX; }
    public OutputActivation activation() { return activation; }
    /** Where the input and the feature maps keep their channels (default {@link Layout#NHWC}). */
    public Layout layout() { return layout; }

    public TestModelSpec withArchitecture(Architecture a) {
        return new TestModelSpec(a, style, height, width, channels, classes, filters, seed, dtype, activation, layout);
    }

    public TestModelSpec withStyle(SaveStyle s) {
        return new TestModelSpec(architecture, s, height, width, channels, classes, filters,
                seed, dtype, activation, layout);
    }

    /** Input size H×W×C (e.g. 224, 224, 3 for the benchmark, 28, 28, 1 for MNIST-like). */
    public TestModelSpec withInput(int h, int w, int c) {
        return new TestModelSpec(architecture, style, h, w, c, classes, filters, seed, dtype, activation, layout);
    }

    public TestModelSpec withClasses(int k) {
        return new TestModelSpec(architecture, style, height, width, channels, k, filters,
                seed, dtype, activation, layout);
    }

    public TestModelSpec withFilters(int f) {
        return new TestModelSpec(architecture, style, height, width, channels, classes, f,
                seed, dtype, activation, layout);
    }

    public TestModelSpec withSeed(long s) {
        return new TestModelSpec(architecture, style, height, width, channels, classes, filters,
                s, dtype, activation, layout);
    }

    public TestModelSpec withDtype(ModelDType d) {
        return new TestModelSpec(architecture, style, height, width, channels, classes, filters,
                seed, d, activation, layout);
    }

    /** True: Softmax output; false: the logits. */
    public TestModelSpec withSoftmax(boolean s) {
        return withActivation(s ? OutputActivation.SOFTMAX : OutputActivation.NONE);
    }

    public TestModelSpec withActivation(OutputActivation a) {
        return new TestModelSpec(architecture, style, height, width, channels, classes, filters,
                seed, dtype, a, layout);
    }

    /**
     * The same model with its channels elsewhere ({@link Layout}): same weights, same function of the image.
     * ONNX_TF needs the GAP or VGG architecture.
     */
    public TestModelSpec withLayout(Layout l) {
        return new TestModelSpec(architecture, style, height, width, channels, classes, filters,
                seed, dtype, activation, l);
    }

    /** Input shape with unknown batch: {@code [-1, H, W, C]}, or {@code [-1, C, H, W]} for a channels-first layout. */
    public long[] inputShape() {
        return layout.channelsFirstInput() ? new long[] {-1, channels, height, width}
                : new long[] {-1, height, width, channels};
    }

    /**
     * A short name usable as a folder name, e.g. {@code gap-function_call-32x32x3-k5-float32-softmax-s1}; a layout
     * other than NHWC is appended ({@code …-s1-onnx_tf}).
     */
    public String name() {
        return (architecture + "-" + style + "-" + height + "x" + width + "x" + channels + "-k" + classes + "-f"
                + filters + "-" + dtype + "-" + (activation == OutputActivation.NONE ? "logits" : activation) + "-s"
                + seed + (layout == Layout.NHWC ? "" : "-" + layout)).toLowerCase();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TestModelSpec)) {
            return false;
        }
        TestModelSpec s = (TestModelSpec) o;
        return architecture == s.architecture && style == s.style && height == s.height && width == s.width
                && channels == s.channels && classes == s.classes && filters == s.filters && seed == s.seed
                && dtype == s.dtype && activation == s.activation && layout == s.layout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, style, height, width, channels, classes, filters, seed, dtype,
                activation, layout);
    }

    @Override
    public String toString() {
        return name();
    }
}
