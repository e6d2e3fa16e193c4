package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.InputRange;
import sc.fiji.gradcam.api.ModelFacts;

import sc.fiji.gradcam.api.ModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import sc.fiji.gradcam.graph.InputScaling;
import sc.fiji.gradcam.graph.LayerCatalog;
import sc.fiji.gradcam.graph.ServingGraph;

/**
 * A SavedModel loaded once through DJL. The same native graph and session serve DJL's predictor, the
 * inlined serving path, and every gradient graph built on it. Close it to free the natives.
 */
public final class LoadedModel implements AutoCloseable, ModelFacts {

    private final SavedModelFolder folder;
    private final ZooModel<NDList, NDList> zoo;
    /** TF Java's bundle of a model without a signature (then {@code zoo} is null), else null. */
    private final org.tensorflow.SavedModelBundle tfBundle;
    private final ModelSignature signature;
    private final List<String> signatureKeys;
    private final TensorInfo input;
    private final InputLayout inputLayout;
    private final TensorInfo output;
    private final int outputUnits;
    private final sc.fiji.gradcam.graph.OutputSpec outputSpec;
    private final List<String> labels;
    private final Properties properties;
    private final ServingGraph serving;
    private final int opCount;
    private final List<String> warnings;
    private volatile LayerCatalog catalog;
    /** A BioImage.IO package's preprocessing, applied to each image before the plugin's (then raw) one; or null. */
    private volatile sc.fiji.gradcam.bioimageio.BioimageioPackage.Resolved ownPreprocessing;
    private final Optional<InputScaling> inputScaling;
    /** What the user opened and how: a copy (the sanity check's re-initialised model) loads the same way. */
    private volatile Path origin;
    private volatile ModelOptions loadOptions = ModelOptions.defaults();
    private volatile org.tensorflow.proto.ConfigProto sessionConfig;

    LoadedModel(SavedModelFolder folder, ZooModel<NDList, NDList> zoo, org.tensorflow.SavedModelBundle tfBundle,
            ModelSignature signature,
            List<String> signatureKeys, TensorInfo input, InputLayout inputLayout, TensorInfo output,
            sc.fiji.gradcam.graph.OutputSpec outputSpec, List<String> labels, Properties properties, ServingGraph serving, int opCount, List<String> warnings) {
        this.folder = folder;
        this.zoo = zoo;
        this.tfBundle = tfBundle;
        this.signature = signature;
        this.signatureKeys = signatureKeys;
        this.input = input;
        this.inputLayout = inputLayout;
        this.output = output;
        this.outputSpec = outputSpec;
        this.outputUnits = outputSpec.units();
        this.labels = labels;
        this.properties = properties;
        this.serving = serving;
        this.opCount = opCount;
        this.warnings = warnings;
        this.inputScaling = InputScaling.detect(serving);
    }

    /** The path the user gave (folder or zip). */
    public Path source() {
        return folder.source();
    }

    /** The path and options this model was opened with ({@link ModelLoader#load(Path, ModelOptions)}). */
    public Path origin() {
        return origin == null ? source() : origin;
    }

    public ModelOptions loadOptions() {
        return loadOptions;
    }

    void openedAs(Path path, ModelOptions options) {
        this.origin = path;
        this.loadOptions = options;
    }

    /** What the session computes in: the config given to TensorFlow when the session was made. */
    public sc.fiji.gradcam.api.Precision precision() {
        return sc.fiji.gradcam.runtime.Bfloat16.rewriteOn(sessionConfig) ? sc.fiji.gradcam.api.Precision.BF16
                : sc.fiji.gradcam.api.Precision.FLOAT32;
    }

    /**
     * The session config given to TensorFlow (to {@code TF_LoadSessionFromSavedModel} through DJL's or TF Java's
     * loader), or null when the loader's own default was used (float32).
     */
    public org.tensorflow.proto.ConfigProto sessionConfig() {
        return sessionConfig;
    }

    void sessionConfig(org.tensorflow.proto.ConfigProto config) {
        this.sessionConfig = config;
    }

    /** The SavedModel folder. */
    public Path dir() {
        return folder.dir();
    }

    public GraphStyle style() {
        return serving.isInlined() ? GraphStyle.TF2_FUNCTIONS : GraphStyle.TF1_GRAPH;
    }

    public ModelSignature signature() {
        return signature;
    }

    public List<String> signatureKeys() {
        return signatureKeys;
    }

    /** The image input, as the signature declares it ({@code [N, C, H, W]} for a channels-first model). */
    public TensorInfo input() {
        return input;
    }

    /** Whether the image input is channels last or first, and where that came from. */
    public InputLayout inputLayout() {
        return inputLayout;
    }

    /**
     * The image input's shape as {@code [batch, height, width, channels]} whatever its {@link #inputLayout() layout}
     * (-1 where free): the shape preprocessing and maps work in.
     */
    public long[] imageShape() {
        return inputLayout.layout().toNhwc(input.shape());
    }

    /** The class-score output. */
    public TensorInfo output() {
        return output;
    }

    /**
     * Values per image in the output tensor (its last dimension; from the graph or the label count when the
     * signature leaves it open). Read the output as {@code output[i * outputUnits() + u]}.
     */
    public int outputUnits() {
        return outputUnits;
    }

