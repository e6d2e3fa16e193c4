package sc.fiji.gradcam.explain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.testmodels.BenchmarkModels;
import sc.fiji.gradcam.testmodels.SaveStyle;

/**
 * Where a session run's time goes, per op type, from TensorFlow's own step statistics (FULL_TRACE):
 * the plain forward (output only), Grad-CAM (output + layer + its gradient) and the guided reverse pass.
 * Run by {@code scripts/benchmark --profile [KIND[=WIDTH]] [float32|bf16]}; a diagnostic, not part of the test run.
 */
public final class OpProfile {

    public static void main(String[] args) throws Exception {
        String spec = args.length > 0 ? args[0] : "mobilenetv2";
        BenchmarkModels.Kind kind = BenchmarkModels.Kind.valueOf(spec.split("=")[0].toUpperCase(Locale.ROOT));
        double width = spec.contains("=") ? Double.parseDouble(spec.split("=")[1]) : 1.0;
        Path dir = Files.createTempDirectory("gradcam-profile").resolve(kind.id());
        BenchmarkModels.build(kind, width, 1000, SaveStyle.FUNCTION_CALL, dir);
        sc.fiji.gradcam.api.Precision precision = sc.fiji.gradcam.api.Precision.parse(args.length > 1 ? args[1] : null);
        try (LoadedModel model = ModelLoader.load(dir,
                sc.fiji.gradcam.model.ModelOptions.defaults().withPrecision(precision))) {
            ExplanationGraphs graphs = new ExplanationGraphs(model.serving(), model.outputUnits());
            Layer layer = model.catalog().find("auto");
            ClassScore score = graphs.score(ScoreKind.LOGIT);
            Output<?> dA = graphs.layerGradient(ScoreKind.LOGIT, layer);
            Output<?> guided = graphs.guidedGradient(ScoreKind.LOGIT, true);
            float[] x = new float[224 * 224 * 3];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat();
            }
            String in = model.serving().input().toString();
            String out = model.serving().output().toString();
            try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 224, 224, 3), DataBuffers.of(x, true, false))) {
                Map<String, List<Object>> runs = new java.util.LinkedHashMap<>();
                runs.put("forward", List.of(out));
                runs.put("gradcam", List.of(out, layer.tensor(), dA));
                runs.put("guided", List.of(out, guided));
                for (Map.Entry<String, List<Object>> e : runs.entrySet()) {
                    Map<String, double[]> byType = new HashMap<>();
                    double total = 0;
                    int reps = 10;
                    for (int rep = 0; rep < reps + 3; rep++) {
                        Session.Runner runner = model.serving().session().runner().feed(in, t);
                        for (Object f : e.getValue()) {
                            if (f instanceof String s) {
                                runner.fetch(s);
                            } else {
                                runner.fetch((Output<?>) f);
                            }
                        }
                        runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
                        long t0 = System.nanoTime();
                        try (Result res = runner.runAndFetchMetadata()) {
                            double ms = (System.nanoTime() - t0) / 1e6;
                            if (rep < 3) {
                                continue;
                            }
                            total += ms;
                            RunMetadata md = res.getMetadata().orElseThrow();
                            for (var dev : md.getStepStats().getDevStatsList()) {
                                for (NodeExecStats n : dev.getNodeStatsList()) {
                                    String type = opType(model, n);
                                    byType.computeIfAbsent(type, k -> new double[2])[0] += n.getOpEndRelMicros() / 1000.0;
                                    byType.get(type)[1]++;
                                }
                            }
                        }
                    }
                    double sum = byType.values().stream().mapToDouble(v -> v[0]).sum() / reps;
                    System.out.printf(Locale.ROOT, "%n%s %s (%s): %.1f ms per traced run (wall), op time summed %.1f ms%n",
                            kind.id(), e.getKey(), precision.id(), total / reps, sum);
                    List<Map.Entry<String, double[]>> sorted = new ArrayList<>(byType.entrySet());
                    sorted.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
                    for (Map.Entry<String, double[]> s : sorted.subList(0, Math.min(14, sorted.size()))) {
                        System.out.printf(Locale.ROOT, "  %-28s %7.2f ms  %5.1f %%  (%d ops)%n", s.getKey(),
                                s.getValue()[0] / reps, 100 * s.getValue()[0] / reps / sum,
                                (int) (s.getValue()[1] / reps));
                    }
                }
            }
        }
    }

    private static String opType(LoadedModel model, NodeExecStats n) {
        String label = n.getTimelineLabel();
        int eq = label.indexOf(" = ");
        int paren = label.indexOf('(', Math.max(eq, 0));
        if (eq >= 0 && paren > eq) {
            return label.substring(eq + 3, paren);
        }
        GraphOperation op = model.serving().graph().operation(n.getNodeName());
        return op != null ? op.type() : n.getNodeName();
    }
}
