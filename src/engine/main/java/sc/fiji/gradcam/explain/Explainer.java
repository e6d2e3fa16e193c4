package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.MapSource;
import sc.fiji.gradcam.api.SourcedMaps;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.ModelInfo;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.TargetClass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Geometry;
import sc.fiji.gradcam.api.image.MapSources;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.api.image.Preprocessor.ModelInput;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.WeightRandomiser;

/**
 * The explanation engine for one loaded model: images in, predictions and maps out. One session run per
 * batch and target ({@link BatchRun}) gives the prediction, the activations and every gradient the request needs;
 * the gradient graphs are built on first use and reused. Augmentation smoothing adds runs of the augmented inputs
 * ({@link AugmentationSmoothing}); Score-CAM and Ablation-CAM add forward-only runs of K perturbed copies per image
 * and target ({@link ScoreCam}, {@link AblationCam}). Safe to call from several threads.
 */
public final class Explainer implements ModelExplainer {

    private final LoadedModel model;
    private final ExplanationGraphs graphs;
    private final BatchRun runner;

    public Explainer(LoadedModel model) {
        this.model = model;
        this.graphs = new ExplanationGraphs(model.serving(), model.outputSpec());
        this.runner = new BatchRun(model, graphs);
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public ModelInfo info() {
        return ModelDescription.of(model);
    }

    @Override
    public List<String> weightLayers() {
        return WeightRandomiser.layers(model);
    }

    @Override
    public ModelExplainer reinitialised(List<String> layers, long seed) {
        List<String> known = weightLayers();
        for (String l : layers) {
            if (!known.contains(l)) {
                throw new IllegalArgumentException("The model has no layer of weights '" + l + "'. Valid: " + known
                        + ".");
            }
        }
        LoadedModel copy = ModelLoader.load(model.origin(), model.loadOptions());
        try {
            new WeightRandomiser(copy, false).randomise(layers, seed);
            return new Explainer(copy);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    @Override
    public Layer layer(String nameOrAuto) {
        return model.catalog().find(nameOrAuto);
    }

    /**
     * Checks a request against the model without running it: targets, layer and preprocessing resolve, or
     * an {@link IllegalArgumentException} / {@link sc.fiji.gradcam.api.ModelException} names the problem.
     */
    public void validate(ExplainRequest request) {
        request.preprocessing().resolve(model);
        if (request.methods().stream().anyMatch(Method::usesLayer)) {
            model.catalog().find(request.layer());
        }
        for (String t : request.targets()) {
            TargetClass.resolve(t, model.classes(), model.labels());
        }
        checkRegion(request);
    }

    /** A region is a dense output's target: a classifier refuses one, and aug_smooth does not take one. */
    private void checkRegion(ExplainRequest request) {
        boolean given = request.region().kind() != sc.fiji.gradcam.api.Region.Kind.AUTO
                || request.aggregate() != sc.fiji.gradcam.api.Region.Aggregate.SUM;
        if (given && model.regression()) {
            throw new IllegalArgumentException("A region (" + request.region().describe() + ", "
                    + request.aggregate().id() + ") is a target for dense outputs, but this model's output is a "
                    + "regression value without pixels. Fix: leave region/mask/aggregate unset.");
        }
        if (given && !model.dense()) {
            throw new IllegalArgumentException("A region (" + request.region().describe() + ", "
                    + request.aggregate().id() + ") is a target for dense outputs, but this model is a classifier "
                    + "(one score per class). Fix: leave region/mask/aggregate unset, or crop the image to the region.");
        }
        if (model.dense() && request.augSmooth()) {
            throw new IllegalArgumentException("aug_smooth is not available for a dense output (the flipped copies "
                    + "would need flipped regions). Fix: turn aug_smooth off for this model.");
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
        checkRegion(request);
        Preprocessing p = request.preprocessing().resolve(model);
        Set<Method> methods = request.methods();
        boolean usesLayer = methods.stream().anyMatch(Method::usesLayer);
        Layer layer = usesLayer ? model.catalog().find(request.layer()) : null;
        int[] targets = request.targets().stream()
                .mapToInt(t -> TargetClass.resolve(t, model.classes(), model.labels())).toArray();
        List<List<Explanation>> out = new ArrayList<>();
        if (p.perImage()) {
            // a free input size: each image at its own (rounded-up) size, one run each
            for (InputImage image : images) {
                Preprocessing own = p.forImage(image.width(), image.height());
                Tiling tiling = model.dense() && !model.regression() ? Tiling.of(model.properties(), own) : null;
                if (tiling != null && tiling.needed(own.width(), own.height())) {
                    out.add(tiled(image, own, tiling, layer, targets, request));
                } else {
                    out.addAll(explainBatch(List.of(image), own, layer, targets, request));
                }
            }
            return out;
        }
        if (model.dense() && !model.regression() && !resizeGiven(request)) {
            // a fixed-size dense model and images larger than its input: tiles at the image's scale, not a resize
            List<InputImage> fit = new ArrayList<>();
            List<Integer> where = new ArrayList<>();
            List<List<Explanation>> tiled = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                InputImage im = images.get(i);
                if (im.width() > p.width() || im.height() > p.height()) {
                    // the canvas exceeds the input by a multiple of the step, so that every tile starts on the step
                    int step = Integer.parseInt(model.properties().getProperty("size.step",
                            String.valueOf(Preprocessing.DEFAULT_STEP)).trim());
                    int cw = p.width() + (Math.max(0, im.width() - p.width()) + step - 1) / step * step;
                    int ch = p.height() + (Math.max(0, im.height() - p.height()) + step - 1) / step * step;
                    Preprocessing canvas = new Preprocessing(cw, ch, p.channels(),
                            sc.fiji.gradcam.api.image.ResizeMode.NONE, p.rangeMin(), p.rangeMax(), p.lowPercentile(),
                            p.highPercentile(), step, p.percentilesFor8Bit());
                    tiled.add(tiled(im, canvas, Tiling.fixed(model.properties(), p.width(), p.height(), step), layer,
                            targets, request));
                    where.add(i);
                } else {
                    fit.add(im);
                }
            }
            if (!where.isEmpty()) {
                List<List<Explanation>> rest = fit.isEmpty() ? List.of() : explain(fit, request.withPreprocessing(
                        request.preprocessing().withResize("stretch")));
                List<List<Explanation>> all = new ArrayList<>();
                int t = 0;
                int r = 0;
                for (int i = 0; i < images.size(); i++) {
                    all.add(where.contains(i) ? tiled.get(t++) : rest.get(r++));
                }
                return all;
            }
        }
        int batch = runner.rowsPerRun();
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
            ModelInput mi = prepare(images.get(i), p);
            inputs.add(mi);
            System.arraycopy(mi.values(), 0, batch, i * per, per);
        }
        double preprocessMs = (System.nanoTime() - t0) / 1e6 / n;
        List<List<Explanation>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(new ArrayList<>());
        }
        for (int target : targets) {
            List<Explanation> es = runOnce(batch, images, inputs, p, layer, target, request, preprocessMs);
            for (int i = 0; i < n; i++) {
                results.get(i).add(es.get(i));
            }
        }
        return results;
    }

    /** One target for a batch: its session run, the raw maps of each image (smoothed as asked), the explanations. */
    private List<Explanation> runOnce(float[] batch, List<InputImage> images, List<ModelInput> inputs, Preprocessing p,
            Layer layer, int target, ExplainRequest request, double preprocessMs) {
        int n = images.size();
        Set<Method> methods = request.methods();
        int[] fed = null;
        if (target >= 0) {
            fed = new int[n];
            Arrays.fill(fed, target);
        }
        String activation = graphs.score(request.score()).activation();
        long tDense = System.nanoTime();
        DenseBatch denseBatch = model.dense() ? denseTargets(batch, images, inputs, p, target, request, activation)
                : null;
        DenseTargets.Target[] dense = denseBatch == null ? null : denseBatch.targets();
        BatchRun.RegionWeights regions = null;
        BatchRun.RegionWeights[] regionOf = null;
        if (dense != null) {
            fed = new int[n];
            regionOf = new BatchRun.RegionWeights[n];
            BatchRun.DenseOutput shape = denseBatch.output();
            float[] all = new float[n * dense[0].weights().length];
            for (int i = 0; i < n; i++) {
                fed[i] = dense[i].channel();
                System.arraycopy(dense[i].weights(), 0, all, i * dense[i].weights().length, dense[i].weights().length);
                regionOf[i] = new BatchRun.RegionWeights(dense[i].weights(), shape.height(), shape.width(),
                        shape.channels(), false);
            }
            regions = new BatchRun.RegionWeights(all, shape.height(), shape.width(), shape.channels(), true);
        }
        double denseMs = (System.nanoTime() - tDense) / 1e6 / n;
        BatchRun.Fetched f = runner.run(batch, n, p.height(), p.width(), p.channels(), fed, new BatchRun.Fetches(
                request.score(), layer, methods.contains(Method.GRADIENT) || methods.contains(Method.INPUT_X_GRADIENT),
                methods.contains(Method.GUIDED_BACKPROP) || methods.contains(Method.GUIDED_GRADCAM),
                methods.contains(Method.FULLGRAD)), regions);
        // each row's class, set below before its maps are computed
        int[] classes = new int[n];
        Perturbation perturbation = new Perturbation(runner, request.score(), batch, p.height(), p.width(),
                p.channels(), classes, regionOf);
        List<List<Prediction>> rankings = new ArrayList<>();
        List<Map<String, Double>> timings = new ArrayList<>();
        List<Map<Method, MapImage>> raw = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Prediction> ranked;
            if (dense != null) {
                ranked = dense[i].ranking();
            } else {
                double[] probs = ClassProbabilities.of(f.output(), i, model.outputUnits(), activation);
                ranked = IntStream.of(ClassProbabilities.ranking(f.output(), i, model.outputUnits(), probs))
                        .mapToObj(c -> new Prediction(c, model.label(c), probs[c])).toList();
            }
            rankings.add(ranked);
            classes[i] = dense != null ? dense[i].channel() : target >= 0 ? target : ranked.get(0).index();
            Map<String, Double> t = new LinkedHashMap<>();
            t.put("preprocess", preprocessMs);
            t.put("forward", f.ms() / n);
            if (dense != null) {
                t.put("target", denseMs);
            }
            timings.add(t);
            raw.add(layer == null ? Map.of()
                    : CamMaps.of(f, i, layer, methods, request.eigenSmooth(), perturbation, t));
        }
        if (request.augSmooth() && layer != null) {
            raw = AugmentationSmoothing.smooth(runner, request, layer, inputs, p, classes, raw, timings);
        }
        List<Map<Method, float[]>> attributions = new ArrayList<>();
        InputAttributions ia = new InputAttributions(runner, request.score(), p.height(), p.width(), p.channels(),
                p.rangeMax() - p.rangeMin());
        int per = p.width() * p.height() * p.channels();
        for (int i = 0; i < n; i++) {
            float[] x = Arrays.copyOfRange(batch, i * per, (i + 1) * per);
            float[] g = f.inputGradient() == null ? null
                    : Arrays.copyOfRange(f.inputGradient(), i * per, (i + 1) * per);
            InputAttributions iai = dense == null ? ia : new InputAttributions(runner.withRegion(regionOf[i]),
                    request.score(), p.height(), p.width(), p.channels(), p.rangeMax() - p.rangeMin());
            Map<Method, float[]> own = new java.util.EnumMap<>(Method.class);
            if (methods.stream().anyMatch(InputAttributions::covers)) {
                own.putAll(iai.of(x, classes[i], g, methods, timings.get(i)));
            }
            if (methods.contains(Method.FULLGRAD)) {
                long t = System.nanoTime();
                own.put(Method.FULLGRAD, FullGrad.map(x, i, p.height(), p.width(), p.channels(), f.fullGrad()));
                timings.get(i).put(Method.FULLGRAD.id(), (System.nanoTime() - t) / 1e6);
            }
            attributions.add(own);
        }
        List<Explanation> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(assemble(i, images.get(i), inputs.get(i), f, rankings.get(i), classes[i], raw.get(i),
                    attributions.get(i), timings.get(i), layer, request, dense == null ? null : dense[i].region()));
        }
        return list;
    }

    /**
     * The explanation of image {@code i} of a run: its predictions, the raw CAM-like maps upsampled and normalised,
     * the input-gradient maps, Guided Grad-CAM, and a note on empty maps.
     */
    private Explanation assemble(int i, InputImage image, ModelInput input, BatchRun.Fetched f,
            List<Prediction> ranked, int t, Map<Method, MapImage> raw, Map<Method, float[]> attributions,
            Map<String, Double> timings, Layer layer, ExplainRequest request,
            sc.fiji.gradcam.api.TargetRegion region) {
        Prediction targetPrediction = ranked.stream().filter(r -> r.index() == t).findFirst().orElseThrow();
        Map<Method, MapSource> maps = new LinkedHashMap<>();
        Map<Method, MapImage> rawMaps = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        int w = image.width();
        int h = image.height();
        Geometry g = input.geometry();
        MapSource cam = null;
        MapImage gradcamRaw = raw.get(Method.GRADCAM);
        double rawMax = gradcamRaw == null ? 0 : Math.max(0, gradcamRaw.max());
        for (Map.Entry<Method, MapImage> e : raw.entrySet()) {
            Method m = e.getKey();
            long s = System.nanoTime();
            MapImage r = e.getValue();
            // upsampled and divided by the raw maximum when read (an empty map stays 0)
            MapSource upsampled = MapSources.upsampled(r.data(), r.width(), r.height(), g, w, h, Math.max(0, r.max()));
            if (m == Method.GRADCAM) {
                cam = upsampled;
                if (rawMax <= 0) {
                    notes.add("The Grad-CAM map is zero everywhere: no feature map of layer '" + layer.name()
                            + "' adds positive evidence for class '" + targetPrediction.label() + "'. Try an earlier "
                            + "layer, the counterfactual map, or the score 'probability'.");
                }
            } else if (m.isCamVariant() && !(r.max() > 0)) {
                notes.add(emptyVariantNote(m, layer.name(), targetPrediction.label()));
            }
            if (request.methods().contains(m)) {
                maps.put(m, upsampled);
                rawMaps.put(m, r);
            }
            timings.merge(m.id(), (System.nanoTime() - s) / 1e6, Double::sum);
        }
        int c = input.values().length / (g.modelWidth() * g.modelHeight());
        int per = input.values().length;
        if (f.inputGradient() != null && request.methods().contains(Method.GRADIENT)) {
            long s = System.nanoTime();
            maps.put(Method.GRADIENT, inputMap(f.inputGradient(), i * per, per, c, g, w, h));
            timings.put(Method.GRADIENT.id(), (System.nanoTime() - s) / 1e6);
        }
        if (f.guided() != null) {
            long s = System.nanoTime();
            MapSource guided = inputMap(f.guided(), i * per, per, c, g, w, h);
            if (request.methods().contains(Method.GUIDED_BACKPROP)) {
                maps.put(Method.GUIDED_BACKPROP, guided);
            }
            timings.put(Method.GUIDED_BACKPROP.id(), (System.nanoTime() - s) / 1e6);
            if (request.methods().contains(Method.GUIDED_GRADCAM)) {
                s = System.nanoTime();
                maps.put(Method.GUIDED_GRADCAM, MapSources.product(guided, cam));
                timings.put(Method.GUIDED_GRADCAM.id(), (System.nanoTime() - s) / 1e6);
            }
        }
        if (f.fullGrad() != null && f.fullGrad().layers().isEmpty() && request.methods().contains(Method.FULLGRAD)) {
            notes.add("FullGrad found no convolution bias or batch norm on this model's path: its map is the input "
                    + "term |x ⊙ ∂y/∂x| alone.");
        }
        // the input attributions, in Method's order, onto the image like the gradient (FullGrad: one channel)
        for (Map.Entry<Method, float[]> e : new java.util.TreeMap<>(attributions).entrySet()) {
            int channels = e.getValue().length / (g.modelWidth() * g.modelHeight());
            maps.put(e.getKey(), MapSources.modelResolution(e.getValue(), channels, g, w, h));
        }
        return new Explanation(ranked.get(0), ranked.subList(0, Math.min(5, model.classes())), targetPrediction,
                request.score(), layer, rawMax, new SourcedMaps(maps), gradcamRaw, rawMaps,
                notes.isEmpty() ? null : String.join(" ", notes), timings, region);
    }

    /** The model input of an image: the model's own preprocessing (a package's), then the plugin's geometry. */
    public ModelInput prepare(InputImage image, Preprocessing p) {
        return Preprocessor.prepare(model.ownPreprocessing(image, p), p);
    }

    /** Whether the user chose how images meet the model's size (an option, or resize= in gradcam.properties). */
    private boolean resizeGiven(ExplainRequest request) {
        String r = request.preprocessing().resize();
        return r != null && !r.isBlank() || !model.properties().getProperty("resize", "").isBlank();
    }

    /** A dense batch's output and each image's target. */
    private record DenseBatch(DenseTargets.Target[] targets, BatchRun.DenseOutput output) {}

    /**
     * A dense model's targets for a batch: one forward run for its output, then each image's channel and region
     * weights ({@link DenseTargets}).
     */
    private DenseBatch denseTargets(float[] batch, List<InputImage> images, List<ModelInput> inputs,
            Preprocessing p, int target, ExplainRequest request, String activation) {
        checkRegion(request);
        if (request.region().kind() == sc.fiji.gradcam.api.Region.Kind.MASK_FILES) {
            throw new IllegalArgumentException("Mask files are read per image by the batch runner. Fix: read the mask "
                    + "first (MaskFiles.regionFor) or run the images through BatchRunner.");
        }
        int n = images.size();
        BatchRun.DenseOutput o = runner.denseOutput(batch, n, p.height(), p.width(), p.channels());
        int per = o.height() * o.width() * o.channels();
        DenseTargets.Target[] out = new DenseTargets.Target[n];
        for (int i = 0; i < n; i++) {
            InputImage im = images.get(i);
            sc.fiji.gradcam.api.Region r = request.region();
            if (r.kind() == sc.fiji.gradcam.api.Region.Kind.MASK
                    && (r.width() != im.width() || r.height() != im.height())) {
                throw new IllegalArgumentException("The mask" + (r.name() == null ? "" : " '" + r.name() + "'")
                        + " is " + r.width() + "×" + r.height() + " but the image is " + im.width() + "×"
                        + im.height() + ". Fix: give a mask of the image's size.");
            }
            out[i] = DenseTargets.of(Arrays.copyOfRange(o.values(), i * per, (i + 1) * per), o.height(), o.width(),
                    o.channels(), activation, r, request.aggregate(), target, inputs.get(i).geometry(), im.width(),
                    im.height(), model::label, model.regression());
        }
        return new DenseBatch(out, o);
    }

    /** Why a CAM variant's map is zero everywhere, and what to try. */
    private static String emptyVariantNote(Method m, String layer, String label) {
        String why = m == Method.EIGENCAM ? "every activation of layer '" + layer + "' is the same at every position"
                : "layer '" + layer + "' shows no positive evidence for class '" + label + "' by this method";
        return "The " + m.title() + " map is zero everywhere: " + why + ". Try an earlier layer.";
    }

    /** Image {@code offset / per}'s model-resolution gradient ({@code per} values, interleaved) on the image. */
    private static MapSource inputMap(float[] all, int offset, int per, int channels, Geometry g, int w, int h) {
        float[] one = new float[per];
        System.arraycopy(all, offset, one, 0, per);
        return MapSources.modelResolution(one, channels, g, w, h);
    }

    /**
     * A dense model's explanations of an image larger than one tile ({@link Tiling}): the output is computed tile by
     * tile (cores), each image's targets found on the whole output, then every tile runs its gradients for the target
     * restricted to its core plus the halo, and the layer's activations and gradients, the input gradients and the
     * guided pass are stitched from the cores into what one run of the whole image would have fetched. The maps are
     * then computed from those as usual. Methods that perturb or re-run the input (Score-CAM, Ablation-CAM, Integrated
     * Gradients, SmoothGrad, VarGrad, Occlusion, RISE) and FullGrad are refused for tiled images.
     */
    private List<Explanation> tiled(InputImage image, Preprocessing p, Tiling tiling, Layer layer, int[] targets,
            ExplainRequest request) {
        Set<Method> methods = request.methods();
        for (Method m : methods) {
            // FullGrad scales each bias channel over the whole image: the tiles would need every layer stitched
            if (m.perturbs() || InputAttributions.covers(m) && m != Method.INPUT_X_GRADIENT || m == Method.FULLGRAD) {
                throw new IllegalArgumentException(m.title() + " is not available for an image explained in tiles ("
                        + image.width() + "×" + image.height() + " is larger than tile=" + tiling.core() + "). Fix: "
                        + "crop the image, set a larger tile= in the model's gradcam.properties, or choose other "
                        + "methods.");
            }
        }
        if (layer != null && layer.layout() != sc.fiji.gradcam.api.DataLayout.NHWC) {
            throw new IllegalArgumentException("Tiles need a channels-last target layer; '" + layer.name() + "' is "
                    + "channels first. Fix: crop the image or set a larger tile= in gradcam.properties.");
        }
        long t0 = System.nanoTime();
        ModelInput input = prepare(image, p);
        float[] x = input.values();
        int w = p.width();
        int h = p.height();
        int c = p.channels();
        List<Tiling.Tile> tiles = tiling.tiles(w, h);
        double preprocessMs = (System.nanoTime() - t0) / 1e6;
        // the output, core by core
        long tf = System.nanoTime();
        float[] out = null;
        int ow = 0;
        int oh = 0;
        int oc = 0;
        int of = 1;
        for (Tiling.Tile t : tiles) {
            BatchRun.DenseOutput o = runner.denseOutput(Tiling.crop(x, w, c, t.ex0(), t.ey0(), t.ex1(), t.ey1()), 1,
                    t.height(), t.width(), c);
            if (out == null) {
                of = t.width() / o.width();
                if (of * o.width() != t.width() || tiling.core() % of != 0 || tiling.halo() % of != 0) {
                    throw new IllegalArgumentException("The model's output (" + o.width() + " wide for a "
                            + t.width() + "-pixel tile) is not the input scaled by a whole factor that divides the "
                            + "tile. Fix: crop the image or set a larger tile= in gradcam.properties.");
                }
                ow = w / of;
                oh = h / of;
                oc = o.channels();
                out = new float[ow * oh * oc];
            }
            Tiling.paste(o.values(), o.width(), t.ex0() / of, t.ey0() / of, out, ow, oc, t.cx0() / of, t.cy0() / of,
                    t.cx1() / of, t.cy1() / of);
        }
        double outputMs = (System.nanoTime() - tf) / 1e6;
        String activation = graphs.score(request.score()).activation();
        List<Explanation> result = new ArrayList<>();
        for (int target : targets) {
            long ts = System.nanoTime();
            DenseTargets.Target dt = DenseTargets.of(out, oh, ow, oc, activation, request.region(),
                    request.aggregate(), target, input.geometry(), image.width(), image.height(), model::label,
                    false);
            double targetMs = (System.nanoTime() - ts) / 1e6;
            boolean gradient = methods.contains(Method.GRADIENT) || methods.contains(Method.INPUT_X_GRADIENT);
            boolean guided = methods.contains(Method.GUIDED_BACKPROP) || methods.contains(Method.GUIDED_GRADCAM);
            BatchRun.Fetches fetches = new BatchRun.Fetches(request.score(), layer, gradient, guided);
            float[] a = null;
            float[] dA = null;
            long[] layerShape = null;
            int lf = 1;
            float[] dx = gradient ? new float[x.length] : null;
            float[] gx = guided ? new float[x.length] : null;
            double runMs = 0;
            // the layer of the whole image is stitched when it fits the memory set aside for it, else the maps are
            // computed in passes over the tiles (TiledCams), one tile's layer in memory at a time
            TiledCams streamed = null;
            int passes = 1;
            for (int pass = 1; pass <= passes; pass++) {
                BatchRun.Fetches passFetches = pass == 1 ? fetches
                        : new BatchRun.Fetches(request.score(), layer, false, false);
                for (Tiling.Tile t : tiles) {
                    // the target within the core ± halo, in the tile's output coordinates
                    int tw = t.width() / of;
                    int th = t.height() / of;
                    int bx0 = Math.max(t.ex0(), t.cx0() - tiling.halo()) / of;
                    int by0 = Math.max(t.ey0(), t.cy0() - tiling.halo()) / of;
                    int bx1 = Math.min(t.ex1(), t.cx1() + tiling.halo()) / of;
                    int by1 = Math.min(t.ey1(), t.cy1() + tiling.halo()) / of;
                    float[] wt = new float[tw * th * oc];
                    Tiling.paste(Tiling.crop(dt.weights(), ow, oc, bx0, by0, bx1, by1), bx1 - bx0,
                            bx0 - t.ex0() / of, by0 - t.ey0() / of, wt, tw, oc, bx0 - t.ex0() / of,
                            by0 - t.ey0() / of, bx1 - t.ex0() / of, by1 - t.ey0() / of);
                    BatchRun.Fetched f = runner.run(Tiling.crop(x, w, c, t.ex0(), t.ey0(), t.ex1(), t.ey1()), 1,
                            t.height(), t.width(), c, new int[] {dt.channel()}, passFetches,
                            new BatchRun.RegionWeights(wt, th, tw, oc, true));
                    runMs += f.ms();
                    if (layer != null) {
                        long[] s = f.layerShape();
                        int lc = (int) s[3];
                        if (layerShape == null) {
                            lf = t.width() / (int) s[2];
                            if (lf * s[2] != t.width() || tiling.core() % lf != 0 || tiling.halo() % lf != 0) {
                                throw new IllegalArgumentException("Layer '" + layer.name() + "' (" + s[2]
                                        + " wide for a " + t.width() + "-pixel tile) is not the input scaled by a "
                                        + "whole factor that divides the tile. Fix: choose another layer, or a larger "
                                        + "tile= in gradcam.properties.");
                            }
                            layerShape = new long[] {1, h / lf, w / lf, s[3]};
                            long bytes = 8L * (h / lf) * (w / lf) * lc;
                            long budget = layerBudget(model.properties());
                            if (bytes > budget) {
                                streamed = streamedCams(methods, request.eigenSmooth(), w / lf, h / lf, lc, layer,
                                        bytes, budget);
                                passes = streamed.passes();
                            } else {
                                a = new float[(h / lf) * (w / lf) * lc];
                                dA = new float[a.length];
                            }
                        }
                        if (streamed != null) {
                            streamed.visit(pass, f.activations(), f.layerGradient(), (int) s[2], t.ex0() / lf,
                                    t.ey0() / lf, t.cx0() / lf, t.cy0() / lf, t.cx1() / lf, t.cy1() / lf);
                        } else {
                            Tiling.paste(f.activations(), (int) s[2], t.ex0() / lf, t.ey0() / lf, a, w / lf, lc,
                                    t.cx0() / lf, t.cy0() / lf, t.cx1() / lf, t.cy1() / lf);
                            Tiling.paste(f.layerGradient(), (int) s[2], t.ex0() / lf, t.ey0() / lf, dA, w / lf, lc,
                                    t.cx0() / lf, t.cy0() / lf, t.cx1() / lf, t.cy1() / lf);
                        }
                    }
                    if (pass == 1 && dx != null) {
                        Tiling.paste(f.inputGradient(), t.width(), t.ex0(), t.ey0(), dx, w, c, t.cx0(), t.cy0(),
                                t.cx1(), t.cy1());
                    }
                    if (pass == 1 && gx != null) {
                        Tiling.paste(f.guided(), t.width(), t.ex0(), t.ey0(), gx, w, c, t.cx0(), t.cy0(), t.cx1(),
                                t.cy1());
                    }
                }
            }
            BatchRun.Fetched whole = new BatchRun.Fetched(out, a, dA, layerShape, dx, gx, runMs);
            Map<String, Double> timings = new LinkedHashMap<>();
            timings.put("preprocess", preprocessMs);
            timings.put("forward", outputMs / targets.length + runMs);
            timings.put("target", targetMs);
            timings.put("tiles", (double) tiles.size());
            timings.put("tile_passes", (double) passes);
            Map<Method, MapImage> raw = layer == null ? Map.of() : streamed != null ? streamed.maps()
                    : CamMaps.of(whole, 0, layer, methods, request.eigenSmooth(), null, timings);
            Map<Method, float[]> attributions = methods.contains(Method.INPUT_X_GRADIENT)
                    ? new InputAttributions(runner, request.score(), h, w, c, p.rangeMax() - p.rangeMin())
                            .of(x, dt.channel(), dx, EnumSet.of(Method.INPUT_X_GRADIENT), timings)
                    : Map.of();
            result.add(assemble(0, image, input, whole, dt.ranking(), dt.channel(), raw, attributions, timings,
                    layer, request, dt.region()));
        }
        return result;
    }

    /**
     * Bytes the stitched layer activations and gradients of one tiled image may take: {@code tile.layer.memory=} (MB)
     * in gradcam.properties, else an eighth of the heap (the batch runner's share for one image's open data).
     */
    static long layerBudget(java.util.Properties p) {
        String v = p.getProperty("tile.layer.memory", "").trim();
        if (v.isEmpty()) {
            return Runtime.getRuntime().maxMemory() / 8;
        }
        try {
            long mb = Long.parseLong(v);
            if (mb >= 0) {
                return mb << 20;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new sc.fiji.gradcam.api.ModelException("tile.layer.memory=" + v + " in gradcam.properties is not a "
                + "non-negative number of megabytes.", "write e.g. tile.layer.memory=512, or remove the line.");
    }

    private static TiledCams streamedCams(Set<Method> methods, boolean eigenSmooth, int width, int height,
            int channels, Layer layer, long bytes, long budget) {
        String size = (bytes >> 20) + " MB for layer '" + layer.name() + "' at " + width + "×" + height + "×"
                + channels + ", more than the " + (budget >> 20) + " MB set aside";
        String fix = "Fix: choose Grad-CAM, HiResCAM, LayerCAM, XGrad-CAM or Grad-CAM++ (computed tile by tile), "
                + "crop the image, or give Java more memory (-Xmx) or tile.layer.memory= (MB) in gradcam.properties.";
        if (eigenSmooth) {
            throw new IllegalArgumentException("eigen_smooth needs the target layer of the whole image at once ("
                    + size + "). " + fix);
        }
        for (Method m : methods) {
            if (m.camLike() && !TiledCams.SUPPORTED.contains(m)) {
                throw new IllegalArgumentException(TiledCams.unsupported(m) + " (" + size + "). " + fix);
            }
        }
        return new TiledCams(methods, width, height, channels);
    }

    @Override
    public void close() {
        model.close();
    }
}
