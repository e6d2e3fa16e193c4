package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.bioimageio.BioimageioPackage;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.tensorflow.engine.TfSymbolBlock;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.graph.ServingGraph;
import sc.fiji.gradcam.graph.UnsupportedOpException;
import sc.fiji.gradcam.runtime.Bfloat16;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/** Loads a SavedModel through DJL's TensorFlow engine and prepares its serving path. */
public final class ModelLoader {

    /** Per-model settings file read from the model folder. */
    public static final String PROPERTIES = "gradcam.properties";

    private ModelLoader() {}

    public static LoadedModel load(Path path) {
        return load(path, ModelOptions.defaults());
    }

    public static LoadedModel load(Path path, ModelOptions options) {
        if (BioimageioPackage.isPackage(path)) { // a BioImage.IO package: its SavedModel weights (issue G.3)
            BioimageioPackage.Resolved p = BioimageioPackage.resolve(path);
            LoadedModel m;
            SavedModelFolder weights = SavedModelFolder.open(p.savedModelDir());
            try {
                m = load(weights, p.applyTo(options), p.outputChannelNames());
            } catch (RuntimeException e) {
                weights.close();
                throw e;
            }
            // the description's preprocessing and shape, unless the folder's gradcam.properties says otherwise
            p.explanationProperties().forEach(m.properties()::putIfAbsent);
            if (!p.preprocessing().isEmpty() && !m.properties().containsKey("preprocessing.own")) {
                // every described step is applied to the image, as verify does
                m.properties().setProperty("preprocessing.own", "true");
                m.ownPreprocessing(p);
            }
            m.openedAs(path, options);
            return m;
        }
        SavedModelFolder folder = SavedModelFolder.open(path);
        try {
            LoadedModel m = load(folder, options, List.of());
            m.openedAs(path, options);
            return m;
        } catch (RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    /** @param describedLabels class names from a description (a package's channel names) when no labels file names them */
    private static LoadedModel load(SavedModelFolder folder, ModelOptions options, List<String> describedLabels) {
        List<String> tags = options.tags() == null || options.tags().isEmpty() ? List.of("serve") : options.tags();
        MetaGraphDef meta = folder.metaGraph(tags);
        Properties properties = readProperties(folder.dir());
        String inputKey = first(options.input(), properties.getProperty("input"));
        String outputKey = first(options.output(), properties.getProperty("output"));
        ModelSignature signature = SavedModelFolder.signature(meta, options.signature(), inputKey, outputKey);
        TensorInfo input = chooseInput(signature, inputKey);
        TensorInfo output = chooseOutput(signature, outputKey);
        folder.checkVariables(meta);
        Path labelsFile = options.labels();
        if (labelsFile == null && properties.getProperty("labels") != null) {
            labelsFile = folder.dir().resolve(properties.getProperty("labels"));
        }
        List<String> labels = Labels.read(folder.dir(), labelsFile);
        if (labels.isEmpty() && labelsFile == null) {
            labels = describedLabels;
        }

        TensorFlowRuntime.engine();
        if (options.precision() == Precision.BF16) {
            Bfloat16.check();
        }
        // float32: null, the loaders' own default config (as before the option); bf16: DJL's with the rewrite on
        ConfigProto config = Bfloat16.sessionConfig(options.precision(),
                options.precision() == Precision.FLOAT32 ? null : JavacppUtils.getSessionConfig());
        boolean graphTensors = signature.key().equals(SavedModelFolder.GRAPH_TENSORS);
        // DJL's predictor needs a signature: a graph without one is loaded by TF Java on the same runtime
        ZooModel<NDList, NDList> zoo = graphTensors ? null : loadWithDjl(folder.dir(), tags, signature.key(), config);
        org.tensorflow.SavedModelBundle tfBundle = graphTensors ? loadWithTfJava(folder.dir(), tags, config) : null;
        Graph graph = null;
        try {
            org.tensorflow.internal.c_api.TF_Graph handle;
            Session session;
            if (zoo != null) {
                var bundle = ((TfSymbolBlock) zoo.getBlock()).getSavedModelBundle();
                handle = bundle.getGraph();
                graph = TfHandles.graph(handle);
                session = TfHandles.session(graph, bundle.getSession());
            } else {
                graph = tfBundle.graph();
                handle = TfHandles.handle(graph);
                session = tfBundle.session();
            }
            int ops = count(graph.operations());
            ServingGraph serving = ServingGraph.build(graph, session, handle, input.tensor(), output.tensor());
            InputLayout layout = InputLayout.resolve(options.layout(), properties, serving, input,
                    folder.dir().resolve(PROPERTIES));
            sc.fiji.gradcam.graph.OutputSpec spec = outputSpec(output, serving, labels, layout,
                    Boolean.parseBoolean(properties.getProperty("regression", "false").trim()));
            int units = spec.units();
            List<String> warnings = new ArrayList<>();
            if (options.precision() == Precision.BF16) {
                warnings.add(Bfloat16.WARNING);
            }
            if (spec.dense()) {
                if (!labels.isEmpty() && labels.size() != units) {
                    warnings.add("The labels file has " + labels.size() + " names but the model's output has " + units
                            + " channels; check that it belongs to this model.");
                }
            } else if (units == 1) {
                refuseSoftmaxOverOneUnit(serving, output);
                if (labels.size() > 2) {
                    warnings.add("The labels file has " + labels.size() + " names but the model has one output unit "
                            + "(a binary classifier: one name for the positive class, or two for negative and "
                            + "positive); check that it belongs to this model.");
                }
                labels = Labels.ofSingleUnit(labels);
            } else if (!labels.isEmpty() && units > 0 && labels.size() != units) {
                warnings.add("The labels file has " + labels.size() + " names but the model has " + units
                        + " outputs; check that it belongs to this model.");
            }
            LoadedModel m = new LoadedModel(folder, zoo, tfBundle, signature, SavedModelFolder.signatureKeys(meta),
                    input, layout, output, spec, labels, properties, serving, ops, warnings);
            m.sessionConfig(config);
            return m;
        } catch (UnsupportedOpException | ModelException e) {
            close(zoo, tfBundle, graph);
            throw e;
        } catch (RuntimeException e) {
            close(zoo, tfBundle, graph);
            throw new ModelException("The model's graph could not be prepared for explanations: " + e.getMessage(),
                    "report this with the output of 'gradcam info --model DIR --verbose'.", e);
        }
    }

    /** After a failed load: DJL's model and the Graph view's registry entry (as {@link LoadedModel#close()}). */
    private static void close(ZooModel<NDList, NDList> zoo, org.tensorflow.SavedModelBundle tfBundle, Graph graph) {
        if (zoo != null) {
            if (graph != null) {
                TfHandles.release(graph);
            }
            zoo.close();
        }
        if (tfBundle != null) {
            tfBundle.close();
        }
    }

    /** A SavedModel without a signature, through TF Java's own loader (same natives as DJL's). */
    private static org.tensorflow.SavedModelBundle loadWithTfJava(Path dir, List<String> tags, ConfigProto config) {
        try {
            if (config != null) {
                return org.tensorflow.SavedModelBundle.loader(dir.toString()).withTags(tags.toArray(String[]::new))
                        .withConfigProto(config).load();
            }
            return org.tensorflow.SavedModelBundle.load(dir.toString(), tags.toArray(String[]::new));
        } catch (RuntimeException e) {
            throw new ModelException("TensorFlow could not load the model in " + dir + ": " + rootMessage(e),
                    "check that it is a complete SavedModel exported by TensorFlow 2.16 or older.", e);
        }
    }

    /**
     * What the output holds: a classifier's units ({@code [batch, k]}), or a dense output's channels ({@code [batch,
     * y, x, c]}, channels first when the input is, or {@code [batch, y, x]}).
     */
    private static sc.fiji.gradcam.graph.OutputSpec outputSpec(TensorInfo output, ServingGraph serving,
            List<String> labels, InputLayout layout, boolean regression) {
        long[] shape = output.shape();
        if (shape == null || shape.length == 0) {
            Shape s = serving.tensor(serving.output()).shape();
            shape = s.isUnknown() ? null : s.asArray();
        }
        int rank = shape == null ? -1 : shape.length;
        if (rank == 1) {
            return sc.fiji.gradcam.graph.OutputSpec.regression(1, 1);
        }
        if (rank == 2 && regression) {
            return sc.fiji.gradcam.graph.OutputSpec.regression(outputUnits(output, serving, labels), 2);
        }
        if (rank == 3) {
            return sc.fiji.gradcam.graph.OutputSpec.dense(1, false, 3);
        }
        if (rank == 4) {
            boolean first = layout.layout() == sc.fiji.gradcam.api.DataLayout.NCHW;
            long c = first ? shape[1] : shape[3];
            if (c <= 0) {
                Shape g = serving.tensor(serving.output()).shape();
                c = g.isUnknown() || g.numDimensions() != 4 ? -1 : g.size(first ? 1 : 3);
            }
            if (c <= 0) {
                c = labels.isEmpty() ? -1 : labels.size();
            }
            if (c <= 0) {
                throw new ModelException("The model's output '" + output.key() + "' " + java.util.Arrays.toString(
                        output.shape()) + " does not say how many channels it has.",
                        "export it with a fixed channel count, or put one label per channel in labels.txt.");
            }
            return sc.fiji.gradcam.graph.OutputSpec.dense((int) c, first, 4);
        }
        return sc.fiji.gradcam.graph.OutputSpec.classes(outputUnits(output, serving, labels));
    }

    /** The output's last dimension: from the signature, else from the graph, else the number of labels. */
    private static int outputUnits(TensorInfo output, ServingGraph serving, List<String> labels) {
        long k = output.shape()[output.shape().length - 1];
        if (k <= 0) {
            Shape s = serving.tensor(serving.output()).shape();
            k = s.isUnknown() || s.numDimensions() < 1 ? -1 : s.size(s.numDimensions() - 1);
        }
        return k > 0 ? (int) k : labels.size();
    }

    /** A softmax over one unit is 1 for every image: nothing to classify, nothing to explain. */
    private static void refuseSoftmaxOverOneUnit(ServingGraph serving, TensorInfo output) {
        String[] activation = new String[1];
        ClassScore.findLogits(serving, activation);
        if (activation[0].equals("Softmax")) {
            throw new ModelException("The model's output '" + output.key() + "' is a softmax over a single unit "
                    + "([batch, 1]): it is 1 for every image, so the model cannot classify and there is nothing to "
                    + "explain.", "export the binary classifier with Dense(1, activation=\"sigmoid\") or a raw "
                    + "logit Dense(1), or with two units and a softmax.");
        }
    }

    private static ZooModel<NDList, NDList> loadWithDjl(Path dir, List<String> tags, String signature,
            ConfigProto config) {
        Criteria.Builder<NDList, NDList> builder = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(dir)
                .optEngine(TensorFlowRuntime.ENGINE)
                .optOption("Tags", String.join(",", tags))
                .optOption("SignatureDefKey", signature);
        if (config != null) {
            // TfModel.load reads a ConfigProto option (base64 of its bytes) instead of JavacppUtils.getSessionConfig()
            builder.optOption("ConfigProto", Base64.getEncoder().encodeToString(config.toByteArray()));
        }
        Criteria<NDList, NDList> criteria = builder.build();
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            String m = rootMessage(e);
            if (m.contains("Op type not registered")) {
                String op = m.replaceAll("(?s).*Op type not registered '([^']+)'.*", "$1");
                throw new UnsupportedOpException(op, "(graph)");
            }
            if (m.contains("variables") && (m.contains("not found") || m.contains("Not found")
                    || m.contains("Unsuccessful TensorSliceReader"))) {
                throw new ModelException("TensorFlow could not restore the variables of " + dir + ": " + m,
                        "copy the model's complete variables/ folder (variables.index and variables.data-*).", e);
            }
            throw new ModelException("TensorFlow could not load the model in " + dir + ": " + m,
                    "check that it is a complete SavedModel exported by TensorFlow 2.16 or older.", e);
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !b.toString().contains(t.getMessage())) {
                b.append(b.length() == 0 ? "" : " / ").append(t.getMessage().strip());
            }
        }
        return b.toString();
    }

