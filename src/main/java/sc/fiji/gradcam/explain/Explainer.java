package sc.fiji.gradcam.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.graph.DataLayout;
import sc.fiji.gradcam.graph.Layer;
import sc.fiji.gradcam.image.InputImage;
import sc.fiji.gradcam.image.MapResampler;
import sc.fiji.gradcam.image.Preprocessing;
import sc.fiji.gradcam.image.Preprocessor;
import sc.fiji.gradcam.image.Preprocessor.ModelInput;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * The explanation engine for one loaded model: images in, predictions and maps out. One session run per
 * batch and target gives the prediction, the activations and every gradient the request needs; the
 * gradient graphs are built on first use and reused. Safe to call from several threads.
 */
public final class Explainer implements AutoCloseable {

    /** Most images per session run (where the model's batch dimension is free). */
    public static final int MAX_BATCH = 16;

    private final LoadedModel model;
    private final ExplanationGraphs graphs;

    public Explainer(LoadedModel model) {
        this.model = model;
        this.graphs = new ExplanationGraphs(model.serving(), model.outputUnits());
    }

    public LoadedModel model() {
        return model;
    }

    /**
     * Checks a request against the model without running it: targets, layer and preprocessing resolve, or
     * an {@link IllegalArgumentException} / {@link sc.fiji.gradcam.model.ModelException} names the problem.
     */
    public void validate(ExplainRequest request) {
        request.preprocessing().resolve(model);
        if (request.methods().stream().anyMatch(Method::usesLayer)) {
            model.catalog().find(request.layer());
        }
        for (String t : request.targets()) {
            TargetClass.resolve(t, model.classes(), model.labels());
        }
    }

    /** Explains one image. */
    public List<Explanation> explain(InputImage image, ExplainRequest request) {
        return explain(List.of(image), request).get(0);
    }

    /**
     * Explains images; the result has one list per image, one entry per requested target.
     * Maps are at each image's own size.
     */
    public List<List<Explanation>> explain(List<InputImage> images, ExplainRequest request) {
        Preprocessing p = request.preprocessing().resolve(model);
        Set<Method> methods = request.methods();
        boolean usesLayer = methods.stream().anyMatch(Method::usesLayer);
        Layer layer = usesLayer ? model.catalog().find(request.layer()) : null;
        int[] targets = request.targets().stream()
                .mapToInt(t -> TargetClass.resolve(t, model.classes(), model.labels())).toArray();
        List<List<Explanation>> out = new ArrayList<>();
        int batch = model.imageShape()[0] == -1 ? MAX_BATCH : (int) model.imageShape()[0];
        for (int start = 0; start < images.size(); start += batch) {
            List<InputImage> chunk = images.subList(start, Math.min(images.size(), start + batch));
            out.addAll(explainBatch(chunk, p, layer, targets, request));
        }
        return out;
    }

