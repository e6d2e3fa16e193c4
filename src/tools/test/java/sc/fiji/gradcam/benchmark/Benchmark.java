package sc.fiji.gradcam.benchmark;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import com.google.gson.GsonBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.cli.Main;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.testmodels.BenchmarkModels;
import sc.fiji.gradcam.testmodels.SaveStyle;

/**
 * The performance benchmark (issue E.1), run by {@code scripts/benchmark}; not part of the test run.
 *
 * <p>Per model, after warm-up (which also builds the gradient graphs), it times plain DJL inference through
 * the signature, Grad-CAM, Guided Backprop, Guided Grad-CAM and all methods through {@link Explainer}, the whole
 * CLI path for one PNG ({@link Main#run}), and Grad-CAM throughput for batches of 1, 8 and 32 images. Then
 * resident memory after 100 and 2,000 consecutive explanations on the fastest model, and the peak. Writes
 * {@code target/benchmark.json} and prints a markdown table on stdout (progress goes to stderr).
 *
 * <pre>
 * Options: --runs N (20)  --warmup N (3)  --cli-runs N (20)  --loop N (2000)
 *          --models vgg16,resnet50,mobilenetv2  --width KIND=W,... (channel multipliers)
 *          --real (also the real models in ../shared/models)  --out FILE (target/benchmark.json)
 *          --precision float32|bf16 (every model in that precision)  --precision float32,bf16 (the A/B
 *          comparison alone, with the bundled default model: {@link PrecisionComparison})  --default-model
 * </pre>
 */
public final class Benchmark {

    /** Default channel multipliers, so that a 2-core machine runs all three in about ten minutes. */
    static final Map<BenchmarkModels.Kind, Double> DEFAULT_WIDTH = Map.of(BenchmarkModels.Kind.VGG16, 0.5,
            BenchmarkModels.Kind.RESNET50, 0.5, BenchmarkModels.Kind.MOBILENETV2, 1.0);

    private int runs = 20;
    private int warmup = 3;
    private int cliRuns = 20;
    private int loop = 2000;
    private boolean real;
    private Path out = Paths.get("target", "benchmark.json");
    private Path shared = Paths.get(System.getProperty("gradcam.shared", "../shared"));
    private final List<BenchmarkModels.Kind> kinds = new ArrayList<>(List.of(BenchmarkModels.Kind.values()));
    private final Map<BenchmarkModels.Kind, Double> widths = new LinkedHashMap<>(DEFAULT_WIDTH);
    /** One precision for the whole benchmark, or two (float32,bf16): the A/B comparison alone. */
    private final List<Precision> precisions = new ArrayList<>(List.of(Precision.FLOAT32));
    private boolean defaultModel;

    private final Random random = new Random(42);

    public static void main(String[] args) throws Exception {
        System.exit(new Benchmark().parse(args).run());
    }

    private Benchmark parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--runs" -> { runs = Integer.parseInt(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--cli-runs" -> { cliRuns = Integer.parseInt(v); i++; }
                case "--loop" -> { loop = Integer.parseInt(v); i++; }
                case "--out" -> { out = Paths.get(v); i++; }
                case "--shared" -> { shared = Paths.get(v); i++; }
                case "--real" -> real = true;
                case "--default-model" -> defaultModel = true;
                case "--precision" -> {
                    precisions.clear();
                    for (String k : v.split(",")) {
                        if (!k.isBlank() && !precisions.contains(Precision.parse(k))) {
                            precisions.add(Precision.parse(k));
                        }
                    }
                    i++;
                }
                case "--models" -> {
                    kinds.clear();
                    for (String k : v.split(",")) {
                        if (k.isBlank()) {
                            continue;
                        }
                        kinds.add(BenchmarkModels.Kind.valueOf(k.trim().toUpperCase(Locale.ROOT)));
                    }
                    i++;
                }
                case "--width" -> {
                    for (String kv : v.split(",")) {
                        String[] p = kv.split("=");
                        widths.put(BenchmarkModels.Kind.valueOf(p[0].trim().toUpperCase(Locale.ROOT)),
                                Double.parseDouble(p[1]));
                    }
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return this;
    }

    // ---- the run ----------------------------------------------------------------------------------------

