package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.api.ModelException;

/** Reads a description file (spec 0.4 or 0.5) into a {@link ModelDescription}. */
public final class DescriptionReader {

    private DescriptionReader() {}

    public static ModelDescription read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException("The model description " + file + " does not exist.",
                    "give the package's rdf.yaml / bioimageio.yaml, its folder, or the package .zip.");
        }
        String text;
        try {
            if (Files.size(file) > Yaml.MAX_CHARS) {
                throw new ModelException("The model description " + file + " is larger than "
                        + (Yaml.MAX_CHARS >> 20) + " MB: not a description.", "give the package's rdf.yaml.");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException("The model description " + file + " cannot be read: " + e.getMessage() + ".",
                    "check the file's permissions.", e);
        }
        Path root = file.toAbsolutePath().getParent();
        return parse(Yaml.load(text, file.getFileName().toString()), file, root);
    }

    static ModelDescription parse(Map<String, Object> rdf, Path file, Path root) {
        String type = Yaml.str(rdf, "type");
        if (type != null && !type.equals("model")) {
            throw new ModelException("The description " + file + " is of type '" + type + "', not a model.",
                    "give the description of a model (type: model).");
        }
        String version = Yaml.str(rdf, "format_version");
        if (version == null || !(version.startsWith("0.4") || version.startsWith("0.5"))) {
            throw new ModelException("The description " + file + " has format_version " + version
                    + "; this plugin reads 0.4 and 0.5.", "update the description with bioimageio.spec "
                    + "(python -m bioimageio.spec update-format), or ask its authors for a 0.5 one.");
        }
        boolean v05 = version.startsWith("0.5");
        String name = Yaml.str(rdf, "name");
        List<TensorDescription> inputs = tensors(rdf, "inputs", v05);
        List<TensorDescription> outputs = tensors(rdf, "outputs", v05);
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw Yaml.bad(inputs.isEmpty() ? "inputs" : "outputs", "is empty");
        }
        if (!v05) {
            inputs = withTests(inputs, Yaml.optList(rdf, "test_inputs", ""), "test_inputs");
            outputs = withTests(outputs, Yaml.optList(rdf, "test_outputs", ""), "test_outputs");
        }
        List<TensorDescription> all = new ArrayList<>(inputs);
        all.addAll(outputs);
        inputs = resolveReferences(inputs, all, v05);
        outputs = resolveReferences(outputs, all, v05);

        Map<String, Object> weights = Yaml.optMap(rdf, "weights", "");
        Weights tf = null;
        if (weights.containsKey(Weights.FORMAT)) {
            Map<String, Object> w = Yaml.map(weights.get(Weights.FORMAT), "weights." + Weights.FORMAT);
            tf = new Weights(Yaml.requireStr(w, "source", "weights." + Weights.FORMAT), Yaml.str(w, "sha256"),
                    Yaml.str(w, "tensorflow_version"));
        }
        Map<String, Object> config = Yaml.optMap(rdf, "config", "");
        List<Tolerance> tolerances = new ArrayList<>();
        Map<String, Object> bio = Yaml.optMap(config, "bioimageio", "config");
        int k = 0;
        for (Object o : Yaml.optList(bio, "reproducibility_tolerance", "config.bioimageio")) {
            String where = "config.bioimageio.reproducibility_tolerance[" + k++ + "]";
            Map<String, Object> t = Yaml.map(o, where);
            tolerances.add(new Tolerance(Yaml.optNum(t, "relative_tolerance", 1e-3, where),
                    Yaml.optNum(t, "absolute_tolerance", 1e-3, where),
                    Yaml.optNum(t, "mismatched_elements_per_million", 100, where),
                    strings(Yaml.optList(t, "output_ids", where)), strings(Yaml.optList(t, "weights_formats", where))));
        }
        return new ModelDescription(name == null ? file.getFileName().toString() : name, version, inputs, outputs,
                tf, new ArrayList<>(weights.keySet()), tolerances, config, file, root);
    }

    private static List<String> strings(List<?> l) {
        return l.stream().map(String::valueOf).toList();
    }

    private static List<TensorDescription> withTests(List<TensorDescription> tensors, List<?> files, String key) {
        if (!files.isEmpty() && files.size() != tensors.size()) {
            throw Yaml.bad(key, "lists " + files.size() + " files for " + tensors.size() + " tensors");
        }
        List<TensorDescription> out = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            out.add(files.isEmpty() ? tensors.get(i) : tensors.get(i).withTestTensor(String.valueOf(files.get(i))));
        }
        return out;
    }

    private static List<TensorDescription> tensors(Map<String, Object> rdf, String key, boolean v05) {
        List<TensorDescription> out = new ArrayList<>();
        int i = 0;
        for (Object o : Yaml.list(rdf.get(key), key)) {
            String where = key + "[" + i++ + "]";
            out.add(v05 ? tensor05(Yaml.map(o, where), where, key.equals("inputs"))
                    : tensor04(Yaml.map(o, where), where, key.equals("inputs")));
        }
        return out;
    }

    // ---- 0.4: axes as letters, shape beside them

    private static TensorDescription tensor04(Map<String, Object> t, String where, boolean input) {
        String id = Yaml.requireStr(t, "name", where);
        String letters = Yaml.requireStr(t, "axes", where);
        int r = letters.length();
        List<Axis.Size> sizes = shape04(t.get("shape"), r, where + ".shape");
        List<?> halo = Yaml.optList(t, "halo", where);
        if (!halo.isEmpty() && halo.size() != r) {
            throw Yaml.bad(where + ".halo", "has " + halo.size() + " values for " + r + " axes");
        }
        List<Axis> axes = new ArrayList<>();
        for (int d = 0; d < r; d++) {
            char c = letters.charAt(d);
            String axisId = Axis.idOfLetter(c);
            if (axisId == null) {
                throw Yaml.bad(where + ".axes", "has the unknown axis letter '" + c + "' (known: bitczyx)");
            }
            long h = halo.isEmpty() ? 0 : Yaml.integer(halo.get(d), where + ".halo");
            axes.add(new Axis(axisId, Axis.typeOfLetter(c), sizes.get(d), h, 1.0));
        }
        String dtype = Yaml.str(t, "data_type");
        return new TensorDescription(id, axes, dtype == null ? "float32" : dtype,
                processing(t, input ? "preprocessing" : "postprocessing", where, false), null, null);
    }

    private static List<Axis.Size> shape04(Object shape, int rank, String where) {
        List<Axis.Size> sizes = new ArrayList<>();
        if (shape instanceof List<?> l) {
            checkRank(l, rank, where);
            for (Object v : l) {
                sizes.add(new Axis.Fixed(Yaml.integer(v, where)));
            }
            return sizes;
        }
        Map<String, Object> m = Yaml.map(shape, where);
        if (m.containsKey("min")) {
            List<?> min = Yaml.list(m.get("min"), where + ".min");
            List<?> step = Yaml.list(m.get("step"), where + ".step");
            checkRank(min, rank, where + ".min");
            checkRank(step, rank, where + ".step");
            for (int d = 0; d < rank; d++) {
                long mn = Yaml.integer(min.get(d), where + ".min");
                long st = Yaml.integer(step.get(d), where + ".step");
                sizes.add(st == 0 ? new Axis.Fixed(mn) : new Axis.Parametrized(mn, st));
            }
            return sizes;
        }
        String ref = Yaml.requireStr(m, "reference_tensor", where);
        List<?> scale = Yaml.list(m.get("scale"), where + ".scale");
        List<?> offset = m.containsKey("offset") ? Yaml.list(m.get("offset"), where + ".offset") : null;
        checkRank(scale, rank, where + ".scale");
        if (offset != null) {
            checkRank(offset, rank, where + ".offset");
        }
        for (int d = 0; d < rank; d++) {
            double s = scale.get(d) == null ? 0 : Yaml.num(scale.get(d), where + ".scale");
            double o = offset == null ? 0 : Yaml.num(offset.get(d), where + ".offset");
            // the axis id is filled in by resolveReferences (the same position in the reference tensor)
            sizes.add(new Axis.Reference(ref, "#" + d, s, 2 * o));
        }
        return sizes;
    }

    private static void checkRank(List<?> l, int rank, String where) {
        if (l.size() != rank) {
            throw Yaml.bad(where, "has " + l.size() + " values for " + rank + " axes");
        }
    }

    // ---- 0.5: axis objects

    private static TensorDescription tensor05(Map<String, Object> t, String where, boolean input) {
        String id = Yaml.requireStr(t, "id", where);
        List<Axis> axes = new ArrayList<>();
        int i = 0;
        for (Object o : Yaml.list(t.get("axes"), where + ".axes")) {
            String aw = where + ".axes[" + i++ + "]";
            axes.add(axis05(Yaml.map(o, aw), aw));
        }
        String dtype = "float32";
        Object data = t.get("data");
        if (data instanceof List<?> l && !l.isEmpty()) {
            data = l.get(0);
        }
        if (data instanceof Map<?, ?>) {
            String ty = Yaml.str(Yaml.map(data, where + ".data"), "type");
            dtype = ty == null ? dtype : ty;
        }
        String test = null;
        String sha = null;
        Object tt = t.get("test_tensor");
        if (tt instanceof Map<?, ?>) {
            Map<String, Object> m = Yaml.map(tt, where + ".test_tensor");
            test = Yaml.requireStr(m, "source", where + ".test_tensor");
            sha = Yaml.str(m, "sha256");
        } else if (tt != null) {
            test = String.valueOf(tt);
        }
        return new TensorDescription(id, axes, dtype,
                processing(t, input ? "preprocessing" : "postprocessing", where, true), test, sha);
    }

    private static Axis axis05(Map<String, Object> a, String where) {
        String type = Yaml.requireStr(a, "type", where);
        String id = Yaml.str(a, "id");
        if (id == null) {
            id = switch (type) {
                case "batch", "channel", "index", "time" -> type;
                case "space" -> "x";
                default -> throw Yaml.bad(where + ".type", "is '" + type
                        + "' (known: batch, channel, index, time, space)");
            };
        }
        Axis.Size size;
        Object s = a.get("size");
        List<String> channelNames = new ArrayList<>();
        if (type.equals("channel")) {
            List<?> names = Yaml.optList(a, "channel_names", where);
            names.forEach(n -> channelNames.add(String.valueOf(n)));
            size = names.isEmpty() ? size05(s, where) : new Axis.Fixed(names.size());
        } else if (type.equals("batch")) {
            size = s == null ? new Axis.Any() : new Axis.Fixed(Yaml.integer(s, where + ".size"));
        } else {
            size = size05(s, where);
        }
        long halo = a.containsKey("halo") ? Yaml.integer(a.get("halo"), where + ".halo") : 0;
        return new Axis(id, type, size, halo, Yaml.optNum(a, "scale", 1.0, where), channelNames);
    }

    private static Axis.Size size05(Object s, String where) {
        if (s == null) {
            throw Yaml.bad(where, "has no size");
        }
        if (!(s instanceof Map<?, ?>)) {
            return new Axis.Fixed(Yaml.integer(s, where + ".size"));
        }
        Map<String, Object> m = Yaml.map(s, where + ".size");
        if (m.containsKey("min")) {
            long min = Yaml.integer(m.get("min"), where + ".size.min");
            long step = Yaml.integer(m.get("step"), where + ".size.step");
            return step == 0 ? new Axis.Fixed(min) : new Axis.Parametrized(min, step);
        }
        return new Axis.Reference(Yaml.requireStr(m, "tensor_id", where + ".size"),
                Yaml.requireStr(m, "axis_id", where + ".size"), 1, Yaml.optNum(m, "offset", 0, where + ".size"));
    }

    /** Fills in the references' axis ids (0.4: by position) and factors (0.5: scale ratio); checks they exist. */
    private static List<TensorDescription> resolveReferences(List<TensorDescription> tensors,
            List<TensorDescription> all, boolean v05) {
        List<TensorDescription> out = new ArrayList<>();
        for (TensorDescription t : tensors) {
            List<Axis> axes = new ArrayList<>();
            for (int d = 0; d < t.axes().size(); d++) {
                Axis a = t.axes().get(d);
                if (a.size() instanceof Axis.Reference r) {
                    TensorDescription ref = all.stream().filter(x -> x.id().equals(r.tensorId())).findFirst()
                            .orElseThrow(() -> Yaml.bad(t.id() + " shape", "refers to the tensor '" + r.tensorId()
                                    + "', which the model does not have"));
                    Axis refAxis;
                    double factor = r.factor();
                    if (v05) {
                        int rd = ref.indexOf(r.axisId());
                        if (rd < 0) {
                            throw Yaml.bad(t.id() + " axis " + a.id(), "refers to the axis '" + r.axisId()
                                    + "' of '" + ref.id() + "', which has " + ref.axisIds());
                        }
                        refAxis = ref.axes().get(rd);
                        factor = refAxis.scale() / a.scale();
                    } else {
                        if (ref.axes().size() != t.axes().size()) {
                            throw Yaml.bad(t.id() + " shape", "refers to '" + ref.id() + "', which has another "
                                    + "number of axes");
                        }
                        refAxis = ref.axes().get(d);
                    }
                    a = new Axis(a.id(), a.type(), new Axis.Reference(ref.id(), refAxis.id(), factor, r.add()),
                            a.halo(), a.scale(), a.names());
                }
                axes.add(a);
            }
            out.add(t.withAxes(axes));
        }
        return out;
    }

    private static List<Processing> processing(Map<String, Object> t, String key, String where, boolean v05) {
        List<Processing> out = new ArrayList<>();
        int i = 0;
        for (Object o : Yaml.optList(t, key, where)) {
            String pw = where + "." + key + "[" + i++ + "]";
            Map<String, Object> p = Yaml.map(o, pw);
            String id = Yaml.str(p, "id");
            if (id == null) {
                id = Yaml.requireStr(p, "name", pw);
            }
            Object kw = p.get("kwargs");
            out.add(new Processing(id, kw == null ? Map.of() : Yaml.map(kw, pw + ".kwargs")));
        }
        return out;
    }
}