    /**
     * True for a binary classifier with one output unit ({@code [batch, 1]}: a sigmoid or a raw logit z). It is
     * presented as two classes, 0 = negative (score -z) and 1 = positive (score z).
     */
    public boolean singleUnitBinary() {
        return outputUnits == 1 && !outputSpec.dense();
    }

    /** What the output holds: a classifier's units, or a dense output's channels and layout. */
    public sc.fiji.gradcam.graph.OutputSpec outputSpec() {
        return outputSpec;
    }

    /**
     * True for a dense output ({@code [batch, y, x, channels]}: segmentation, restoration, density maps), whose
     * "classes" are its channels and whose target is a channel summed or averaged over a region.
     */
    public boolean dense() {
        return outputSpec.dense();
    }

    /** A regression output ({@code [batch]}, or {@code [batch, k]} with {@code regression=true}): no classes, no pixels. */
    public boolean regression() {
        return outputSpec.regression();
    }

    /** Number of classes: the output units, or 2 for a {@link #singleUnitBinary() single-unit binary} model. */
    public int classes() {
        return singleUnitBinary() ? 2 : outputUnits;
    }

    /**
     * Class names, one per {@link #classes() class}; empty when the model folder has none. A single-unit binary
     * model's one-line labels file (the positive class X) reads as {@code [not X, X]}.
     */
    public List<String> labels() {
        return labels;
    }

    /** The label of class {@code index}, or {@code class INDEX} without labels. */
    public String label(int index) {
        return index >= 0 && index < labels.size() ? labels.get(index)
                : (regression() ? "output " : dense() ? "channel " : "class ") + index;
    }

    /** Per-model settings from {@code gradcam.properties} (preprocessing), empty when absent. */
    public Properties properties() {
        return properties;
    }

    /** Ops in the loaded graph before inlining. */
    public int opCount() {
        return opCount;
    }

    /** Things the user should know (e.g. a label count that differs from the output size). */
    public List<String> warnings() {
        return warnings;
    }

    public ServingGraph serving() {
        return serving;
    }

    /**
     * DJL's model, for plain inference through its predictor; null for a model without a signature (served by TF
     * Java's loader from the graph tensors the user named).
     */
    public ZooModel<NDList, NDList> djlModel() {
        return zoo;
    }

    /**
     * The catalog of target layers (built on first use). Its default is the layer {@code layer=} in
     * {@code gradcam.properties} names, else the last convolution on the path.
     *
     * @throws ModelException if {@code layer=} names no feature map of the serving path
     */
    public LayerCatalog catalog() {
        LayerCatalog c = catalog;
        if (c == null) {
            synchronized (this) {
                if (catalog == null) {
                    catalog = withPropertiesLayer(LayerCatalog.of(serving, inputLayout.layout(), dense()));
                }
                c = catalog;
            }
        }
        return c;
    }

    private LayerCatalog withPropertiesLayer(LayerCatalog found) {
        String named = properties.getProperty("layer", "").trim();
        if (named.isEmpty() || named.equalsIgnoreCase("auto")) {
            return found;
        }
        try {
            return found.withDefault(named, "named by layer= in " + ModelLoader.PROPERTIES);
        } catch (IllegalArgumentException e) {
            throw new ModelException(dir().resolve(ModelLoader.PROPERTIES) + " says layer=" + named
                    + ", but this model has no such feature map. " + e.getMessage(),
                    "correct the layer= line (gradcam info --model DIR lists the layers) or remove it to use the last"
                            + " convolution.");
        }
    }

    /**
     * The image as the model's own preprocessing leaves it (a BioImage.IO package's steps, with
     * {@code preprocessing.own=true}), or the image itself when the model has none.
     */
    public sc.fiji.gradcam.api.image.InputImage ownPreprocessing(sc.fiji.gradcam.api.image.InputImage image,
            sc.fiji.gradcam.api.image.Preprocessing p) {
        var own = ownPreprocessing;
        if (own == null || !p.raw()) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        int c = image.channels();
        float[] hwc = new float[w * h * c];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < w * h; i++) {
                hwc[i * c + ch] = image.at(ch, i);
            }
        }
        float[] done = own.preprocess(hwc, h, w, c);
        float[] planar = new float[done.length];
        int oc = done.length / (w * h);
        for (int ch = 0; ch < oc; ch++) {
            for (int i = 0; i < w * h; i++) {
                planar[ch * w * h + i] = done[i * oc + ch];
            }
        }
        return new sc.fiji.gradcam.api.image.InputImage(w, h, oc, planar, sc.fiji.gradcam.api.image.PixelKind.FLOAT);
    }

    /** Set once by the loader for a BioImage.IO package. */
    void ownPreprocessing(sc.fiji.gradcam.bioimageio.BioimageioPackage.Resolved p) {
        this.ownPreprocessing = p;
    }

    /** The input range the graph itself asks for (integer input, Rescaling inside), empty when it says nothing. */
    public Optional<InputScaling> inputScaling() {
        return inputScaling;
    }

    @Override
    public Optional<InputRange> detectedInputRange() {
        return inputScaling.map(d -> new InputRange(d.min(), d.max(), InputRange.DETECTED, d.reason()));
    }

    @Override
    public void close() {
        if (zoo != null) {
            TfHandles.release(serving.graph());
            zoo.close();
        }
        if (tfBundle != null) {
            tfBundle.close();
        }
        folder.close();
    }
}
