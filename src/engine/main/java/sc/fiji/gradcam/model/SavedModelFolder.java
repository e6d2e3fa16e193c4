package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A SavedModel on disk (a folder, or a {@code .zip} of one), read and checked before TensorFlow sees it,
 * so that every problem gets a message that names it and the fix. The files are only read.
 */
public final class SavedModelFolder implements AutoCloseable {

    /** The signature key TF exports for the serving graph's initialiser: not a model signature. */
    static final String INIT_SIGNATURE = "__saved_model_init_op";

    private final Path source;
    private final Path dir;
    private final Path extracted;
    private final SavedModel savedModel;

    private SavedModelFolder(Path source, Path dir, Path extracted, SavedModel savedModel) {
        this.source = source;
        this.dir = dir;
        this.extracted = extracted;
        this.savedModel = savedModel;
    }

    /** Opens and checks {@code path}; a zip is extracted to a temporary folder deleted on {@link #close()}. */
    public static SavedModelFolder open(Path path) {
        if (path == null) {
            throw new ModelException("No model was given.", "choose the folder that contains saved_model.pb.");
        }
        if (!Files.exists(path)) {
            throw new ModelException("The model folder " + path + " does not exist.",
                    "give the folder that contains saved_model.pb (or a .zip of it).");
        }
        Path extracted = null;
        Path dir = path;
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString().toLowerCase();
            if (name.endsWith(".zip")) {
                extracted = unzip(path);
                dir = findModelRoot(extracted, path);
            } else if (name.equals("saved_model.pb")) {
                dir = path.toAbsolutePath().getParent();
            } else {
                throw new ModelException(path + " is a file, not a SavedModel folder." + kerasHint(name),
                        "give the folder that contains saved_model.pb and variables/.");
            }
        }
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.isRegularFile(pb)) {
            String hint = Files.isRegularFile(dir.resolve("saved_model.pbtxt"))
                    ? " It has saved_model.pbtxt (text format), which TensorFlow's C API does not load." : "";
            throw new ModelException(path + " is not a TensorFlow SavedModel: it has no saved_model.pb." + hint,
                    "choose the folder written by tf.saved_model.save(...) or Keras model.export(...); "
                            + "a Keras .h5/.keras file must be exported to a SavedModel first.");
        }
        SavedModel model;
        try (InputStream in = Files.newInputStream(pb)) {
            model = SavedModel.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException("saved_model.pb in " + dir + " is damaged or not a SavedModel protobuf ("
                    + e.getMessage() + ").", "copy or export the model again; the file may be truncated.", e);
        } catch (IOException e) {
            throw new ModelException("saved_model.pb in " + dir + " cannot be read: " + e.getMessage() + ".",
                    "check the file's permissions.", e);
        }
        if (model.getMetaGraphsCount() == 0) {
            throw new ModelException("saved_model.pb in " + dir + " holds no meta graph (is it a SavedModel?).",
                    "export the model again with tf.saved_model.save.");
        }
        return new SavedModelFolder(path, dir, extracted, model);
    }

    private static String kerasHint(String name) {
        if (name.endsWith(".h5") || name.endsWith(".keras") || name.endsWith(".hdf5")) {
            return " Keras files are not SavedModels: in Python, load it and call model.export(\"folder\") "
                    + "(Keras 3) or tf.saved_model.save(model, \"folder\").";
        }
        if (name.endsWith(".pb")) {
            return " A frozen .pb graph is not a SavedModel; wrap it with tf.compat.v1.saved_model.";
        }
        return "";
    }

    /** The path the user gave. */
    public Path source() {
        return source;
    }

    /** The folder holding saved_model.pb (inside the extraction folder for a zip). */
    public Path dir() {
        return dir;
    }

    /** Every tag set in the file, e.g. {@code [[serve]]}. */
    public List<List<String>> tagSets() {
        List<List<String>> sets = new ArrayList<>();
        for (MetaGraphDef m : savedModel.getMetaGraphsList()) {
            sets.add(m.getMetaInfoDef().getTagsList());
        }
        return sets;
    }

    /** The meta graph with exactly these tags. */
    public MetaGraphDef metaGraph(Collection<String> tags) {
        for (MetaGraphDef m : savedModel.getMetaGraphsList()) {
            if (new HashSet<>(m.getMetaInfoDef().getTagsList()).equals(new HashSet<>(tags))) {
                return m;
            }
        }
        throw new ModelException("The model has no meta graph tagged " + tags + "; it has " + tagSets() + ".",
                "choose one of those tag sets (option --tags / tags).");
    }

    /** Signature keys of a meta graph, without TF's initialiser entry. */
    public static List<String> signatureKeys(MetaGraphDef meta) {
        List<String> keys = new ArrayList<>();
        for (String k : meta.getSignatureDefMap().keySet()) {
            if (!k.equals(INIT_SIGNATURE)) {
                keys.add(k);
            }
        }
        keys.sort(Comparator.naturalOrder());
        return keys;
    }

    /** The signature {@code key}, or {@code serving_default}, or the only one there is. */
    public static ModelSignature signature(MetaGraphDef meta, String key) {
        return signature(meta, key, null, null);
    }

    /** Key of the signature made up for a graph without one from the tensors the user named. */
    public static final String GRAPH_TENSORS = "(graph tensors)";

    /**
     * As {@link #signature(MetaGraphDef, String)}; a meta graph without any signature (TF1 exports such as DEFCoN's)
     * is served by the graph tensors {@code input} and {@code output} name ({@code node} or {@code node:i}), as a
     * signature of one input and one output whose keys are those names.
     */
    public static ModelSignature signature(MetaGraphDef meta, String key, String input, String output) {
        List<String> keys = signatureKeys(meta);
        if (keys.isEmpty()) {
            if (input == null || input.isBlank() || output == null || output.isBlank()) {
                // the placeholders that take images (rank 4, or of unknown shape) are the candidates
                List<String> placeholders = meta.getGraphDef().getNodeList().stream()
                        .filter(n -> n.getOp().equals("Placeholder"))
                        .filter(n -> n.getAttrMap().containsKey("shape")
                                && n.getAttrMap().get("shape").getShape().getDimCount() == 4
                                && n.getAttrMap().get("shape").getShape().getDim(0).getSize() == -1)
                        .map(NodeDef::getName).limit(12).toList();
                String outputs = String.join(", ", meta.getGraphDef().getNodeList().stream()
                        .filter(n -> n.getName().toLowerCase().contains("output")
                                && (n.getOp().equals("Identity") || n.getOp().equals("Softmax")
                                        || n.getOp().equals("Sigmoid")))
                        .map(NodeDef::getName).limit(6).toList());
                throw new ModelException("The model declares no serving signature, so its input and output must be "
                        + "named (image placeholders: " + placeholders + (outputs.isEmpty() ? "" : "; nodes named "
                        + "output: " + outputs) + ").", "give the graph tensors with --input NODE "
                        + "--output NODE (macro: input=, output=; or input= and output= in gradcam.properties), e.g. "
                        + "--input " + (placeholders.isEmpty() ? "input" : placeholders.get(placeholders.size() - 1))
                        + " --output " + (outputs.isEmpty() ? "output" : outputs.split(", ")[0]) + ".");
            }
            return new ModelSignature(GRAPH_TENSORS, List.of(graphTensor(meta, input.trim())),
                    List.of(graphTensor(meta, output.trim())));
        }
        String chosen = key;
        if (chosen == null || chosen.isEmpty()) {
            chosen = keys.contains("serving_default") ? "serving_default" : keys.size() == 1 ? keys.get(0) : null;
            if (chosen == null) {
                throw new ModelException("The model has several signatures " + keys + " and none is serving_default.",
                        "choose one with --signature / signature.");
            }
        }
        SignatureDef def = meta.getSignatureDefMap().get(chosen);
        if (def == null || chosen.equals(INIT_SIGNATURE)) {
            throw new ModelException("The model has no signature '" + chosen + "'; it has " + keys + ".",
                    "choose one of those with --signature / signature.");
        }
        return new ModelSignature(chosen, tensors(def.getInputsMap()), tensors(def.getOutputsMap()));
    }

    /** A graph tensor as a signature entry: its shape and type from the node's attributes where it says them. */
    private static TensorInfo graphTensor(MetaGraphDef meta, String name) {
        String node = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
        String tensor = name.contains(":") ? name : name + ":0";
        NodeDef def = meta.getGraphDef().getNodeList().stream().filter(n -> n.getName().equals(node)).findFirst()
                .orElseThrow(() -> new ModelException("The model's graph has no node '" + node + "'.",
                        "give an existing node name (e.g. the Placeholder that takes the image, and the op that "
                        + "gives the result); 'gradcam layers --model DIR' cannot list them without a signature, "
                        + "but TensorFlow's saved_model_cli or Netron can."));
        long[] shape = null;
        var attrs = def.getAttrMap();
        if (attrs.containsKey("shape") && !attrs.get("shape").getShape().getUnknownRank()) {
            shape = attrs.get("shape").getShape().getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize)
                    .toArray();
        }
        String dtype = attrs.containsKey("dtype") ? attrs.get("dtype").getType().name()
                : attrs.containsKey("T") ? attrs.get("T").getType().name() : "DT_FLOAT";
        return new TensorInfo(name, tensor, shape, dtype.replaceFirst("^DT_", "").toLowerCase());
    }

    private static List<TensorInfo> tensors(Map<String, org.tensorflow.proto.TensorInfo> map) {
        List<TensorInfo> list = new ArrayList<>();
        map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            org.tensorflow.proto.TensorInfo t = e.getValue();
            TensorShapeProto s = t.getTensorShape();
            long[] shape = null;
            if (!s.getUnknownRank()) {
                shape = s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
            }
            String dtype = t.getDtype().name().replaceFirst("^DT_", "").toLowerCase();
            list.add(new TensorInfo(e.getKey(), t.getName(), shape, dtype));
        });
        return list;
    }

    /** Checks that variables the graph declares have their checkpoint beside saved_model.pb. */
    public void checkVariables(MetaGraphDef meta) {
        boolean hasVariables = false;
        for (NodeDef n : meta.getGraphDef().getNodeList()) {
            String op = n.getOp();
            if (op.equals("VarHandleOp") || op.equals("VariableV2") || op.equals("Variable")) {
                hasVariables = true;
                break;
            }
        }
        if (hasVariables && !Files.isRegularFile(dir.resolve("variables").resolve("variables.index"))) {
            throw new ModelException("The model in " + dir + " has variables but no variables/variables.index.",
                    "copy the whole SavedModel folder, including its variables/ folder.");
        }
    }

    private static Path unzip(Path zip) {
        try {
            Path target = Files.createTempDirectory("gradcam-model-");
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    Path out = target.resolve(e.getName()).normalize();
                    if (!out.startsWith(target)) {
                        throw new ModelException("The zip " + zip + " has an entry outside its folder (" + e.getName()
                                + ").", "zip the SavedModel folder normally.");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new ModelException("The zip " + zip + " cannot be read: " + e.getMessage() + ".",
                    "check that it is a complete .zip of a SavedModel folder.", e);
        }
    }

    private static Path findModelRoot(Path root, Path zip) {
        try (Stream<Path> s = Files.walk(root, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("saved_model.pb")).map(Path::getParent)
                    .min(Comparator.comparingInt(Path::getNameCount))
                    .orElseThrow(() -> new ModelException("The zip " + zip + " contains no saved_model.pb.",
                            "zip the SavedModel folder (the one holding saved_model.pb and variables/)."));
        } catch (IOException e) {
            throw new ModelException("The zip " + zip + " cannot be read: " + e.getMessage() + ".", "", e);
        }
    }

    @Override
    public void close() {
        if (extracted != null) {
            try (Stream<Path> s = Files.walk(extracted)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // temporary files only; nothing of the user's is touched
            }
        }
    }
}
