package sc.fiji.gradcam.explain;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import sc.fiji.gradcam.graph.BiasLayers;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.ScoreKind;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * One session run of a batch of model inputs: the model's output and, as asked, the target layer's activations A and
 * gradient {@code dA = dy_c/dA}, the input gradient and the guided input gradient, with the class of each row fed to
 * the score (or its default, the top-1 class). Inputs go in NHWC and are transposed for a channels-first model; input
 * gradients come back NHWC. Forward-only runs ({@link #scores}) serve the perturbation methods: the class scores of
 * masked inputs (Score-CAM), or of the network run on from a layer whose activations are fed (Ablation-CAM).
 */
final class BatchRun {

    /**
     * What one run fetched for {@code rows} inputs.
     *
     * @param output the output [rows, units] (a single-unit binary model's logit z)
     * @param activations A of the target layer in its layout (null without a layer)
     * @param layerGradient dA, like A (null without a layer)
     * @param layerShape A's shape as fetched (null without a layer)
     * @param inputGradient dy_c/dx, NHWC (null unless asked)
     * @param guided the guided reverse pass's dy_c/dx, NHWC (null unless asked)
     * @param ms the run's wall time
     */
    record Fetched(float[] output, float[] activations, float[] layerGradient, long[] layerShape,
            float[] inputGradient, float[] guided, double ms, FullGradValues fullGrad) {

        /** Without FullGrad's values. */
        Fetched(float[] output, float[] activations, float[] layerGradient, long[] layerShape, float[] inputGradient,
                float[] guided, double ms) {
            this(output, activations, layerGradient, layerShape, inputGradient, guided, ms, null);
        }
    }

    /**
     * What FullGrad needs of a run ({@link ExplanationGraphs.FullGradGraph}): the input gradient (NHWC) and, per
     * bias-carrying layer, the gradient at its output z as fetched (its layout), z's shape, and its bias per channel.
     */
    record FullGradValues(float[] inputGradient, List<BiasLayers.BiasLayer> layers, List<float[]> layerGradients,
            List<long[]> layerShapes, List<double[]> biases) {}

    /**
     * What to fetch besides the output: the layer (null: none), the input gradients, and FullGrad's gradients and
     * biases.
     */
    record Fetches(ScoreKind score, Layer layer, boolean inputGradient, boolean guided, boolean fullGrad) {

        /** Without FullGrad. */
        Fetches(ScoreKind score, Layer layer, boolean inputGradient, boolean guided) {
            this(score, layer, inputGradient, guided, false);
        }
    }

    /**
     * Values fed in place of a layer's output: {@code values} in the layer's layout, {@code shape} the full shape
     * (rows first).
     */
    record LayerFeed(Layer layer, float[] values, long[] shape) {}

    /**
     * Region weights of a dense output fed to the score ({@code [rows, height, width, channels]}, channels last, at
     * the output's resolution): one row's weights repeated for every row of a run, or ({@code perRow}) one set per row.
     */
    record RegionWeights(float[] values, int height, int width, int channels, boolean perRow) {
        int size() {
            return height * width * channels;
        }
    }

    private final LoadedModel model;
    private final ExplanationGraphs graphs;
    /** The region fed to every run of this runner (null: none, the score's default). */
    private final RegionWeights region;

    BatchRun(LoadedModel model, ExplanationGraphs graphs) {
        this(model, graphs, null);
    }

    private BatchRun(LoadedModel model, ExplanationGraphs graphs, RegionWeights region) {
        this.model = model;
        this.graphs = graphs;
        this.region = region;
    }

    /** This runner feeding {@code weights} (one row's, repeated per row) to every run's score; null: none. */
    BatchRun withRegion(RegionWeights weights) {
        return weights == null && region == null ? this : new BatchRun(model, graphs, weights);
    }

    /** The region weights as a tensor of {@code rows} rows, or null when there are none to feed. */
    private Tensor regionTensor(RegionWeights w, int rows) {
        if (w == null) {
            return null;
        }
        float[] v;
        if (w.perRow()) {
            v = w.values();
        } else {
            v = new float[rows * w.size()];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(w.values(), 0, v, r * w.size(), w.size());
            }
        }
        return TensorData.tensor(v, new long[] {rows, w.height(), w.width(), w.channels()},
                model.input().dtype().equals("double") ? "double" : "float");
    }

    /** Most inputs per run: the model's fixed batch size, else {@link Explainer#MAX_BATCH}. */
    int rowsPerRun() {
        return model.imageShape()[0] == -1 ? Explainer.MAX_BATCH : (int) model.imageShape()[0];
    }

    /**
     * Runs {@code rows} NHWC inputs of {@code h × w × c} ({@code values[(r * h + v) * w + u) * c + ch]}); {@code classes}
     * gives each row's class to explain, or null for each row's own top-1.
     */
    Fetched run(float[] values, int rows, int h, int w, int c, int[] classes, Fetches fetches) {
        return run(values, rows, h, w, c, classes, fetches, region);
    }

    /** As {@link #run(float[], int, int, int, int, int[], Fetches)}, feeding {@code weights} (null: none). */
    Fetched run(float[] values, int rows, int h, int w, int c, int[] classes, Fetches fetches, RegionWeights weights) {
        DataLayout layout = model.inputLayout().layout();
        long[] shape = layout.fromNhwc(new long[] {rows, h, w, c});
        ClassScore score = graphs.score(fetches.score());
        try (Tensor x = TensorData.tensor(layout.fromNhwc(values, rows, h, w, c), shape, model.input().dtype());
                Tensor onehot = classes == null ? null : oneHot(classes);
                Tensor wt = score.region() == null ? null : regionTensor(weights, rows)) {
            Session.Runner runner = model.serving().session().runner().feed(model.serving().input().toString(), x);
            if (onehot != null) {
                runner.feed(score.onehot(), onehot);
            }
            if (wt != null) {
                runner.feed(score.region(), wt);
            }
            List<String> fetched = new ArrayList<>();
            // the probabilities come from the output, a single-unit binary model's from its logit z
            runner.fetch(model.singleUnitBinary() ? score.logits().toString() : model.serving().output().toString());
            fetched.add("output");
            if (fetches.layer() != null) {
                runner.fetch(fetches.layer().tensor()).fetch(graphs.layerGradient(fetches.score(), fetches.layer()));
                fetched.add("A");
                fetched.add("dA");
            }
            if (fetches.inputGradient()) {
                runner.fetch(graphs.inputGradient(fetches.score()));
                fetched.add("dX");
            }
            if (fetches.guided()) {
                runner.fetch(graphs.guidedGradient(fetches.score(), true));
                fetched.add("guided");
            }
            ExplanationGraphs.FullGradGraph full = null;
            int fullFrom = fetched.size();
            if (fetches.fullGrad()) {
                full = graphs.fullGrad(fetches.score(), layout);
                runner.fetch(full.inputGradient());
                for (org.tensorflow.Output<?> dz : full.layerGradients()) {
                    runner.fetch(dz);
                }
                for (BiasLayers.BiasLayer l : full.layers()) {
                    l.parameters().forEach(t -> runner.fetch(t.toString()));
                }
            }
            long t0 = System.nanoTime();
            List<float[]> v = new ArrayList<>();
            long[] layerShape = null;
            FullGradValues fullValues = null;
            try (Result r = runner.run()) {
                for (int i = 0; i < fetched.size(); i++) {
                    v.add(TensorData.floats(r.get(i)));
                }
                if (fetches.layer() != null) {
                    layerShape = r.get(fetched.indexOf("A")).shape().asArray();
                }
                if (full != null) {
                    fullValues = fullGradValues(r, fullFrom, full, layout, rows, h, w, c);
                }
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            return new Fetched(v.get(0), get(v, fetched, "A"), get(v, fetched, "dA"), layerShape,
                    nhwc(get(v, fetched, "dX"), layout, rows, h, w, c),
                    nhwc(get(v, fetched, "guided"), layout, rows, h, w, c), ms, fullValues);
        }
    }

    /** FullGrad's fetches of a run, from result index {@code from} on, in the order {@link #run} asked for them. */
    private static FullGradValues fullGradValues(Result r, int from, ExplanationGraphs.FullGradGraph full,
            DataLayout layout, int rows, int h, int w, int c) {
        int k = from;
        float[] dx = nhwc(TensorData.floats(r.get(k++)), layout, rows, h, w, c);
        List<float[]> gradients = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; i < full.layers().size(); i++) {
            gradients.add(TensorData.floats(r.get(k)));
            shapes.add(r.get(k++).shape().asArray());
        }
        List<double[]> biases = new ArrayList<>();
        for (BiasLayers.BiasLayer l : full.layers()) {
            List<float[]> values = new ArrayList<>();
            for (int j = 0; j < l.parameters().size(); j++) {
                values.add(TensorData.floats(r.get(k++)));
            }
            biases.add(l.bias(values));
        }
        return new FullGradValues(dx, full.layers(), gradients, shapes, biases);
    }

    /** A dense output of a run, channels last: {@code values[((r * height + v) * width + u) * channels + k]}. */
    record DenseOutput(float[] values, int height, int width, int channels) {}

    /** A forward-only run of {@code rows} NHWC inputs of a dense model: its output as it computes it, channels last. */
    DenseOutput denseOutput(float[] values, int rows, int h, int w, int c) {
        DataLayout layout = model.inputLayout().layout();
        try (Tensor x = TensorData.tensor(layout.fromNhwc(values, rows, h, w, c),
                layout.fromNhwc(new long[] {rows, h, w, c}), model.input().dtype());
                Result r = model.serving().session().runner().feed(model.serving().input().toString(), x)
                        .fetch(model.serving().output().toString()).run()) {
            float[] out = TensorData.floats(r.get(0));
            long[] s = r.get(0).shape().asArray();
            if (model.outputSpec().regression()) {
                return new DenseOutput(out, 1, 1, model.outputUnits());
            }
            if (s.length == 3) {
                return new DenseOutput(out, (int) s[1], (int) s[2], 1);
            }
            if (s.length != 4) {
                throw new IllegalStateException("The model's output has shape " + java.util.Arrays.toString(s)
                        + ", not [batch, y, x, channels].");
            }
            if (model.outputSpec().channelsFirst()) {
                return new DenseOutput(DataLayout.NCHW.toNhwc(out, rows, (int) s[2], (int) s[3], (int) s[1]),
                        (int) s[2], (int) s[3], (int) s[1]);
            }
            return new DenseOutput(out, (int) s[1], (int) s[2], (int) s[3]);
        }
    }

    /**
     * A forward-only run of {@code rows} NHWC inputs (as {@link #run}): the per-class scores of {@code kind},
     * {@code [rows, classes]}, without gradients. With {@code feed}, the layer's output tensor is fed its values
     * instead of being computed, so TensorFlow runs only what lies downstream of it (and what else the scores need
     * from the input, such as a skip connection from before the layer); a failure of that run is an
     * {@link IllegalArgumentException} naming the layer.
     */
    float[] scores(float[] values, int rows, int h, int w, int c, ScoreKind kind, LayerFeed feed) {
        DataLayout layout = model.inputLayout().layout();
        try (Tensor x = TensorData.tensor(layout.fromNhwc(values, rows, h, w, c),
                layout.fromNhwc(new long[] {rows, h, w, c}), model.input().dtype());
                Tensor a = feed == null ? null
                        : TensorData.tensor(feed.values(), feed.shape(), layerType(feed.layer()));
                Tensor wt = graphs.score(kind).region() == null ? null : regionTensor(region, rows)) {
            Session.Runner runner = model.serving().session().runner().feed(model.serving().input().toString(), x)
                    .fetch(graphs.score(kind).scores());
            if (wt != null) {
                runner.feed(graphs.score(kind).region(), wt);
            }
            try {
                if (a != null) {
                    runner.feed(feed.layer().tensor(), a);
                }
                try (Result r = runner.run()) {
                    return TensorData.floats(r.get(0));
                }
            } catch (RuntimeException e) {
                // TensorFlow's errors arrive as IllegalArgumentException, IllegalStateException, TensorFlowException…
                if (feed == null) {
                    throw e;
                }
                throw new IllegalArgumentException("TensorFlow could not run the model on from layer '"
                        + feed.layer().name() + "' with its activations replaced (" + firstLine(e.getMessage())
                        + "). Fix: choose another layer (see the model's layer list) or a method that does not "
                        + "replace a layer's output (Score-CAM, Grad-CAM).", e);
            }
        }
    }

    /** The tensor type of a layer's output, as {@link TensorData#tensor} names it. */
    private String layerType(Layer layer) {
        String t = model.serving().tensor(layer.tensorName()).dataType().name();
        return switch (t) {
            case "DT_FLOAT" -> "float";
            case "DT_DOUBLE" -> "double";
            default -> throw new IllegalArgumentException("Layer '" + layer.name() + "' holds " + t + " values, "
                    + "which cannot be fed back. Fix: choose a float32 or float64 layer, or another method.");
        };
    }

    private static String firstLine(String message) {
        String m = String.valueOf(message).trim();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).trim();
    }

    private static float[] get(List<float[]> values, List<String> fetched, String key) {
        int i = fetched.indexOf(key);
        return i < 0 ? null : values.get(i);
    }

    /** Input gradients of a channels-first model come back [n, c, h, w]: reordered to NHWC like the images. */
    private static float[] nhwc(float[] values, DataLayout layout, int rows, int h, int w, int c) {
        return values == null ? null : layout.toNhwc(values, rows, h, w, c);
    }

    /** The one-hot class rows fed to the score. */
    private Tensor oneHot(int[] classes) {
        int k = model.classes();
        float[] oh = new float[classes.length * k];
        for (int i = 0; i < classes.length; i++) {
            oh[i * k + classes[i]] = 1f;
        }
        return TensorData.tensor(oh, new long[] {classes.length, k},
                model.input().dtype().equals("double") ? "double" : "float");
    }
}
