package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import sc.fiji.gradcam.api.ModelException;

/**
 * Writes a BioImage.IO 0.5 package of a 2-D image SavedModel: {@code bioimageio.yaml}, the SavedModel zipped as its
 * {@code tensorflow_saved_model_bundle} weights, the test input and the test output the model gives for it
 * ({@link PackageVerifier#predict}), each with its SHA-256, zipped into one file. Zips are written with fixed entry
 * times, so the same model and test input give the same bytes.
 */
public final class PackageWriter {

    /** 1980-01-01, the zip format's first representable time: entries carry no build time. */
    private static final long ZIP_TIME = 315532800000L + 12 * 3600 * 1000L;

    /**
     * What to write.
     *
     * @param layout {@code nhwc} or {@code nchw}: the SavedModel's input and output axes
     * @param inputChannels the input's channel names (their number is the channel count)
     * @param outputChannels the output's channel names
     * @param minSize the smallest height and width the model takes; {@code step} the increments (0: exactly minSize)
     * @param halo pixels at each border of the output that tiles should overlap by
     * @param preprocessing steps as they appear in the description ({@code id} and {@code kwargs})
     * @param tolerance the reproducibility tolerance to declare
     * @param metadata further top-level fields as they appear in the description (e.g. {@code authors},
     *     {@code cite}, {@code tags}); bioimage.io's uploader asks for authors and citations (nested mappings are
     *     written in their own iteration order: give LinkedHashMaps for the same bytes in every run)
     */
    public record Spec(String name, String description, Map<String, Object> metadata, String license, Path savedModel,
            String tensorflowVersion, String inputId, String outputId, String layout, List<String> inputChannels,
            List<String> outputChannels, long minSize, long step, long halo, List<Processing> preprocessing,
            List<Processing> postprocessing, Tolerance tolerance) {}

    private PackageWriter() {}

    /** Writes the package of {@code spec} with {@code testInput} (in the model's axes) to {@code zip}. */
    public static Path write(Spec spec, NdArray testInput, Path zip) {
        Path folder = null;
        try {
            Path parent = zip.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            folder = Files.createTempDirectory(parent, ".package-");
            zipFolder(spec.savedModel(), folder.resolve("tf_weights.zip"));
            Npy.writeFloat32(folder.resolve("test_input.npy"), testInput.shape(), testInput.data());
            Map<String, Object> rdf = description(spec, folder, null);
            Path yaml = folder.resolve("bioimageio.yaml");
            ModelDescription d = DescriptionReader.parse(rdf, yaml, folder);
            Map<String, NdArray> out = PackageVerifier.predict(d, spec.savedModel(), Map.of(spec.inputId(),
                    new NdArray(d.inputs().get(0).axisIds(), testInput.shape(), testInput.data())));
            NdArray y = out.get(spec.outputId());
            Npy.writeFloat32(folder.resolve("test_output.npy"), y.shape(), y.data());
            rdf = description(spec, folder, PackageCache.sha256(folder.resolve("test_output.npy")));
            Files.writeString(yaml, dump(rdf), StandardCharsets.UTF_8);
            zipFolder(folder, zip);
            return zip;
        } catch (IOException e) {
            throw new ModelException("The package " + zip + " cannot be written: " + e.getMessage() + ".",
                    "check that its folder is writable.", e);
        } finally {
            PackageCache.delete(folder);
        }
    }

    private static Map<String, Object> description(Spec spec, Path folder, String outputSha) throws IOException {
        Map<String, Object> rdf = new LinkedHashMap<>();
        rdf.put("type", "model");
        rdf.put("format_version", "0.5.3");
        rdf.put("name", spec.name());
        rdf.put("description", spec.description());
        rdf.put("license", spec.license());
        if (spec.metadata() != null) {
            new java.util.TreeMap<>(spec.metadata()).forEach(rdf::putIfAbsent);
        }
        rdf.putIfAbsent("documentation", "README.md");
        Files.writeString(folder.resolve("README.md"), "# " + spec.name() + "\n\n" + spec.description() + "\n");
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("id", spec.inputId());
        in.put("axes", axes(spec, spec.inputChannels(), null));
        in.put("data", ordered("type", "float32"));
        in.put("test_tensor", ordered("source", "test_input.npy", "sha256",
                PackageCache.sha256(folder.resolve("test_input.npy"))));
        in.put("preprocessing", steps(spec.preprocessing()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", spec.outputId());
        out.put("axes", axes(spec, spec.outputChannels(), spec.inputId()));
        out.put("data", ordered("type", "float32"));
        if (outputSha != null) {
            out.put("test_tensor", ordered("source", "test_output.npy", "sha256", outputSha));
        }
        out.put("postprocessing", steps(spec.postprocessing()));
        rdf.put("inputs", List.of(in));
        rdf.put("outputs", List.of(out));
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("source", "tf_weights.zip");
        weights.put("sha256", PackageCache.sha256(folder.resolve("tf_weights.zip")));
        weights.put("tensorflow_version", spec.tensorflowVersion());
        rdf.put("weights", ordered(Weights.FORMAT, weights));
        Tolerance t = spec.tolerance() == null ? Tolerance.DEFAULT : spec.tolerance();
        Map<String, Object> tol = new LinkedHashMap<>();
        tol.put("relative_tolerance", t.relative());
        tol.put("absolute_tolerance", t.absolute());
        tol.put("mismatched_elements_per_million", (long) t.mismatchedPerMillion());
        rdf.put("config", ordered("bioimageio", ordered("reproducibility_tolerance", List.of(tol))));
        return rdf;
    }

    private static List<Object> axes(Spec spec, List<String> channels, String reference) {
        List<Object> spatial = new ArrayList<>();
        for (String id : List.of("y", "x")) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("type", "space");
            a.put("id", id);
            if (reference == null) {
                a.put("size", spec.step() == 0 ? (Object) spec.minSize()
                        : ordered("min", spec.minSize(), "step", spec.step()));
            } else {
                a.put("size", ordered("tensor_id", reference, "axis_id", id));
                if (spec.halo() > 0) {
                    a.put("halo", spec.halo());
                }
            }
            spatial.add(a);
        }
        Map<String, Object> channel = new LinkedHashMap<>();
        channel.put("type", "channel");
        channel.put("channel_names", channels);
        List<Object> axes = new ArrayList<>();
        axes.add(ordered("type", "batch"));
        if (spec.layout().equals("nchw")) {
            axes.add(channel);
            axes.addAll(spatial);
        } else {
            axes.addAll(spatial);
            axes.add(channel);
        }
        return axes;
    }

    private static List<Object> steps(List<Processing> steps) {
        List<Object> out = new ArrayList<>();
        for (Processing p : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("kwargs", new java.util.TreeMap<>(p.kwargs()));
            out.add(m);
        }
        return out;
    }

    /** A mapping that keeps the order its keys are given in (the description reads top-down). */
    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String dump(Map<String, Object> rdf) {
        DumpSettings s = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build();
        return new Dump(s).dumpToString(rdf);
    }

    /** Zips the files below {@code dir} (names relative to it, sorted, fixed times). */
    static void zipFolder(Path dir, Path zip) throws IOException {
        try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o);
                Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.equals(zip)).sorted().toList()) {
                ZipEntry e = new ZipEntry(dir.relativize(p).toString().replace('\\', '/'));
                e.setTime(ZIP_TIME);
                z.putNextEntry(e);
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }
}