    private int run() throws Exception {
        long start = System.nanoTime();
        TensorFlowRuntime.engine();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine());
        json.put("load_average_at_start", loadAverage());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("runs", runs);
        settings.put("warmup", warmup);
        settings.put("cli_runs", cliRuns);
        settings.put("loop", loop);
        settings.put("image", "random RGB image at the model's input size (224x224 for the built models)");
        settings.put("precision", precisions.stream().map(Precision::id).toList());
        json.put("settings", settings);
        List<Map<String, Object>> results = new ArrayList<>();
        json.put("models", results);

        Path tmp = Files.createTempDirectory("gradcam-bench");
        try {
            List<Subject> subjects = new ArrayList<>();
            for (BenchmarkModels.Kind k : kinds) {
                double w = widths.get(k);
                long t0 = System.nanoTime();
                BenchmarkModels.build(k, w, 1000, SaveStyle.FUNCTION_CALL, tmp.resolve(k.id()));
                log("built %s (width %.2f) in %.1f s", k.id(), w, secs(t0));
                subjects.add(new Subject(k.id(), tmp.resolve(k.id()),
                        k.id() + "-like, channel width ×" + w + ", 1000 classes, random weights, TF2 function-call layout",
                        true));
            }
            if (real) {
                for (String name : List.of("tm_eyes_tf1", "potato_leaf")) {
                    Path dir = shared.resolve("models").resolve(name).resolve("model");
                    if (Files.isDirectory(dir)) {
                        Subject rs = new Subject(name, dir, "real model from shared/models", false);
                        rs.images = images(dir.getParent().resolve("images"));
                        subjects.add(rs);
                    } else {
                        log("skipping %s: %s not found", name, dir);
                    }
                }
            }
            if (defaultModel || precisions.size() > 1) {
                Subject d = new Subject("malaria-cells", sc.fiji.gradcam.api.DefaultModel.path(),
                        "the bundled default model (96x96x3, 2 classes)", false);
                d.images = images(Paths.get(System.getProperty("gradcam.home", ".")).resolve("test-images"));
                subjects.add(d);
            }
            if (precisions.size() > 1) {
                // the A/B comparison of float32 and bf16 alone (no CLI, throughput or memory loop)
                List<Map<String, Object>> compared = new ArrayList<>();
                for (Subject s : subjects) {
                    log("%s: float32 vs bf16, %d runs", s.name, runs);
                    Map<String, Object> c = PrecisionComparison.compare(s.name, s.path, warmup, runs, 3,
                            size -> randomImage(size[0], size[1]), s.images);
                    log("%s: %s", s.name, c);
                    compared.add(c);
                }
                json.put("precision_comparison", compared);
                json.put("load_average_at_end", loadAverage());
                json.put("total_s", round(secs(start)));
                Path file = out.toAbsolutePath();
                Files.createDirectories(file.getParent());
                Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls()
                        .serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(json) + "\n");
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) json.get("machine");
                System.out.printf(Locale.ROOT, "Machine: %s cores (%s), TensorFlow %s; load average (1/5/15 min) %s at "
                        + "the start, %s at the end%n%n", m.get("cores"), m.get("cpu"), m.get("tf_version"),
                        json.get("load_average_at_start"), json.get("load_average_at_end"));
                System.out.println(PrecisionComparison.markdown(compared));
                log("wrote %s; whole run %.0f s", out, secs(start));
                return 0;
            }
            Subject fastest = null;
            for (Subject s : subjects) {
                Map<String, Object> r = benchmark(s, tmp);
                results.add(r);
                s.inferenceMs = (double) r.get("inference_ms");
                if (s.built && (fastest == null || s.inferenceMs < fastest.inferenceMs)) {
                    fastest = s;
                }
            }
            if (fastest != null && loop > 0) {
                json.putAll(memoryLoop(fastest));
            }
        } finally {
            deleteTree(tmp);
        }
        json.put("load_average_at_end", loadAverage());
        json.put("peak_rss_mb", procStatusMb("VmHWM"));
        json.put("total_s", round(secs(start)));
        Path file = out.toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls()
                .serializeSpecialFloatingPointValues().disableHtmlEscaping().create().toJson(json) + "\n");
        System.out.println(markdown(json));
        log("wrote %s; whole run %.0f s", out, secs(start));
        return 0;
    }

    private static final class Subject {
        final String name;
        final Path path;
        final String description;
        final boolean built;
        double inferenceMs;
        /** The model's own images (for the precision comparison's map agreement), or null. */
        List<Path> images;

        Subject(String name, Path path, String description, boolean built) {
            this.name = name;
            this.path = path;
            this.description = description;
            this.built = built;
        }
    }

    private Map<String, Object> benchmark(Subject s, Path tmp) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", s.name);
        r.put("description", s.description);
        long t0 = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(s.path, options())) {
            r.put("load_ms", ms(t0));
            // the Explainer's close() closes the model: the try above closes both
            Explainer explainer = new Explainer(model);
            int[] size = inputSize(model);
            r.put("input", size[0] + "x" + size[1] + "x" + size[2]);
            r.put("classes", model.classes());
            r.put("graph_ops", model.opCount());
            InputImage image = randomImage(size[0], size[1]);
            ExplainRequest base = ExplainRequest.defaults();
            r.put("layer", model.catalog().find(base.layer()).name());
            Preprocessing p = base.preprocessing().resolve(model);
            float[] nhwc = Preprocessor.prepare(image, p).values();
            log("%s: loaded in %.0f ms, input %s, layer %s", s.name, r.get("load_ms"), r.get("input"), r.get("layer"));

            // plain inference (the signature through DJL's predictor, float[] in, float[] out) and the Explainer
            // on one image, interleaved run by run so that load from elsewhere on the machine hits all alike
            Map<String, ExplainRequest> requests = new LinkedHashMap<>();
            requests.put("gradcam", base.withMethods(Method.parseList("gradcam")));
            requests.put("guided_backprop", base.withMethods(Method.parseList("guided-backprop")));
            requests.put("guided_gradcam", base.withMethods(Method.parseList("guided-gradcam")));
            // "all" without the methods that run the model again many times (Score-CAM and Ablation-CAM: one pass per
            // channel of the layer, 1,024-2,048 here; Integrated Gradients 50, the SmoothGrad family 25 each,
            // Occlusion 64, RISE 1,000): the single-pass methods, what one session run gives
            Set<Method> gradientMethods = Method.parseList("all");
            gradientMethods.removeIf(m -> !m.singlePass());
            requests.put("all_methods", base.withMethods(gradientMethods));
            // pytorch-grad-cam's smoothing options on Grad-CAM alone
            requests.put("gradcam_eigen_smooth", requests.get("gradcam").withEigenSmooth(true));
            requests.put("gradcam_aug_smooth", requests.get("gradcam").withAugSmooth(true));
            Map<String, Map<String, List<Double>>> timings = new LinkedHashMap<>();
            Map<String, Stats> stats;
            try (Predictor<NDList, NDList> predictor = model.djlModel().newPredictor();
                    NDManager nd = TensorFlowRuntime.engine().newBaseManager()) {
                Shape shape = new Shape(1, p.height(), p.width(), p.channels());
                Map<String, Runnable> tasks = new LinkedHashMap<>();
                tasks.put("inference", () -> {
                    try (NDManager sub = nd.newSubManager()) {
                        NDArray x = sub.create(nhwc, shape);
                        NDList y = predictor.predict(new NDList(x));
                        y.attach(sub);
                        float[] scores = y.get(0).toFloatArray();
                        if (scores.length != model.outputUnits()) {
                            throw new IllegalStateException("unexpected output size " + scores.length);
                        }
                    } catch (TranslateException e) {
                        throw new IllegalStateException(e);
                    }
                });
                for (Map.Entry<String, ExplainRequest> e : requests.entrySet()) {
                    ExplainRequest req = e.getValue();
                    Map<String, List<Double>> t = new TreeMap<>();
                    timings.put(e.getKey(), t);
                    tasks.put(e.getKey(), () -> {
                        Explanation x = explainer.explain(image, req).get(0);
                        // the image-size maps are computed when read: read them, as a front end does
                        if (x.maps().values().stream().filter(m -> m != null).count() != req.methods().size()) {
                            throw new IllegalStateException("missing maps: " + x.maps().keySet());
                        }
                        x.timingsMs().forEach((k, v) -> t.computeIfAbsent(k, q -> new ArrayList<>()).add(v));
                    });
                }
                stats = measureInterleaved(warmup, runs, tasks);
            }
            Stats inference = stats.get("inference");
            put(r, "inference", inference);
            log("%s: inference %s", s.name, inference);
            Map<String, Object> splits = new LinkedHashMap<>();
            for (String k : requests.keySet()) {
                Stats st = stats.get(k);
                put(r, k, st);
                Map<String, Double> split = new LinkedHashMap<>();
                double post = 0;
                for (Map.Entry<String, List<Double>> t : timings.get(k).entrySet()) {
                    // the last `runs` values are those of the timed runs
                    List<Double> v = t.getValue().subList(Math.max(0, t.getValue().size() - runs), t.getValue().size());
                    double med = median(v);
                    split.put(t.getKey(), round(med));
                    if (!t.getKey().equals("forward") && !t.getKey().equals("preprocess")) {
                        post += med;
                    }
                }
                split.put("postprocess_total", round(post));
                splits.put(k, split);
                log("%s: %s %s; split %s", s.name, k, st, split);
            }
            r.put("timings_ms", splits);
            double inf = inference.median;
            for (String k : requests.keySet()) {
                r.put(k + "_ratio", round(((Stats) r.get("_" + k)).median / inf));
                r.put(k + "_ratio_of_min", round(((Stats) r.get("_" + k)).min / inference.min));
            }
            for (String k : List.of("gradcam", "guided_gradcam", "all_methods")) {
                @SuppressWarnings("unchecked")
                Map<String, Double> sp = (Map<String, Double>) splits.get(k);
                r.put(k + "_pre_post_pct", round(100 * (sp.get("preprocess") + sp.get("postprocess_total"))
                        / sp.get("forward")));
            }

            // the whole CLI path for one PNG: load, decode, preprocess, model, maps, resize, write
            if (cliRuns > 0) {
                Path png = tmp.resolve(s.name + "-input.png");
                writePng(image, png);
                Path cliOut = tmp.resolve(s.name + "-cli");
                String[] args = {"explain", "--model", s.path.toString(), "--image", png.toString(), "--out",
                    cliOut.toString(), "--overwrite", "--quiet", "--json", "--methods", "gradcam", "--precision",
                    precisions.get(0).id()};
                PrintStream stdout = System.out;
                Stats cli;
                try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream())) {
                    System.setOut(sink);
                    cli = measure(Math.min(1, warmup), cliRuns, () -> {
                        int code = Main.run(args);
                        if (code != 0) {
                            throw new IllegalStateException("gradcam explain exited with " + code);
                        }
                    });
                } finally {
                    System.setOut(stdout);
                }
                put(r, "cli_image", cli);
                r.put("cli_image_ratio", round(cli.median / inf));
                r.put("cli_last_summary_timings_ms", cliTimings(cliOut.resolve("summary.json")));
                log("%s: CLI %s; last run %s", s.name, cli, r.get("cli_last_summary_timings_ms"));
            }

            // batch throughput, Grad-CAM
            Map<String, Object> throughput = new LinkedHashMap<>();
            Map<String, Object> batchMs = new LinkedHashMap<>();
            ExplainRequest gradcam = base.withMethods(Method.parseList("gradcam"));
            for (int b : new int[] {1, 8, 32}) {
                List<InputImage> batch = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    batch.add(i == 0 ? image : randomImage(size[0], size[1]));
                }
                int n = Math.max(3, b == 1 ? runs : b == 8 ? runs / 2 : runs / 4);
                Stats st = measure(1, n, () -> {
                    List<List<Explanation>> xs = explainer.explain(batch, gradcam);
                    xs.forEach(perTarget -> perTarget.forEach(x -> x.maps().values().forEach(m -> m.max())));
                    if (xs.size() != b) {
                        throw new IllegalStateException("wrong result count");
                    }
                });
                throughput.put(Integer.toString(b), round(b * 1000.0 / st.median));
                batchMs.put(Integer.toString(b), st.toMap());
                log("%s: batch %d %s -> %.1f images/s", s.name, b, st, b * 1000.0 / st.median);
            }
            r.put("throughput", throughput);
            r.put("throughput_batch_ms", batchMs);
            r.put("rss_mb_after_model", procStatusMb("VmRSS"));
        }
        r.keySet().removeIf(k -> k.startsWith("_"));
        return r;
    }

    /** The per-step timings (load, preprocess, forward, gradcam, write) the CLI wrote for its last run. */
    private static Object cliTimings(Path summary) {
        try {
            Map<?, ?> m = new com.google.gson.Gson().fromJson(Files.readString(summary), Map.class);
            Object images = m.get("images");
            if (images instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> first) {
                return first.get("timings_ms");
            }
            return m.get("timings_ms");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** RSS after 100 and after {@code loop} consecutive explanations (Grad-CAM + Guided Grad-CAM, one image). */
    private Map<String, Object> memoryLoop(Subject s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("memory_model", s.name);
        ExplainRequest req = ExplainRequest.defaults();
        r.put("memory_methods", req.methods().stream().map(Method::id).toList());
        long t0 = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(s.path, options())) {
            Explainer explainer = new Explainer(model);
            int[] size = inputSize(model);
            InputImage image = randomImage(size[0], size[1]);
            gc();
            r.put("rss_mb_before_loop", procStatusMb("VmRSS"));
            for (int i = 1; i <= loop; i++) {
                explainer.explain(image, req).get(0).maps().values().forEach(m -> m.max());
                if (i == 100) {
                    gc();
                    r.put("rss_mb_after_100", procStatusMb("VmRSS"));
                    log("memory: RSS %.0f MB after 100 explanations", r.get("rss_mb_after_100"));
                } else if (i % 500 == 0) {
                    log("memory: %d explanations, RSS %.0f MB", i, procStatusMb("VmRSS"));
                }
            }
            gc();
            r.put("rss_mb_after_" + loop, procStatusMb("VmRSS"));
        }
        if (!r.containsKey("rss_mb_after_2000")) {
            r.put("rss_mb_after_2000", null);
        }
        if (r.containsKey("rss_mb_after_100")) {
            double a = (double) r.get("rss_mb_after_100");
            double b = (double) r.get("rss_mb_after_" + loop);
            r.put("rss_growth_pct", round(100 * (b - a) / a));
            log("memory: RSS %.0f MB after 100, %.0f MB after %d (%+.1f %%)", a, b, loop, 100 * (b - a) / a);
        }
        r.put("memory_loop_s", round(secs(t0)));
        return r;
    }

    /** The PNG / JPEG files of a folder, sorted; empty when there is none. */
    private static List<Path> images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted().toList();
        }
    }

    /** How the models are loaded: in the (one) precision asked for. */
    private ModelOptions options() {
        return ModelOptions.defaults().withPrecision(precisions.get(0));
    }

    // ---- measuring --------------------------------------------------------------------------------------

    /** Median, min and mean of timed runs, in ms. */
    static final class Stats {
        final double median;
        final double min;
        final double mean;
        final int n;

        Stats(double[] ms) {
            double[] s = ms.clone();
            Arrays.sort(s);
            n = s.length;
            median = n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            min = n == 0 ? Double.NaN : s[0];
            mean = Arrays.stream(s).average().orElse(Double.NaN);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", round(median));
            m.put("min", round(min));
            m.put("mean", round(mean));
            m.put("runs", n);
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "median %.1f ms, min %.1f ms (%d runs)", median, min, n);
        }
    }

    /** {@code warmup} untimed calls, then {@code runs} timed ones. */
    static Stats measure(int warmup, int runs, Runnable r) {
        for (int i = 0; i < warmup; i++) {
            r.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return new Stats(t);
    }

    /** Round-robin: each round runs every task once, {@code warmup} rounds untimed, then {@code runs} timed. */
    static Map<String, Stats> measureInterleaved(int warmup, int runs, Map<String, Runnable> tasks) {
        for (int i = 0; i < warmup; i++) {
            tasks.values().forEach(Runnable::run);
        }
        Map<String, double[]> t = new LinkedHashMap<>();
        tasks.keySet().forEach(k -> t.put(k, new double[runs]));
        for (int i = 0; i < runs; i++) {
            for (Map.Entry<String, Runnable> e : tasks.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().run();
                t.get(e.getKey())[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        t.forEach((k, v) -> out.put(k, new Stats(v)));
        return out;
    }

    private static void put(Map<String, Object> r, String key, Stats s) {
        r.put("_" + key, s);
        r.put(key + "_ms", round(s.median));
        r.put(key + "_min_ms", round(s.min));
    }

    private static double median(List<Double> v) {
        return new Stats(v.stream().mapToDouble(Double::doubleValue).toArray()).median;
    }

    // ---- inputs -----------------------------------------------------------------------------------------

    /** Width, height, channels of the model input (224×224×3 where the model leaves them open). */
    private static int[] inputSize(LoadedModel model) {
        long[] s = model.input().shape();
        return new int[] {s[2] > 0 ? (int) s[2] : 224, s[1] > 0 ? (int) s[1] : 224, s[3] > 0 ? (int) s[3] : 3};
    }

    /** A random RGB image (channels 1 or 3 as the model wants) with a few smooth blobs and noise, 0..255. */
    private InputImage randomImage(int w, int h) {
        float[] d = new float[w * h * 3];
        double[][] blobs = new double[4][];
        for (int b = 0; b < blobs.length; b++) {
            blobs[b] = new double[] {random.nextDouble() * w, random.nextDouble() * h, 10 + random.nextDouble() * 40,
                random.nextDouble(), random.nextDouble(), random.nextDouble()};
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] rgb = new double[3];
                for (double[] b : blobs) {
                    double g = Math.exp(-((x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1])) / (2 * b[2] * b[2]));
                    for (int c = 0; c < 3; c++) {
                        rgb[c] += 200 * g * b[3 + c];
                    }
                }
                for (int c = 0; c < 3; c++) {
                    double v = rgb[c] + 30 + random.nextGaussian() * 10;
                    d[c * w * h + y * w + x] = (float) Math.rint(Math.max(0, Math.min(255, v)));
                }
            }
        }
        return new InputImage(w, h, 3, d, PixelKind.UINT8);
    }

    private static void writePng(InputImage image, Path file) throws IOException {
        int w = image.width();
        int h = image.height();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) image.get(x, y, 0);
                int g = (int) image.get(x, y, 1);
                int b = (int) image.get(x, y, 2);
                bi.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageIO.write(bi, "png", file.toFile());
    }

    // ---- machine and memory -----------------------------------------------------------------------------

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("memory_gb", round(procMb("/proc/meminfo", "MemTotal") / 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("tf_version", org.tensorflow.TensorFlow.version());
        m.put("djl_version", ai.djl.engine.Engine.getDjlVersion());
        m.put("tf_natives", TensorFlowRuntime.nativeSource());
        return m;
    }

    /** /proc/loadavg's 1, 5 and 15 minute averages: above the core count, other processes shared the CPU. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /** A {@code kB} field of /proc/self/status (VmRSS, VmHWM) in MB. */
    static double procStatusMb(String field) {
        return round(procMb("/proc/self/status", field));
    }

    private static double procMb(String file, String field) {
        try (Stream<String> lines = Files.lines(Paths.get(file))) {
            return lines.filter(l -> l.startsWith(field + ":"))
                    .mapToDouble(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / 1024.0).findFirst()
                    .orElse(Double.NaN);
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- output -----------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> json) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> m = (Map<String, Object>) json.get("machine");
        b.append(String.format(Locale.ROOT, "Machine: %s cores (%s), %s GB, %s, TensorFlow %s, DJL %s; "
                + "load average (1/5/15 min) %s at the start, %s at the end%n%n",
                m.get("cores"), m.get("cpu"), m.get("memory_gb"), m.get("java"), m.get("tf_version"),
                m.get("djl_version"), json.get("load_average_at_start"), json.get("load_average_at_end")));
        b.append("Median ms of one 224×224 image (× = ratio to plain inference); throughput in images/s (Grad-CAM).\n\n");
        b.append("| model | inference | Grad-CAM | Guided Backprop | Guided Grad-CAM | all methods | CLI, 1 image "
                + "| pre+post (Grad-CAM) | b=1 | b=8 | b=32 |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("models")) {
            Map<String, Object> t = (Map<String, Object>) r.get("throughput");
            b.append(String.format(Locale.ROOT,
                    "| %s | %.1f | %.1f (%.2f×) | %.1f (%.2f×) | %.1f (%.2f×) | %.1f (%.2f×) | %s | %.1f %% "
                            + "| %.1f | %.1f | %.1f |%n",
                    r.get("name"), r.get("inference_ms"), r.get("gradcam_ms"), r.get("gradcam_ratio"),
                    r.get("guided_backprop_ms"), r.get("guided_backprop_ratio"), r.get("guided_gradcam_ms"),
                    r.get("guided_gradcam_ratio"), r.get("all_methods_ms"), r.get("all_methods_ratio"),
                    r.containsKey("cli_image_ms") ? String.format(Locale.ROOT, "%.0f", r.get("cli_image_ms")) : "–",
                    r.get("gradcam_pre_post_pct"), t.get("1"), t.get("8"), t.get("32")));
        }
        b.append("\nMinimum ms of the same runs (× = ratio of minima):\n\n| model | inference | Grad-CAM "
                + "| Guided Backprop | Guided Grad-CAM | all methods | CLI, 1 image |\n|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("models")) {
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f (%.2f×) | %.1f (%.2f×) | %.1f (%.2f×) "
                    + "| %.1f (%.2f×) | %s |%n", r.get("name"),
                    r.get("inference_min_ms"), r.get("gradcam_min_ms"), r.get("gradcam_ratio_of_min"),
                    r.get("guided_backprop_min_ms"), r.get("guided_backprop_ratio_of_min"),
                    r.get("guided_gradcam_min_ms"), r.get("guided_gradcam_ratio_of_min"), r.get("all_methods_min_ms"),
                    r.get("all_methods_ratio_of_min"),
                    r.containsKey("cli_image_min_ms") ? String.format(Locale.ROOT, "%.0f", r.get("cli_image_min_ms"))
                            : "–"));
        }
        b.append("\nSmoothing options (pytorch-grad-cam's `eigen_smooth` and `aug_smooth`) on Grad-CAM alone, median ms"
                + " (× = ratio to plain inference):\n\n| model | Grad-CAM | + eigen_smooth | + aug_smooth |\n|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("models")) {
            b.append(String.format(Locale.ROOT, "| %s | %.1f (%.2f×) | %.1f (%.2f×) | %.1f (%.2f×) |%n", r.get("name"),
                    r.get("gradcam_ms"), r.get("gradcam_ratio"), r.get("gradcam_eigen_smooth_ms"),
                    r.get("gradcam_eigen_smooth_ratio"), r.get("gradcam_aug_smooth_ms"),
                    r.get("gradcam_aug_smooth_ratio")));
        }
        b.append("\nWhere the Explainer's time goes (median ms per image, from Explanation.timingsMs(); "
                + "forward = the one session run):\n\n");
        b.append("| model | request | preprocess | forward | Grad-CAM | Guided BP | Guided Grad-CAM | gradient "
                + "| counterfactual | post-processing total |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) json.get("models")) {
            Map<String, Object> splits = (Map<String, Object>) r.get("timings_ms");
            for (Map.Entry<String, Object> e : splits.entrySet()) {
                Map<String, Double> s = (Map<String, Double>) e.getValue();
                b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        r.get("name"), e.getKey(), cell(s, "preprocess"), cell(s, "forward"), cell(s, "gradcam"),
                        cell(s, "guided-backprop"), cell(s, "guided-gradcam"), cell(s, "gradient"),
                        cell(s, "counterfactual"), cell(s, "postprocess_total")));
            }
        }
        b.append('\n');
        if (json.get("rss_mb_after_100") != null) {
            Object last = json.get("rss_mb_after_2000");
            b.append(String.format(Locale.ROOT,
                    "Memory (%s, %s, one image at a time): RSS %.0f MB after 100 explanations, %s after %s "
                            + "(growth %+.1f %%); peak RSS (VmHWM) %.0f MB.%n",
                    json.get("memory_model"), json.get("memory_methods"), json.get("rss_mb_after_100"),
                    last == null ? "–" : String.format(Locale.ROOT, "%.0f MB", last),
                    last == null ? "the loop" : "2,000", json.get("rss_growth_pct"), json.get("peak_rss_mb")));
        } else {
            b.append(String.format(Locale.ROOT, "Peak RSS (VmHWM) %.0f MB.%n", json.get("peak_rss_mb")));
        }
        return b.toString();
    }

    private static String cell(Map<String, Double> s, String k) {
        Double v = s.get(k);
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    // ---- small helpers ----------------------------------------------------------------------------------

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double ms(long t0) {
        return round((System.nanoTime() - t0) / 1e6);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[benchmark] " + format + "%n", args);
        System.err.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
