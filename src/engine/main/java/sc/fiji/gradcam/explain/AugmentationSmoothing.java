package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sc.fiji.gradcam.api.Layer;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor.ModelInput;

/**
 * pytorch-grad-cam's {@code aug_smooth} ({@code BaseCAM.forward_augmentation_smoothing}, with ttach's
 * {@code Compose([HorizontalFlip(), Multiply(factors=[0.9, 1, 1.1])])}): every CAM-like map is computed for six
 * augmented model inputs — mirrored left-right or not, times 0.9, 1 or 1.1 (the values fed to the model, as
 * pytorch-grad-cam multiplies the normalised tensor; a uint8 input is rounded and clamped to 0..255) — each divided by
 * its maximum, mirrored back, and the six averaged.
 * <p>
 * Everything happens in model-input space at feature resolution: a map is mirrored back before it is upsampled, which
 * is exact because the upsampling ({@link sc.fiji.gradcam.api.image.MapResampler}, centred in every resize mode) commutes
 * with mirroring; pytorch-grad-cam mirrors after upsampling. Each map is divided by its maximum, as everywhere in
 * this project, where pytorch-grad-cam min-max scales it after upsampling (the same unless a map has no zero).
 * <p>
 * <b>Target class (a deviation):</b> pytorch-grad-cam's automatic target is each augmented input's own top-1 class;
 * here all six explain the class of the <em>unaugmented</em> image (its top-1 for {@code auto}), so that the map
 * explains the reported prediction. Predictions and the input-gradient maps are the unaugmented image's.
 * <p>
 * The unaugmented input is the identity augmentation (no mirror, × 1): its maps come from the explainer's own run. The
 * other five inputs of every image of a batch go together in runs of {@link BatchRun#rowsPerRun()} rows (one run
 * for a single image when the batch dimension is free; one per input for a model with a fixed batch of one), which
 * fetch the layer only.
 */
final class AugmentationSmoothing {

    /** A test-time augmentation: mirrored left-right or not, and the factor the input values are multiplied by. */
    record Augmentation(boolean flip, float factor) {

        /** The augmented copy of one NHWC model input of {@code h × w × c} values, written at {@code at}. */
        void apply(float[] input, int h, int w, int c, float[] out, int at) {
            for (int v = 0; v < h; v++) {
                for (int u = 0; u < w; u++) {
                    int from = (v * w + (flip ? w - 1 - u : u)) * c;
                    int to = at + (v * w + u) * c;
                    for (int ch = 0; ch < c; ch++) {
                        out[to + ch] = input[from + ch] * factor;
                    }
                }
            }
        }
    }

    /** ttach's six, in its order: no mirror, then mirror, each × 0.9, 1, 1.1. */
    static final List<Augmentation> AUGMENTATIONS = List.of(new Augmentation(false, 0.9f),
            new Augmentation(false, 1f), new Augmentation(false, 1.1f), new Augmentation(true, 0.9f),
            new Augmentation(true, 1f), new Augmentation(true, 1.1f));

    /** The unaugmented input. */
    static final Augmentation IDENTITY = new Augmentation(false, 1f);

    /** The five that need runs of their own. */
    static final List<Augmentation> EXTRA = AUGMENTATIONS.stream().filter(a -> !a.equals(IDENTITY)).toList();

    private AugmentationSmoothing() {}

    /**
     * The smoothed raw maps of a batch's images: {@code unaugmented} holds each image's raw CAM-like maps from the
     * explainer's run, {@code classes} the class each image's maps explain. The extra runs' time is added to each
     * image's {@code forward} timing, the preparation of their inputs to {@code preprocess}, the maps' to each method's.
     */
    static List<Map<Method, MapImage>> smooth(BatchRun runner, ExplainRequest request, Layer layer,
            List<ModelInput> inputs, Preprocessing p, int[] classes, List<Map<Method, MapImage>> unaugmented,
            List<Map<String, Double>> timings) {
        int n = inputs.size();
        List<Mean> means = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            means.add(new Mean());
            means.get(i).add(IDENTITY, unaugmented.get(i));
        }
        int h = p.height();
        int w = p.width();
        int c = p.channels();
        int per = h * w * c;
        int total = n * EXTRA.size();
        BatchRun.Fetches fetches = new BatchRun.Fetches(request.score(), layer, false, false);
        for (int start = 0; start < total; start += runner.rowsPerRun()) {
            int rows = Math.min(runner.rowsPerRun(), total - start);
            long t0 = System.nanoTime();
            float[] values = new float[rows * per];
            int[] rowClasses = new int[rows];
            for (int r = 0; r < rows; r++) {
                int i = (start + r) / EXTRA.size();
                EXTRA.get((start + r) % EXTRA.size()).apply(inputs.get(i).values(), h, w, c, values, r * per);
                rowClasses[r] = classes[i];
            }
            double prepareMs = (System.nanoTime() - t0) / 1e6;
            BatchRun.Fetched f = runner.run(values, rows, h, w, c, rowClasses, fetches);
            for (int r = 0; r < rows; r++) {
                int i = (start + r) / EXTRA.size();
                Map<String, Double> t = timings.get(i);
                t.merge("preprocess", prepareMs / rows, Double::sum);
                t.merge("forward", f.ms() / rows, Double::sum);
                means.get(i).add(EXTRA.get((start + r) % EXTRA.size()), CamMaps.of(f, r, layer, request.methods(),
                        request.eigenSmooth(), new Perturbation(runner, request.score(), values, h, w, c, rowClasses),
                        t));
            }
        }
        return means.stream().map(Mean::maps).toList();
    }

    /** {@code h × w × c} NHWC values mirrored left-right. */
    static float[] mirrored(float[] values, int h, int w, int c) {
        float[] out = new float[values.length];
        new Augmentation(true, 1f).apply(values, h, w, c, out, 0);
        return out;
    }

    /** The running mean of one image's six maps per method, each divided by its maximum and mirrored back. */
    static final class Mean {

        private final Map<Method, double[]> sums = new LinkedHashMap<>();
        private final Map<Method, MapImage> shapes = new LinkedHashMap<>();
        private int added;

        /** Adds the raw maps of the input augmented by {@code a}. */
        void add(Augmentation a, Map<Method, MapImage> raw) {
            raw.forEach((m, map) -> {
                float[] back = a.flip() ? mirrored(map.data(), map.height(), map.width(), 1) : map.data();
                double max = Math.max(0, map.max());
                double[] sum = sums.computeIfAbsent(m, k -> new double[back.length]);
                shapes.putIfAbsent(m, map);
                if (max > 0) {
                    for (int j = 0; j < back.length; j++) {
                        sum[j] += back[j] / max;
                    }
                }
            });
            added++;
        }

        /** The mean maps (zero where every map was empty). */
        Map<Method, MapImage> maps() {
            if (added != AUGMENTATIONS.size()) {
                throw new IllegalStateException(added + " augmented maps, not " + AUGMENTATIONS.size());
            }
            Map<Method, MapImage> out = new LinkedHashMap<>();
            sums.forEach((m, sum) -> {
                float[] mean = new float[sum.length];
                for (int j = 0; j < sum.length; j++) {
                    mean[j] = (float) (sum[j] / added);
                }
                out.put(m, new MapImage(shapes.get(m).width(), shapes.get(m).height(), 1, mean));
            });
            return out;
        }
    }
}