    static TensorInfo chooseInput(ModelSignature signature, String key) {
        if (key != null && !key.isEmpty()) {
            return signature.inputs().stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow(
                    () -> new ModelException("The signature '" + signature.key() + "' has no input '" + key + "'; it has "
                            + signature.inputs().stream().map(TensorInfo::key).toList() + ".",
                            "choose one of those with --input."));
        }
        List<TensorInfo> images = signature.inputs().stream().filter(t -> t.rank() == 4).toList();
        if (images.isEmpty()) {
            TensorInfo first = signature.inputs().isEmpty() ? null : signature.inputs().get(0);
            throw new ModelException("The model's input " + (first == null ? "" : "'" + first.key() + "' "
                    + java.util.Arrays.toString(first.shape()) + " ") + "is not an image: Grad-CAM needs an input of "
                    + "rank 4, [batch, height, width, channels] or [batch, channels, height, width].",
                    "use an image classifier whose signature takes NHWC or NCHW images (a flattened-vector model cannot "
                    + "be explained spatially).");
        }
        if (signature.inputs().size() > 1) {
            throw new ModelException("The signature '" + signature.key() + "' has " + signature.inputs().size()
                    + " inputs " + signature.inputs().stream().map(TensorInfo::key).toList()
                    + "; only single-input image classifiers are supported.",
                    "export a signature that takes only the image.");
        }
        return images.get(0);
    }

