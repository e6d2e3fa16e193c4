package sc.fiji.gradcam.benchmark;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.api.RankCorrelation;
import sc.fiji.gradcam.api.TensorName;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.graph.ServingGraph;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * {@code scripts/benchmark --precision float32,bf16}: each model loaded twice, once per precision, timed in the same
 * rounds (inference through DJL's predictor, Grad-CAM, Guided Grad-CAM through the Explainer, the two precisions
 * alternating within each round so that load from elsewhere falls on both alike), and the maps of both compared
 * (Pearson and the largest difference over the map's maximum, per method, over a few images, with the class fixed to
 * float32's top-1 so both explain the same class). Forward FLOPs are counted from the serving graph (Conv2D,
 * depthwise convolutions, MatMul: two per multiply-add), for GFLOP/s.
 */
final class PrecisionComparison {

    private PrecisionComparison() {}

    static final List<String> TASKS = List.of("inference", "gradcam", "guided_gradcam");

    /** The comparison of one model: timings per precision, ratios, map agreement, FLOPs. */
    static Map<String, Object> compare(String name, Path dir, int warmup, int runs, int images,
            Function<int[], InputImage> randomImage, List<Path> real) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        try (LoadedModel f32 = ModelLoader.load(dir, ModelOptions.defaults().withPrecision(Precision.FLOAT32));
                LoadedModel b16 = ModelLoader.load(dir, ModelOptions.defaults().withPrecision(Precision.BF16))) {
            Explainer ef = new Explainer(f32);
            Explainer eb = new Explainer(b16);
            int[] size = inputSize(f32);
            r.put("input", size[0] + "x" + size[1] + "x" + size[2]);
            double flops = forwardFlops(f32.serving());
            r.put("forward_gflop", Benchmark.round(flops / 1e9));
            // the model's own images where there are some (trained models), else random ones
            List<InputImage> inputs = new ArrayList<>();
            if (real != null && !real.isEmpty()) {
                real.forEach(f -> inputs.add(sc.fiji.gradcam.support.SharedModels.read(f)));
                r.put("images", real.size() + " real");
            } else {
                for (int i = 0; i < images; i++) {
                    inputs.add(randomImage.apply(size));
                }
                r.put("images", images + " random");
            }
            ExplainRequest base = ExplainRequest.defaults();
            Preprocessing p = base.preprocessing().resolve(f32);
            float[] nhwc = Preprocessor.prepare(inputs.get(0), p).values();
            // the class float32 predicts, for both: random-weight nets have near-ties that bf16 could flip
            int top1 = ef.explain(inputs.get(0), base.withMethods(Method.parseList("gradcam"))).get(0).predicted()
                    .index();
            ExplainRequest gradcam = base.withTargets(List.of(Integer.toString(top1)))
                    .withMethods(Method.parseList("gradcam"));
            ExplainRequest guided = base.withTargets(List.of(Integer.toString(top1)))
                    .withMethods(Method.parseList("guided-gradcam"));
            try (Predictor<NDList, NDList> pf = f32.djlModel().newPredictor();
                    Predictor<NDList, NDList> pb = b16.djlModel().newPredictor();
                    NDManager nd = TensorFlowRuntime.engine().newBaseManager()) {
                Shape shape = new Shape(1, p.height(), p.width(), p.channels());
                Map<String, Runnable> tasks = new LinkedHashMap<>();
                for (String prec : List.of("float32", "bf16")) {
                    Predictor<NDList, NDList> pr = prec.equals("float32") ? pf : pb;
                    Explainer ex = prec.equals("float32") ? ef : eb;
                    tasks.put("inference_" + prec, () -> {
                        try (NDManager sub = nd.newSubManager()) {
                            NDArray x = sub.create(nhwc, shape);
                            NDList y = pr.predict(new NDList(x));
                            y.attach(sub);
                            y.get(0).toFloatArray();
                        } catch (TranslateException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    tasks.put("gradcam_" + prec, () -> read(ex.explain(inputs.get(0), gradcam).get(0)));
                    tasks.put("guided_gradcam_" + prec, () -> read(ex.explain(inputs.get(0), guided).get(0)));
                }
                // interleave the two precisions task by task: f32 inference, bf16 inference, f32 Grad-CAM, ...
                Map<String, Runnable> ordered = new LinkedHashMap<>();
                for (String t : TASKS) {
                    ordered.put(t + "_float32", tasks.get(t + "_float32"));
                    ordered.put(t + "_bf16", tasks.get(t + "_bf16"));
                }
                Map<String, Benchmark.Stats> stats = Benchmark.measureInterleaved(warmup, runs, ordered);
                for (String t : TASKS) {
                    Benchmark.Stats a = stats.get(t + "_float32");
                    Benchmark.Stats b = stats.get(t + "_bf16");
                    r.put(t + "_float32_ms", Benchmark.round(a.median));
                    r.put(t + "_bf16_ms", Benchmark.round(b.median));
                    r.put(t + "_float32_min_ms", Benchmark.round(a.min));
                    r.put(t + "_bf16_min_ms", Benchmark.round(b.min));
                    r.put(t + "_speedup", Benchmark.round(a.median / b.median));
                    r.put(t + "_speedup_of_min", Benchmark.round(a.min / b.min));
                }
                double infF = Benchmark.round(flops / (stats.get("inference_float32").min / 1e3) / 1e9);
                double infB = Benchmark.round(flops / (stats.get("inference_bf16").min / 1e3) / 1e9);
                r.put("inference_gflops_float32_best", infF);
                r.put("inference_gflops_bf16_best", infB);
                // Guided Grad-CAM: forward, plus every convolution's input gradient (about the forward's FLOPs again)
                r.put("guided_gradcam_gflops_float32_best",
                        Benchmark.round(2 * flops / (stats.get("guided_gradcam_float32").min / 1e3) / 1e9));
                r.put("guided_gradcam_gflops_bf16_best",
                        Benchmark.round(2 * flops / (stats.get("guided_gradcam_bf16").min / 1e3) / 1e9));
            }
            // map agreement over the images, same class
            Map<String, Object> agreement = new LinkedHashMap<>();
            List<Double> dp = new ArrayList<>();
            int sameTop1 = 0;
            for (Method m : List.of(Method.GRADCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM)) {
                List<Double> pearson = new ArrayList<>();
                List<Double> maxDiff = new ArrayList<>();
                for (InputImage img : inputs) {
                    ExplainRequest q = base.withMethods(java.util.EnumSet.of(m));
                    Explanation a0 = ef.explain(img, q).get(0);
                    ExplainRequest fixed = q.withTargets(List.of(Integer.toString(a0.target().index())));
                    Explanation a = ef.explain(img, fixed).get(0);
                    Explanation b = eb.explain(img, fixed).get(0);
                    MapImage ma = a.maps().get(m);
                    MapImage mb = b.maps().get(m);
                    pearson.add(RankCorrelation.pearson(doubles(ma.data()), doubles(mb.data())));
                    maxDiff.add(maxAbsDiff(ma.data(), mb.data()) / Math.max(1e-30, absMax(ma.data())));
                    if (m == Method.GRADCAM) {
                        dp.add(Math.abs(a.target().probability() - b.target().probability()));
                        Explanation bAuto = eb.explain(img, q).get(0);
                        sameTop1 += bAuto.predicted().index() == a0.predicted().index() ? 1 : 0;
                    }
                }
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("pearson_min", pearson.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
                one.put("pearson_mean", pearson.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
                one.put("max_abs_diff_over_max", maxDiff.stream().mapToDouble(Double::doubleValue).max()
                        .orElse(Double.NaN));
                agreement.put(m.id(), one);
            }
            agreement.put("target_probability_max_abs_diff", dp.stream().mapToDouble(Double::doubleValue).max()
                    .orElse(Double.NaN));
            agreement.put("same_top1", sameTop1 + "/" + inputs.size());
            r.put("agreement", agreement);
        }
        return r;
    }

    private static void read(Explanation x) {
        x.maps().values().forEach(m -> m.max());
    }

    private static int[] inputSize(LoadedModel model) {
        long[] s = model.input().shape();
        return new int[] {s[2] > 0 ? (int) s[2] : 224, s[1] > 0 ? (int) s[1] : 224, s[3] > 0 ? (int) s[3] : 3};
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double absMax(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * Multiply-adds ×2 of one image's forward pass, from the static shapes of the serving path's Conv2D,
     * DepthwiseConv2dNative and MatMul ops (a batch dimension counts 1); ops with unknown shapes count 0.
     */
    static double forwardFlops(ServingGraph serving) {
        double total = 0;
        for (String name : serving.path()) {
            org.tensorflow.proto.NodeDef node = serving.view().node(name);
            if (node != null) {
                total += flops(serving, node);
            }
        }
        return total;
    }

    private static double flops(ServingGraph serving, org.tensorflow.proto.NodeDef node) {
        try {
            switch (node.getOp()) {
                case "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative" -> {
                    // Conv2D filter [kh, kw, cin, cout]; depthwise [kh, kw, cin, multiplier]: both count h·w·∏filter
                    long[] out = shape(serving, TensorName.of(node.getName(), 0));
                    long[] f = shape(serving, serving.view().dataInputs(node.getName()).get(1));
                    if (out == null || f == null || f.length != 4 || f[0] <= 0 || f[3] <= 0) {
                        return 0;
                    }
                    return 2.0 * spatial(out) * f[0] * f[1] * f[2] * f[3];
                }
                case "MatMul" -> {
                    long[] b = shape(serving, serving.view().dataInputs(node.getName()).get(1));
                    if (b == null || b.length != 2 || b[0] <= 0 || b[1] <= 0) {
                        return 0;
                    }
                    return 2.0 * b[0] * b[1];
                }
                default -> {
                    return 0;
                }
            }
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long[] shape(ServingGraph serving, TensorName t) {
        org.tensorflow.ndarray.Shape s = serving.tensor(t).shape();
        return s.isUnknown() ? null : s.asArray();
    }

    /** Output positions of an NHWC (or NCHW) convolution output, batch 1. */
    private static double spatial(long[] out) {
        if (out.length != 4 || out[1] <= 0 || out[2] <= 0) {
            return 0;
        }
        // NHWC: [n, h, w, c] -> h*w; the channels are in the filter's count
        return (double) out[1] * out[2];
    }

    @SuppressWarnings("unchecked")
    static String markdown(List<Map<String, Object>> results) {
        StringBuilder b = new StringBuilder();
        b.append("float32 vs bf16, median ms per image (speed-up = float32 ÷ bf16; in brackets: of the minima):\n\n");
        b.append("| model | input | inference f32 | inference bf16 | speed-up | Grad-CAM f32 | Grad-CAM bf16 | speed-up "
                + "| Guided Grad-CAM f32 | Guided Grad-CAM bf16 | speed-up |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %s", r.get("name"), r.get("input")));
            for (String t : TASKS) {
                b.append(String.format(Locale.ROOT, " | %.1f | %.1f | %.2f× (%.2f×)", r.get(t + "_float32_ms"),
                        r.get(t + "_bf16_ms"), r.get(t + "_speedup"), r.get(t + "_speedup_of_min")));
            }
            b.append(" |\n");
        }
        b.append("\nMaps, bf16 against float32 (same class; Pearson min / mean over the images; max |difference| ÷ the "
                + "float32 map's max):\n\n| model | images | Grad-CAM | Guided Backprop | Guided Grad-CAM | max |Δp| of the "
                + "target | same top-1 |\n|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            Map<String, Object> a = (Map<String, Object>) r.get("agreement");
            b.append("| ").append(r.get("name")).append(" | ").append(r.get("images"));
            for (String m : List.of("gradcam", "guided-backprop", "guided-gradcam")) {
                Map<String, Object> one = (Map<String, Object>) a.get(m);
                b.append(String.format(Locale.ROOT, " | %.4f / %.4f, %.3f", one.get("pearson_min"),
                        one.get("pearson_mean"), one.get("max_abs_diff_over_max")));
            }
            b.append(String.format(Locale.ROOT, " | %.2g | %s |%n", a.get("target_probability_max_abs_diff"),
                    a.get("same_top1")));
        }
        b.append("\nForward GFLOP per image (Conv2D, depthwise, MatMul; 2 per multiply-add) and achieved GFLOP/s at the "
                + "best run (Guided Grad-CAM counted as 2× the forward):\n\n| model | GFLOP | inference f32 | inference bf16 "
                + "| Guided Grad-CAM f32 | Guided Grad-CAM bf16 |\n|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f | %.0f | %.0f | %.0f |%n", r.get("name"),
                    r.get("forward_gflop"), r.get("inference_gflops_float32_best"), r.get("inference_gflops_bf16_best"),
                    r.get("guided_gradcam_gflops_float32_best"), r.get("guided_gradcam_gflops_bf16_best")));
        }
        return b.toString();
    }
}
