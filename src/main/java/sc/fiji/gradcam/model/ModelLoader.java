package sc.fiji.gradcam.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.tensorflow.engine.TfSymbolBlock;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.MetaGraphDef;
import sc.fiji.gradcam.graph.ServingGraph;
import sc.fiji.gradcam.graph.UnsupportedOpException;
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
        SavedModelFolder folder = SavedModelFolder.open(path);
        try {
            return load(folder, options);
        } catch (RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    private static LoadedModel load(SavedModelFolder folder, ModelOptions options) {
        List<String> tags = options.tags() == null || options.tags().isEmpty() ? List.of("serve") : options.tags();
        MetaGraphDef meta = folder.metaGraph(tags);
        ModelSignature signature = SavedModelFolder.signature(meta, options.signature());
        TensorInfo input = chooseInput(signature, options.input());
        TensorInfo output = chooseOutput(signature, options.output());
        folder.checkVariables(meta);
        Properties properties = readProperties(folder.dir());
        Path labelsFile = options.labels();
        if (labelsFile == null && properties.getProperty("labels") != null) {
            labelsFile = folder.dir().resolve(properties.getProperty("labels"));
        }
        List<String> labels = Labels.read(folder.dir(), labelsFile);

        TensorFlowRuntime.engine();
        ZooModel<NDList, NDList> zoo = loadWithDjl(folder.dir(), tags, signature.key());
        try {
            var bundle = ((TfSymbolBlock) zoo.getBlock()).getSavedModelBundle();
            Graph graph = TfHandles.graph(bundle.getGraph());
            Session session = TfHandles.session(graph, bundle.getSession());
            int ops = count(graph.operations());
            ServingGraph serving = ServingGraph.build(graph, session, bundle.getGraph(), input.tensor(),
                    output.tensor());
            List<String> warnings = new ArrayList<>();
            long k = output.shape()[output.shape().length - 1];
            if (!labels.isEmpty() && k > 0 && labels.size() != k) {
                warnings.add("The labels file has " + labels.size() + " names but the model has " + k
                        + " outputs; check that it belongs to this model.");
            }
            return new LoadedModel(folder, zoo, signature, SavedModelFolder.signatureKeys(meta), input, output,
                    labels, properties, serving, ops, warnings);
        } catch (UnsupportedOpException | ModelException e) {
            zoo.close();
            throw e;
        } catch (RuntimeException e) {
            zoo.close();
            throw new ModelException("The model's graph could not be prepared for explanations: " + e.getMessage(),
                    "report this with the output of 'gradcam info --model DIR --verbose'.", e);
        }
    }

    private static ZooModel<NDList, NDList> loadWithDjl(Path dir, List<String> tags, String signature) {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(dir)
                .optEngine(TensorFlowRuntime.ENGINE)
                .optOption("Tags", String.join(",", tags))
                .optOption("SignatureDefKey", signature)
                .build();
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
                    + "rank 4, [batch, height, width, channels].",
                    "use an image classifier whose signature takes NHWC images (a flattened-vector model cannot be explained spatially).");
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
        return signature.outputs().stream().filter(t -> t.rank() == 2).findFirst().orElseThrow(
                () -> new ModelException("The model has no [batch, classes] output; its outputs are "
                        + signature.outputs() + ".", "explain a classifier (one score per class)."));
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