    static TensorInfo chooseOutput(ModelSignature signature, String key) {
        if (key != null && !key.isEmpty()) {
            return signature.outputs().stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow(
                    () -> new ModelException("The signature '" + signature.key() + "' has no output '" + key
                            + "'; it has " + signature.outputs().stream().map(TensorInfo::key).toList() + ".",
                            "choose one of those with --output."));
        }
        // a classifier's [batch, classes] output first, else a dense [batch, y, x, channels] / [batch, y, x] one
        return signature.outputs().stream().filter(t -> t.rank() == 2).findFirst()
                .or(() -> signature.outputs().stream().filter(t -> t.rank() == 4).findFirst())
                .or(() -> signature.outputs().stream().filter(t -> t.rank() == 3).findFirst())
                .or(() -> signature.outputs().stream().filter(t -> t.rank() == 1).findFirst())
                .orElseThrow(() -> new ModelException("The model has no [batch, classes] output and no dense "
                        + "[batch, y, x, channels] output; its outputs are " + signature.outputs() + ".",
                        "explain a classifier (one score per class) or a dense model (one value per pixel and "
                        + "channel); choose the output with --output."));
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a.trim() : b != null && !b.isBlank() ? b.trim() : null;
    }

    private static Properties readProperties(Path dir) {
        Properties p = new Properties();
        Path file = dir.resolve(PROPERTIES);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new ModelException(file + " cannot be read: " + e.getMessage() + ".", "fix or remove the file.");
            }
        }
        return p;
    }

    private static int count(Iterator<?> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }
}
