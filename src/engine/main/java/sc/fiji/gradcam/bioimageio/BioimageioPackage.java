package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.model.ModelSignature;
import sc.fiji.gradcam.model.SavedModelFolder;

/**
 * A BioImage.IO model package: its description and the folder its files are in. Opened from a description file
 * ({@code rdf.yaml}, {@code bioimageio.yaml}, {@code *.bioimageio.yaml}), a folder holding one, or a package
 * {@code .zip} (unpacked safely by {@link PackageCache}). Files the description names are looked up only inside the
 * package's folder; the SavedModel weights and test tensors are checked against their SHA-256 where it is given.
 */
public final class BioimageioPackage {

    /** The description's file names, in the order they are looked for in a folder. */
    public static final List<String> DESCRIPTION_NAMES = List.of("bioimageio.yaml", "rdf.yaml");

    private final ModelDescription description;
    private final PackageCache cache;
    private final Path source;

    private BioimageioPackage(ModelDescription description, PackageCache cache, Path source) {
        this.description = description;
        this.cache = cache;
        this.source = source;
    }

    /**
     * Whether {@code path} is a package rather than a SavedModel: a {@code .yaml}/{@code .yml} file, a folder with a
     * description and no {@code saved_model.pb}, or a zip with a description at its top.
     */
    public static boolean isPackage(Path path) {
        if (path == null || !Files.exists(path)) {
            return false;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            return !Files.exists(path.resolve("saved_model.pb")) && descriptionIn(path) != null;
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return true;
        }
        if (name.endsWith(".zip")) {
            try (ZipFile zf = ZipFile.builder().setPath(path).get()) {
                for (ZipArchiveEntry e : java.util.Collections.list(zf.getEntries())) {
                    if (isDescriptionName(e.getName())) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return false; // SavedModelFolder says what is wrong with it
            }
        }
        return false;
    }

    static boolean isDescriptionName(String n) {
        return DESCRIPTION_NAMES.contains(n) || (!n.contains("/") && n.endsWith(".bioimageio.yaml"));
    }

    /** The description file in {@code dir}, or null. */
    static Path descriptionIn(Path dir) {
        for (String n : DESCRIPTION_NAMES) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".bioimageio.yaml")).sorted().toList();
            return found.size() == 1 ? found.get(0) : null;
        } catch (IOException e) {
            return null;
        }
    }

    public static BioimageioPackage open(Path path) {
        return open(path, PackageCache.defaults());
    }

    public static BioimageioPackage open(Path path, PackageCache cache) {
        if (path == null || !Files.exists(path)) {
            throw new ModelException("The model package " + path + " does not exist.",
                    "give a BioImage.IO package .zip, its rdf.yaml / bioimageio.yaml, or the folder holding it.");
        }
        Path file = path;
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            file = descriptionIn(path);
        } else if (name.endsWith(".zip")) {
            file = descriptionIn(cache.unpack(path));
        }
        if (file == null) {
            throw new ModelException(path + " holds no BioImage.IO description (bioimageio.yaml, rdf.yaml or one "
                    + "*.bioimageio.yaml).", "give the package as bioimage.io serves it, or the description file.");
        }
        return new BioimageioPackage(DescriptionReader.read(file), cache, path);
    }

    public ModelDescription description() {
        return description;
    }

    /** What the user gave. */
    public Path source() {
        return source;
    }

    /** The package's folder. */
    public Path root() {
        return description.root();
    }

    /** A file the description names, which must lie inside the package's folder. */
    public Path file(String relative, String what) {
        if (relative.contains("://")) {
            throw new ModelException("The description's " + what + " is at " + relative + ", not in the package.",
                    "download the complete package .zip from bioimage.io (it holds every file) and give that.");
        }
        Path root = root().toAbsolutePath().normalize();
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new ModelException("The description's " + what + " (" + relative + ") lies outside the package's "
                    + "folder; refused.", "use a package whose files are all inside it, as bioimage.io serves them.");
        }
        if (!Files.exists(p)) {
            throw new ModelException("The package has no " + what + " " + relative + " (its description names it).",
                    "download the complete package .zip from bioimage.io (it holds every file) and give that.");
        }
        return p;
    }

    /**
     * The folder holding the SavedModel's {@code saved_model.pb}: the {@code tensorflow_saved_model_bundle}
     * weights, checked against their SHA-256 and, for a zip, unpacked into the cache.
     */
    public Path savedModelDir() {
        Weights w = description.weights();
        if (w == null) {
            throw new ModelException("The model '" + description.name() + "' has no " + Weights.FORMAT
                    + " weights (it has " + description.weightFormats() + "); this plugin runs TensorFlow SavedModels.",
                    "convert the weights with bioimageio.core (or ask the authors for TensorFlow ones).");
        }
        Path src = file(w.source(), Weights.FORMAT + " weights");
        if (Files.isDirectory(src)) {
            return modelRoot(src, src);
        }
        PackageCache.checkSha256(src, w.sha256(), "The weights file");
        return modelRoot(cache.unpack(src), src);
    }

    private static Path modelRoot(Path dir, Path source) {
        try (Stream<Path> s = Files.walk(dir, 3)) {
            return s.filter(p -> p.getFileName().toString().equals("saved_model.pb")).map(Path::getParent)
                    .min(Comparator.comparingInt(Path::getNameCount))
                    .orElseThrow(() -> new ModelException("The weights " + source.getFileName() + " hold no "
                            + "saved_model.pb.", "the package's " + Weights.FORMAT + " must be a zipped SavedModel."));
        } catch (IOException e) {
            throw new ModelException("The weights in " + dir + " cannot be read: " + e.getMessage() + ".", "", e);
        }
    }

    /** The test tensor of {@code t}, checked against its SHA-256 when the description gives one. */
    public NdArray testTensor(TensorDescription t) {
        if (t.testTensor() == null) {
            throw new ModelException("The description gives no test tensor for '" + t.id() + "'.",
                    "a package needs test inputs and outputs to be verified (spec 0.4 test_inputs/test_outputs, "
                    + "0.5 test_tensor).");
        }
        Path f = file(t.testTensor(), "test tensor");
        PackageCache.checkSha256(f, t.testTensorSha256(), "The test tensor");
        Npy.Array a = Npy.read(f);
        if (a.shape().length != t.axes().size()) {
            throw new ModelException("The test tensor " + t.testTensor() + " has " + a.shape().length + " axes "
                    + java.util.Arrays.toString(a.shape()) + " but '" + t.id() + "' has " + t.axes().size() + " ("
                    + t.axisIds() + ").", "ask the package's authors for matching test tensors.");
        }
        return a.withAxes(t.axisIds());
    }

    /**
     * What {@code ModelLoader} needs to open a package as a SavedModel: the weights folder, the signature keys of
     * the described input and output (null: let the loader choose), the input layout from the axes, and the
     * described processing.
     *
     * @param savedModelDir the folder holding saved_model.pb
     * @param input the signature key of the description's first input (null: not told apart)
     * @param output the signature key of the description's first output (null: not told apart)
     * @param layout {@code nhwc} or {@code nchw} from the first input's axes (null when it is not a 2-D image)
     * @param preprocessing the first input's preprocessing
     * @param postprocessing the first output's postprocessing
     * @param notes what the loader cannot honour yet (e.g. x before y, 3-D inputs)
     */
    public record Resolved(ModelDescription description, Path savedModelDir, String input, String output,
            String layout, List<Processing> preprocessing, List<Processing> postprocessing, List<String> notes) {

        /**
         * One image as the plugin holds it ({@code values[(y * width + x) * channels + c]}) after the described
         * preprocessing of the first input: the steps name axes by id, so the model's own axis order does not matter.
         */
        public float[] preprocess(float[] values, int height, int width, int channels) {
            NdArray x = new NdArray(List.of("batch", "y", "x", "channel"), new int[] {1, height, width, channels},
                    values);
            String id = description.inputs().get(0).id();
            for (Processing p : preprocessing) {
                x = p.apply(x, java.util.Map.of(id, x));
            }
            return x.data();
        }

        /**
         * What explanations take from the description, as {@code gradcam.properties} keys (the model folder's own
         * file and the user's options win): {@code scale_range} per sample → {@code percentiles} and {@code range=0:1}
         * (the same formula, for 8-bit gray images too: {@code percentiles.8bit}), the spatial size step
         * of a min/step shape → {@code size.step}, a fixed spatial shape → {@code size}. Steps that do not map are
         * named in {@link #explanationNotes}.
         */
        public java.util.Properties explanationProperties() {
            java.util.Properties p = new java.util.Properties();
            for (Processing step : preprocessing) {
                if (step.id().equals("scale_range") && !"per_dataset".equals(step.kwargs().get("mode"))) {
                    double lo = number(step.kwargs().get("min_percentile"), 0);
                    double hi = number(step.kwargs().get("max_percentile"), 100);
                    p.setProperty("percentiles", fmt(lo) + ":" + fmt(hi));
                    p.setProperty("range", "0:1");
                    p.setProperty("percentiles.8bit", "true");
                }
            }
            TensorDescription in = description.inputs().get(0);
            long step = 0;
            long fy = -1;
            long fx = -1;
            for (Axis a : in.axes()) {
                if (!a.id().equals("x") && !a.id().equals("y")) {
                    continue;
                }
                if (a.size() instanceof Axis.Parametrized ps && ps.step() > 0 && ps.min() % ps.step() == 0) {
                    step = Math.max(step, ps.step());
                } else if (a.size() instanceof Axis.Fixed f) {
                    if (a.id().equals("x")) {
                        fx = f.n();
                    } else {
                        fy = f.n();
                    }
                }
            }
            if (step > 0) {
                p.setProperty("size.step", String.valueOf(step));
            }
            // the outputs' halo: how far tiles must reach beyond their core (explanations need twice that in input)
            long halo = 0;
            for (TensorDescription o : description.outputs()) {
                for (Axis a : o.axes()) {
                    if (a.id().equals("x") || a.id().equals("y")) {
                        halo = Math.max(halo, a.halo());
                    }
                }
            }
            if (halo > 0) {
                p.setProperty("halo", String.valueOf(halo));
            }
            if (fx > 0 && fy > 0) {
                p.setProperty("size", fx + "x" + fy);
            }
            return p;
        }

        /** Preprocessing steps of the description that explanations do not apply (verify applies every step). */
        public List<String> explanationNotes() {
            List<String> notes = new java.util.ArrayList<>();
            if (!preprocessing.isEmpty()) {
                // the loader applies every step to explained images (preprocessing.own)
                return notes;
            }
            for (Processing step : preprocessing) {
                boolean mapped = step.id().equals("scale_range") && !"per_dataset".equals(step.kwargs().get("mode"))
                        || step.id().equals("ensure_dtype");
                if (!mapped) {
                    notes.add("The package's preprocessing step '" + step.id() + "' is not applied to explained "
                            + "images (only per-sample scale_range is, as percentiles); set --range/--percentiles to "
                            + "match it, or check the prediction with 'gradcam verify'.");
                }
            }
            return notes;
        }

        private static double number(Object o, double fallback) {
            return o instanceof Number n ? n.doubleValue() : fallback;
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        }

        /**
         * The explained output's channel names ({@code channel_names} of spec 0.5), which name the classes when the
         * SavedModel folder has no labels file; empty when the description names none.
         */
        public List<String> outputChannelNames() {
            TensorDescription o = description.outputs().stream().filter(t -> t.id().equals(output)).findFirst()
                    .orElse(description.outputs().get(0));
            for (Axis a : o.axes()) {
                if (a.type().equals("channel") && !a.names().isEmpty()) {
                    return a.names();
                }
            }
            return List.of();
        }

        /** {@code options} with the package's input, output and layout where they were not chosen. */
        public ModelOptions applyTo(ModelOptions options) {
            ModelOptions o = options;
            if ((o.input() == null || o.input().isEmpty()) && input != null) {
                o = o.withInput(input);
            }
            if ((o.output() == null || o.output().isEmpty()) && output != null) {
                o = o.withOutput(output);
            }
            if ((o.layout() == null || o.layout().equals("auto")) && layout != null) {
                o = o.withLayout(layout);
            }
            return o;
        }
    }

    /** Opens the package at {@code path} (default cache) and resolves it; see {@link Resolved}. */
    public static Resolved resolve(Path path) {
        return open(path).resolved();
    }

    public Resolved resolved() {
        Path dir = savedModelDir();
        TensorDescription in = description.inputs().get(0);
        TensorDescription out = description.outputs().get(0);
        List<String> notes = new ArrayList<>();
        String letters = in.letters();
        String layout = switch (letters) {
            case "byxc" -> "nhwc";
            case "bcyx" -> "nchw";
            case "bxyc" -> {
                notes.add("The input's axes are " + letters + " (x before y): images are fed transposed.");
                yield "nhwc";
            }
            case "bcxy" -> {
                notes.add("The input's axes are " + letters + " (x before y): images are fed transposed.");
                yield "nchw";
            }
            default -> {
                notes.add("The input's axes are " + letters + "; only 2-D images (byxc, bcyx) are explained.");
                yield null;
            }
        };
        if (description.inputs().size() > 1) {
            notes.add("The model has " + description.inputs().size() + " inputs; only the first is used.");
        }
        String inputKey;
        String outputKey;
        try (SavedModelFolder folder = SavedModelFolder.open(dir)) {
            ModelSignature sig = SavedModelFolder.signature(folder.metaGraph(List.of("serve")), null);
            inputKey = SignatureMatch.keyOf(in, description.inputs(), sig.inputs());
            outputKey = SignatureMatch.keyOf(out, description.outputs(), sig.outputs());
        }
        return new Resolved(description, dir, inputKey, outputKey, layout, in.processing(), out.processing(), notes);
    }
}