    private List<List<Explanation>> explainBatch(List<InputImage> images, Preprocessing p, Layer layer, int[] targets,
            ExplainRequest request) {
        int n = images.size();
        long t0 = System.nanoTime();
        List<ModelInput> inputs = new ArrayList<>();
        int per = p.width() * p.height() * p.channels();
        float[] batch = new float[n * per];
        for (int i = 0; i < n; i++) {
            ModelInput mi = Preprocessor.prepare(images.get(i), p);
            inputs.add(mi);
            System.arraycopy(mi.values(), 0, batch, i * per, per);
        }
        double preprocessMs = (System.nanoTime() - t0) / 1e6 / n;
        List<List<Explanation>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(new ArrayList<>());
        }
        // images are prepared NHWC; a channels-first model gets them transposed
        DataLayout layout = model.inputLayout().layout();
        long[] shape = layout.fromNhwc(new long[] {n, p.height(), p.width(), p.channels()});
        float[] values = layout.fromNhwc(batch, n, p.height(), p.width(), p.channels());
        try (Tensor x = TensorData.tensor(values, shape, model.input().dtype())) {
            for (int target : targets) {
                List<Explanation> es = runOnce(x, n, images, inputs, layer, target, request, preprocessMs);
                for (int i = 0; i < n; i++) {
                    results.get(i).add(es.get(i));
                }
            }
        }
        return results;
    }

    private List<Explanation> runOnce(Tensor x, int n, List<InputImage> images, List<ModelInput> inputs, Layer layer,
            int target, ExplainRequest request, double preprocessMs) {
        Set<Method> methods = request.methods();
        ClassScore score = graphs.score(request.score());
        Session.Runner runner = model.serving().session().runner().feed(model.serving().input().toString(), x);
        Tensor onehot = null;
        if (target >= 0) {
            float[] oh = new float[n * model.classes()];
            for (int i = 0; i < n; i++) {
                oh[i * model.classes() + target] = 1f;
            }
            onehot = TensorData.tensor(oh, new long[] {n, model.classes()}, floatType());
            runner.feed(score.onehot(), onehot);
        }
        List<String> fetched = new ArrayList<>();
        // the probabilities come from the output, a single-unit binary model's from its logit z
        runner.fetch(model.singleUnitBinary() ? score.logits().toString() : model.serving().output().toString());
        fetched.add("output");
        if (layer != null) {
            runner.fetch(layer.tensor()).fetch(graphs.layerGradient(request.score(), layer));
            fetched.add("A");
            fetched.add("dA");
        }
        if (methods.contains(Method.GRADIENT)) {
            runner.fetch(graphs.inputGradient(request.score()));
            fetched.add("dX");
        }
        if (methods.contains(Method.GUIDED_BACKPROP) || methods.contains(Method.GUIDED_GRADCAM)) {
            runner.fetch(graphs.guidedGradient(request.score(), true));
            fetched.add("guided");
        }
        long t0 = System.nanoTime();
        Map<String, float[]> values = new LinkedHashMap<>();
        long[] layerShape = null;
        try (Result r = runner.run()) {
            for (int i = 0; i < fetched.size(); i++) {
                values.put(fetched.get(i), TensorData.floats(r.get(i)));
                if (fetched.get(i).equals("A")) {
                    layerShape = r.get(i).shape().asArray();
                }
            }
        } finally {
            if (onehot != null) {
                onehot.close();
            }
        }
        double forwardMs = (System.nanoTime() - t0) / 1e6 / n;
        int mh = inputs.get(0).geometry().modelHeight();
        int mw = inputs.get(0).geometry().modelWidth();
        toNhwc(values, "dX", n, mh, mw);
        toNhwc(values, "guided", n, mh, mw);
        List<Explanation> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(assemble(i, images.get(i), inputs.get(i), values, layerShape, layer, target, score.activation(),
                    request, preprocessMs, forwardMs));
        }
        return list;
    }

    /** Input gradients of a channels-first model come back [n, c, h, w]: reordered to NHWC like the images. */
    private void toNhwc(Map<String, float[]> values, String key, int n, int h, int w) {
        float[] v = values.get(key);
        if (v != null) {
            int c = v.length / (n * h * w);
            values.put(key, model.inputLayout().layout().toNhwc(v, n, h, w, c));
        }
    }

    private String floatType() {
        return model.input().dtype().equals("double") ? "double" : "float";
    }

    private Explanation assemble(int i, InputImage image, ModelInput input, Map<String, float[]> values,
            long[] layerShape, Layer layer, int target, String activation, ExplainRequest request, double preprocessMs,
            double forwardMs) {
        int k = model.classes();
        double[] probs = ClassProbabilities.of(values.get("output"), i, model.outputUnits(), activation);
        List<Prediction> ranked = IntStream.of(ClassProbabilities.ranking(values.get("output"), i, model.outputUnits(),
                probs)).mapToObj(c -> new Prediction(c, model.label(c), probs[c])).toList();
        Prediction predicted = ranked.get(0);
        int t = target >= 0 ? target : predicted.index();
        Prediction targetPrediction = new Prediction(t, model.label(t), probs[t]);
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("preprocess", preprocessMs);
        timings.put("forward", forwardMs);
        Map<Method, MapImage> maps = new LinkedHashMap<>();
        Map<Method, MapImage> rawMaps = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        MapImage raw = null;
        MapImage cam = null;
        double rawMax = 0;
        int w = image.width();
        int h = image.height();
        if (layer != null) {
            long s = System.nanoTime();
            long[] feature = layer.layout().toNhwc(layerShape);
            int fh = (int) feature[1];
            int fw = (int) feature[2];
            int fc = (int) feature[3];
            float[] a = values.get("A");
            float[] dA = values.get("dA");
            raw = new MapImage(fw, fh, 1, GradCam.compute(a, dA, i, fh, fw, fc, layer.layout(), false));
            rawMax = Math.max(0, raw.max());
            cam = camImage(raw, input, w, h);
            if (rawMax <= 0) {
                notes.add("The Grad-CAM map is zero everywhere: no feature map of layer '" + layer.name()
                        + "' adds positive evidence for class '" + targetPrediction.label() + "'. Try an earlier "
                        + "layer, the counterfactual map, or the score 'probability'.");
            }
            if (request.methods().contains(Method.GRADCAM)) {
                maps.put(Method.GRADCAM, cam);
                rawMaps.put(Method.GRADCAM, raw);
            }
            timings.put(Method.GRADCAM.id(), (System.nanoTime() - s) / 1e6);
            if (request.methods().contains(Method.COUNTERFACTUAL)) {
                s = System.nanoTime();
                MapImage cf = new MapImage(fw, fh, 1, GradCam.compute(a, dA, i, fh, fw, fc, layer.layout(), true));
                rawMaps.put(Method.COUNTERFACTUAL, cf);
                maps.put(Method.COUNTERFACTUAL, camImage(cf, input, w, h));
                timings.put(Method.COUNTERFACTUAL.id(), (System.nanoTime() - s) / 1e6);
            }
            // the CAM variants reuse the activations and gradients Grad-CAM was computed from
            for (Method m : request.methods()) {
                if (!m.isCamVariant()) {
                    continue;
                }
                s = System.nanoTime();
                MapImage v = new MapImage(fw, fh, 1, CamVariants.compute(m, a, dA, i, fh, fw, fc, layer.layout()));
                rawMaps.put(m, v);
                maps.put(m, camImage(v, input, w, h));
                if (!(v.max() > 0)) {
                    notes.add(emptyVariantNote(m, layer.name(), targetPrediction.label()));
                }
                timings.put(m.id(), (System.nanoTime() - s) / 1e6);
            }
        }
        int c = model.imageShape()[3] > 0 ? (int) model.imageShape()[3] : 3;
        int per = input.geometry().modelWidth() * input.geometry().modelHeight() * c;
        if (values.containsKey("dX")) {
            long s = System.nanoTime();
            maps.put(Method.GRADIENT, inputMap(values.get("dX"), i * per, per, c, input, w, h));
            timings.put(Method.GRADIENT.id(), (System.nanoTime() - s) / 1e6);
        }
        if (values.containsKey("guided")) {
            long s = System.nanoTime();
            MapImage guided = inputMap(values.get("guided"), i * per, per, c, input, w, h);
            if (request.methods().contains(Method.GUIDED_BACKPROP)) {
                maps.put(Method.GUIDED_BACKPROP, guided);
            }
            timings.put(Method.GUIDED_BACKPROP.id(), (System.nanoTime() - s) / 1e6);
            if (request.methods().contains(Method.GUIDED_GRADCAM)) {
                s = System.nanoTime();
                maps.put(Method.GUIDED_GRADCAM, GuidedGradCam.combine(guided, cam));
                timings.put(Method.GUIDED_GRADCAM.id(), (System.nanoTime() - s) / 1e6);
            }
        }
        return new Explanation(predicted, ranked.subList(0, Math.min(5, k)), targetPrediction, request.score(), layer,
                rawMax, maps, raw, rawMaps, notes.isEmpty() ? null : String.join(" ", notes), timings);
    }

    /** Why a CAM variant's map is zero everywhere, and what to try. */
    private static String emptyVariantNote(Method m, String layer, String label) {
        String why = m == Method.EIGENCAM ? "every activation of layer '" + layer + "' is the same at every position"
                : "layer '" + layer + "' shows no positive evidence for class '" + label + "' by this method";
        return "The " + m.title() + " map is zero everywhere: " + why + ". Try an earlier layer.";
    }

    private static MapImage inputMap(float[] all, int offset, int per, int channels, ModelInput input, int w, int h) {
        float[] one = new float[per];
        System.arraycopy(all, offset, one, 0, per);
        return new MapImage(w, h, channels, MapResampler.modelToImage(one, channels, input.geometry(), w, h));
    }

    /** A raw CAM-like map upsampled to the image ({@code w × h}) and divided by its maximum (an empty map stays 0). */
    private static MapImage camImage(MapImage raw, ModelInput input, int w, int h) {
        return normalised(MapResampler.featureToImage(raw.data(), raw.width(), raw.height(), input.geometry(), w, h),
                Math.max(0, raw.max()), w, h);
    }

    private static MapImage normalised(float[] map, double max, int w, int h) {
        if (max > 0) {
            for (int j = 0; j < map.length; j++) {
                map[j] = (float) Math.min(1.0, Math.max(0.0, map[j] / max));
            }
        }
        return new MapImage(w, h, 1, map);
    }

    @Override
    public void close() {
        model.close();
    }
}
