package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.collapse;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.gray;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.normalise;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.Percentiles;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.WeightRandomiser;

/**
 * Section 4 of the evaluation (issue G.6): explanations of region targets on dense models (the output channel summed
 * over a box). For each box and method: the <em>concentration</em> of the map (its share of mass within the box
 * dilated by a margin, over that neighbourhood's share of the image area), a <em>deletion curve</em> of the region's
 * score (the map's top-ranked input pixels set to the model-input baseline 0, against random orders), and the
 * model-randomisation check (Spearman ρ of trained vs re-initialised maps).
 *
 * <p>The images are normalised once (1–99.8 % percentiles to 0..255) and handed to the explainer as 8-bit, so that the
 * model input is {@code v / 255} for the unperturbed and every perturbed image alike: deleting pixels does not move a
 * per-image normalisation, and a deleted pixel is exactly the model-input value 0.
 */
final class DenseSection {

    /** The methods compared, with the map used per method (non-negative CAMs as they are, the others as |value|). */
    static final List<Method> DEFAULT_METHODS = List.of(Method.GRADCAM, Method.HIRESCAM, Method.GRADIENT,
            Method.GUIDED_GRADCAM, Method.INTEGRATED_GRADIENTS);

    /** One dense model's case: its explainer, images (already normalised, 8-bit kind) and boxes per image. */
    record Case(String name, LoadedModel model, ModelExplainer explainer, List<InputImage> images,
            List<List<Region>> regions, int margin, int costlyBoxes, int costlyRandomisedBoxes, String description) {}

    /** Integrated Gradients (50 gradient passes) only on the first boxes of a case: the rest of the methods cost one. */
    static boolean costly(Method m) {
        return m == Method.INTEGRATED_GRADIENTS;
    }

    private List<Method> methodsFor(int box, int costlyBoxes) {
        return methods.stream().filter(m -> !costly(m) || box < costlyBoxes).toList();
    }

    /** The readings of one box. */
    record BoxResult(String image, Region region, String layer, double score, Map<Method, Double> concentration,
            Map<Method, double[]> deletion, double[] random, Map<Method, float[]> maps, double areaFraction) {}

    /** The readings of one case. */
    record CaseResult(Case c, List<BoxResult> boxes, Map<String, Map<Method, Stat>> randomisation, double seconds,
            int deleted) {}

    private final List<Method> methods;
    private final int steps;
    private final int randomOrders;
    private final long seed;

    DenseSection(List<Method> methods, int steps, int randomOrders, long seed) {
        this.methods = methods;
        this.steps = steps;
        this.randomOrders = randomOrders;
        this.seed = seed;
    }

    /** {@code image} normalised by its 1–99.8 % percentiles to 0..255 and marked 8-bit (so the explainer maps 0..255 to the model range). */
    static InputImage normalised(InputImage image) {
        double[] lh = Percentiles.of(image, Preprocessing.DEFAULT_LOW_PERCENTILE, Preprocessing.DEFAULT_HIGH_PERCENTILE);
        double lo = lh[0];
        double hi = lh[1] > lh[0] ? lh[1] : lh[0] + 1;
        float[] d = new float[image.width() * image.height() * image.channels()];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((image.data()[i] - lo) * 255 / (hi - lo));
        }
        return new InputImage(image.width(), image.height(), image.channels(), d, PixelKind.UINT8);
    }

    /** {@code n} random {@code size} × {@code size} boxes inside a {@code w} × {@code h} image. */
    static List<Region> randomBoxes(int w, int h, int size, int n, long seed) {
        Random r = new Random(seed);
        List<Region> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Region.rectangle(r.nextInt(w - size + 1), r.nextInt(h - size + 1), size, size, "box" + (i + 1)));
        }
        return out;
    }

    /**
     * Two boxes of {@code size} on a spot image: one centred on the brightest 3×3 mean ("spot"), one where the 3×3
     * mean is lowest ("background").
     */
    static List<Region> spotBoxes(InputImage im, int size) {
        int w = im.width();
        int h = im.height();
        double best = Double.NEGATIVE_INFINITY;
        double worst = Double.POSITIVE_INFINITY;
        int bi = 0;
        int wi = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                double s = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        s += im.data()[(y + dy) * w + x + dx];
                    }
                }
                if (s > best) {
                    best = s;
                    bi = y * w + x;
                }
                if (s < worst) {
                    worst = s;
                    wi = y * w + x;
                }
            }
        }
        return List.of(box(bi % w, bi / w, size, w, h, "spot"), box(wi % w, wi / w, size, w, h, "background"));
    }

    private static Region box(int cx, int cy, int size, int w, int h, String name) {
        int x = Math.max(0, Math.min(w - size, cx - size / 2));
        int y = Math.max(0, Math.min(h - size, cy - size / 2));
        return Region.rectangle(x, y, size, size, name);
    }

    /** The pixels of a rectangle grown by {@code margin} (clipped to the image). */
    static boolean[] rect(Region r, int margin, int w, int h) {
        boolean[] m = new boolean[w * h];
        int x0 = Math.max(0, r.x() - margin);
        int y0 = Math.max(0, r.y() - margin);
        int x1 = Math.min(w, r.x() + r.width() + margin);
        int y1 = Math.min(h, r.y() + r.height() + margin);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                m[y * w + x] = true;
            }
        }
        return m;
    }

    /** The values of {@code map} where {@code mask} is set. */
    static float[] pick(float[] map, boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        float[] out = new float[n];
        int k = 0;
        for (int i = 0; i < map.length; i++) {
            if (mask[i]) {
                out[k++] = map[i];
            }
        }
        return out;
    }

    /** Share of the map's mass on {@code near} over the share of the image area it covers (1 = no concentration). */
    static double concentration(float[] map, boolean[] near) {
        double in = 0;
        double all = 0;
        int n = 0;
        for (int i = 0; i < map.length; i++) {
            double v = Math.max(0, map[i]);
            all += v;
            if (near[i]) {
                in += v;
                n++;
            }
        }
        return all > 0 ? (in / all) / ((double) n / map.length) : Double.NaN;
    }

    /** The map a method is judged by: CAM maps as they are (non-negative), the others as |value| summed over channels. */
    static float[] judged(Explanation e, Method m) {
        MapImage map = e.maps().get(m);
        return m.camLike() ? map.data() : collapse(map);
    }

    private ExplainRequest request(Region r, Set<Method> ms) {
        return ExplainRequest.defaults().withMethods(ms.isEmpty() ? EnumSet.noneOf(Method.class) : EnumSet.copyOf(ms))
                .withRegion(r).withAggregate(Region.Aggregate.SUM);
    }

    /** The region's aggregated output for each image (forward passes through the explainer, no maps). */
    double[] scores(ModelExplainer ex, List<InputImage> images, Region r) {
        double[] out = new double[images.size()];
        for (int i0 = 0; i0 < images.size(); i0 += ModelExplainer.MAX_BATCH) {
            List<InputImage> part = images.subList(i0, Math.min(images.size(), i0 + ModelExplainer.MAX_BATCH));
            List<List<Explanation>> e = ex.explain(part, request(r, Set.of()));
            for (int i = 0; i < part.size(); i++) {
                out[i0 + i] = e.get(i).get(0).region().value();
            }
        }
        return out;
    }

    /**
     * The {@code steps} images with the first {@code k · deleted / steps} pixels of {@code order} set to 0 (the model
     * input's baseline), k = 1..steps.
     */
    static List<InputImage> deletions(InputImage im, int[] order, int deleted, int steps) {
        List<InputImage> out = new ArrayList<>();
        float[] cur = im.data().clone();
        int plane = im.width() * im.height();
        int done = 0;
        for (int s = 1; s <= steps; s++) {
            int until = (int) Math.round((double) s * deleted / steps);
            for (; done < until; done++) {
                for (int c = 0; c < im.channels(); c++) {
                    cur[c * plane + order[done]] = 0;
                }
            }
            out.add(new InputImage(im.width(), im.height(), im.channels(), cur.clone(), im.kind()));
        }
        return out;
    }

    /**
     * |s_k − s_0| / scale for k = 0..steps: how far deleting moves the region's score, as a share of the largest change
     * any order reached on the same box ({@code scale}; a relative change |Δ| / |s_0| explodes on a box whose score is
     * near 0, such as DEFCoN's background boxes).
     */
    static double[] relative(double s0, double scale, double[] s) {
        double[] c = new double[s.length + 1];
        for (int k = 0; k < s.length; k++) {
            c[k + 1] = scale > 0 ? Math.abs(s[k] - s0) / scale : 0;
        }
        return c;
    }

    CaseResult run(Case c, boolean randomise) {
        long t0 = System.nanoTime();
        log(c.name() + ": dense region targets");
        List<BoxResult> boxes = new ArrayList<>();
        int index = 0;
        int deletedMax = 0;
        double explainSeconds = 0;
        double deletionSeconds = 0;
        Random random = new Random(seed);
        for (int i = 0; i < c.images().size(); i++) {
            InputImage im = c.images().get(i);
            int w = im.width();
            int h = im.height();
            for (Region r : c.regions().get(i)) {
                List<Method> here = methodsFor(index++, c.costlyBoxes());
                long te = System.nanoTime();
                Explanation e = c.explainer().explain(im, request(r, EnumSet.copyOf(here))).get(0);
                explainSeconds += (System.nanoTime() - te) / 1e9;
                if (boxes.isEmpty()) {
                    log(c.name() + ": timings of one explanation (ms) " + e.timingsMs());
                }
                boolean[] near = rect(r, c.margin(), w, h);
                int nearArea = 0;
                for (boolean b : near) {
                    nearArea += b ? 1 : 0;
                }
                // delete as many pixels as the region's neighbourhood has: a map that found it deletes it first
                int deleted = nearArea;
                deletedMax = Math.max(deletedMax, deleted);
                Map<Method, Double> conc = new LinkedHashMap<>();
                Map<Method, float[]> maps = new LinkedHashMap<>();
                List<InputImage> batch = new ArrayList<>();
                batch.add(im);
                for (Method m : here) {
                    float[] map = judged(e, m);
                    maps.put(m, map);
                    conc.put(m, concentration(map, near));
                    batch.addAll(deletions(im, Perturbation.order(map, random), deleted, steps));
                }
                for (int k = 0; k < randomOrders; k++) {
                    batch.addAll(deletions(im, Perturbation.order(Perturbation.randomMap(w, h, random), random), deleted,
                            steps));
                }
                long td = System.nanoTime();
                double[] s = scores(c.explainer(), batch, r);
                deletionSeconds += (System.nanoTime() - td) / 1e9;
                double s0 = s[0];
                double scale = 0;
                for (double v : s) {
                    scale = Math.max(scale, Math.abs(v - s0));
                }
                Map<Method, double[]> del = new LinkedHashMap<>();
                int k = 1;
                for (Method m : here) {
                    del.put(m, relative(s0, scale, java.util.Arrays.copyOfRange(s, k, k + steps)));
                    k += steps;
                }
                double[] rnd = new double[steps + 1];
                for (int q = 0; q < randomOrders; q++) {
                    double[] cv = relative(s0, scale, java.util.Arrays.copyOfRange(s, k, k + steps));
                    for (int j = 0; j <= steps; j++) {
                        rnd[j] += cv[j] / randomOrders;
                    }
                    k += steps;
                }
                boxes.add(new BoxResult("image " + (i + 1), r, e.layer() == null ? null : e.layer().name(),
                        e.region().value(), conc, del, rnd, maps,
                        (double) nearArea / (w * h)));
            }
        }
        log(c.name() + ": maps " + fmt(explainSeconds, 1) + " s, deletion forwards " + fmt(deletionSeconds, 1) + " s");
        Map<String, Map<Method, Stat>> rho = new LinkedHashMap<>();
        if (randomise) {
            List<String> layers = WeightRandomiser.layers(c.model());
            Map<String, List<String>> stages = new LinkedHashMap<>();
            stages.put("top layer (" + layers.get(layers.size() - 1) + ")", List.of(layers.get(layers.size() - 1)));
            stages.put("all " + layers.size() + " layers", layers);
            for (Map.Entry<String, List<String>> st : stages.entrySet()) {
                log(c.name() + ": randomised " + st.getKey());
                Map<Method, Stat> per = new LinkedHashMap<>();
                Map<Method, Stat> inBox = new LinkedHashMap<>();
                for (Method m : methods) {
                    per.put(m, new Stat());
                    inBox.put(m, new Stat());
                }
                // in the loaded model's memory, restored afterwards (Explainer.reinitialised reloads the model from
                // its folder without the load options, which a graph-tensor model such as DEFCoN needs)
                WeightRandomiser rnd = new WeightRandomiser(c.model());
                try {
                    rnd.randomise(st.getValue(), seed);
                    int b = 0;
                    for (int i = 0; i < c.images().size(); i++) {
                        for (Region r : c.regions().get(i)) {
                            List<Method> here = methodsFor(b, c.costlyRandomisedBoxes());
                            Explanation e = c.explainer().explain(c.images().get(i), request(r, EnumSet.copyOf(here)))
                                    .get(0);
                            BoxResult trained = boxes.get(b++);
                            InputImage im = c.images().get(i);
                            boolean[] near = rect(r, c.margin(), im.width(), im.height());
                            for (Method m : here) {
                                float[] now = judged(e, m);
                                double v = Metrics.spearman(trained.maps().get(m), now);
                                per.get(m).add(Double.isNaN(v) ? 0 : v);
                                double w = Metrics.spearman(pick(trained.maps().get(m), near), pick(now, near));
                                inBox.get(m).add(Double.isNaN(w) ? 0 : w);
                            }
                        }
                    }
                } finally {
                    rnd.restore();
                }
                rho.put(st.getKey() + ", whole image", per);
                rho.put(st.getKey() + ", box + margin only", inBox);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        log(c.name() + ": " + fmt(seconds, 0) + " s");
        return new CaseResult(c, boxes, rho, seconds, deletedMax);
    }

    /** AUC of a method's deletion curves minus the random orders' on the same box: per box, then summarised. */
    static Stat aucGain(List<BoxResult> boxes, Method m) {
        Stat s = new Stat();
        for (BoxResult b : boxes) {
            if (b.deletion().containsKey(m) && !Double.isNaN(b.concentration().get(m))) {
                s.add(Metrics.auc(b.deletion().get(m)) - Metrics.auc(b.random()));
            }
        }
        return s;
    }

    /** Appends the section's markdown: per case the concentration / deletion table and the randomisation table. */
    void write(StringBuilder md, List<CaseResult> results, int margin, String figure, String curves) {
        md.append("## 4. Dense models: region targets (issue G)\n\n");
        md.append("For a dense model the target is an output channel summed over a region (`--region x,y,w,h`, "
                + "aggregate sum). Each map is judged by (a) its *concentration*: the share of its mass (CAM maps as they "
                + "are, non-negative; Gradient, Guided Grad-CAM and Integrated Gradients as |value|) inside the box grown "
                + "by a margin, divided by the share of the image area that neighbourhood covers — 1 means no "
                + "preference for the region, higher means the map points at it; (b) a *deletion curve* of the region's "
                + "score: the input pixels are set to the model-input baseline 0 in the order of the map's rank, in ")
                .append(steps).append(" steps up to as many pixels as the grown box has, and the region's summed output "
                + "is recomputed; the curve is |score − score₀| / |score₀| and its area (x from 0 to 1 = all of those "
                + "pixels deleted) says how fast the map's top pixels move the score — higher is better; *random* is the "
                + "mean curve of ").append(randomOrders).append(" random orders on the same box. The images are "
                + "normalised once (1–99.8 % percentiles) and fed as fixed-range values, so deleting pixels does not "
                + "change the normalisation. (c) the randomisation check: the same boxes explained by the model with "
                + "its top layer, and with all layers, re-initialised (He-normal kernels, zero biases; in the loaded "
                + "model's memory, restored afterwards), Spearman ρ of the trained and randomised maps over the whole "
                + "image and over the grown box only (a constant map counts as 0).\n\n");
        for (CaseResult r : results) {
            md.append("**").append(r.c().name()).append("** — ").append(r.c().description()).append(" Margin ")
                    .append(r.c().margin()).append(" px; the grown box is ")
                    .append(fmt(100 * r.boxes().stream().mapToDouble(BoxResult::areaFraction).average().orElse(0), 1))
                    .append(" % of the image on average (").append(r.boxes().size()).append(" boxes, ")
                    .append(fmt(r.seconds(), 0)).append(" s). CAM layer: `").append(r.boxes().get(0).layer())
                    .append("`; region score (sum) of the boxes: ").append(fmt(r.boxes().stream()
                            .mapToDouble(BoxResult::score).min().orElse(0), 2)).append(" to ").append(fmt(r.boxes()
                            .stream().mapToDouble(BoxResult::score).max().orElse(0), 2)).append(".\n\n");
            md.append("| map | concentration (mean ± 95 % CI) | boxes with concentration > 1 | deletion AUC | "
                    + "deletion AUC − random (same box) | better than random |\n|---|---:|---:|---:|---:|---:|\n");
            for (Method m : methods) {
                Stat conc = new Stat();
                Stat above = new Stat();
                Stat auc = new Stat();
                Stat win = new Stat();
                for (BoxResult b : r.boxes()) {
                    if (!b.concentration().containsKey(m)) {
                        continue;
                    }
                    double cc = b.concentration().get(m);
                    conc.add(cc);
                    if (!Double.isNaN(cc)) {
                        above.add(cc > 1 ? 1 : 0);
                    }
                    if (Double.isNaN(cc)) {
                        continue; // an empty map has no order: its deletion is a random one
                    }
                    double a = Metrics.auc(b.deletion().get(m));
                    auc.add(a);
                    win.add(a > Metrics.auc(b.random()) ? 1 : 0);
                }
                long with = r.boxes().stream().filter(b -> b.concentration().containsKey(m)).count();
                long empty = with - conc.n();
                md.append("| ").append(title(m)).append(with < r.boxes().size() ? " (first " + with + " boxes)" : "")
                        .append(empty > 0 ? ", " + empty + " empty map" + (empty > 1 ? "s" : "") : "")
                        .append(" | ").append(conc.format(2)).append(" | ")
                        .append(fmt(above.mean(), 2)).append(" | ").append(auc.format(3)).append(" | ")
                        .append(aucGain(r.boxes(), m).format(3)).append(" | ").append(fmt(win.mean(), 2)).append(" |\n");
            }
            Stat rnd = new Stat();
            for (BoxResult b : r.boxes()) {
                rnd.add(Metrics.auc(b.random()));
            }
            md.append("| random order | – | – | ").append(rnd.format(3)).append(" | – | – |\n\n");
            if (!r.randomisation().isEmpty()) {
                md.append("Randomisation, ").append(r.c().name()).append(" (Spearman ρ with the trained model's map, mean "
                        + "± 95 % CI over the boxes):\n\n");
                md.append("| re-initialised | ").append(String.join(" | ", methods.stream().map(DenseSection::title)
                        .toList())).append(" |\n|---|").append("---:|".repeat(methods.size())).append("\n");
                for (Map.Entry<String, Map<Method, Stat>> st : r.randomisation().entrySet()) {
                    md.append("| ").append(st.getKey()).append(" | ");
                    for (Method m : methods) {
                        Stat v = st.getValue().get(m);
                        md.append(v.format(2)).append(v.n() > 0 && v.n() < r.boxes().size() ? " (n " + v.n() + ")" : "")
                                .append(" | ");
                    }
                    md.append("\n");
                }
                md.append("\n");
            }
        }
        reading(md, results);
        if (curves != null) {
            md.append("![Deletion curves of the region score](").append(curves).append(")\n\n");
        }
        if (figure != null) {
            md.append("![Example maps for region targets](").append(figure).append(")\n\n");
        }
    }

    private static Stat concentrationOf(CaseResult r, Method m) {
        Stat s = new Stat();
        r.boxes().stream().filter(b -> b.concentration().containsKey(m)).forEach(b -> s.add(b.concentration().get(m)));
        return s;
    }

    private static Stat deletionOf(CaseResult r, Method m) {
        Stat s = new Stat();
        for (BoxResult b : r.boxes()) {
            if (m == null) {
                s.add(Metrics.auc(b.random()));
            } else if (b.deletion().containsKey(m) && !Double.isNaN(b.concentration().get(m))) {
                s.add(Metrics.auc(b.deletion().get(m)));
            }
        }
        return s;
    }

    private static String rho(CaseResult r, String suffix, Method m) {
        String key = null;
        for (String k : r.randomisation().keySet()) {
            if (k.endsWith(suffix)) {
                key = k; // the last: all layers
            }
        }
        return key == null ? "–" : fmt(r.randomisation().get(key).get(m).mean(), 2);
    }

    private static long empty(CaseResult r, Method m) {
        return r.boxes().stream().filter(b -> b.concentration().containsKey(m)
                && Double.isNaN(b.concentration().get(m))).count();
    }

    /** The generated reading: every number is this run's. */
    private void reading(StringBuilder md, List<CaseResult> results) {
        md.append("**Reading.** ");
        for (CaseResult r : results) {
            double ceiling = 1 / r.boxes().stream().mapToDouble(BoxResult::areaFraction).average().orElse(1);
            Stat gc = concentrationOf(r, Method.GRADCAM);
            md.append("*").append(r.c().name()).append(":* the ceiling of concentration (all mass in the box + margin) "
                    + "is about ").append(fmt(ceiling, 1)).append(". ");
            StringBuilder high = new StringBuilder();
            for (Method m : methods) {
                if (m != Method.GRADCAM && concentrationOf(r, m).mean() > 0.5 * ceiling) {
                    high.append(high.length() == 0 ? "" : ", ").append(title(m)).append(" ")
                            .append(fmt(concentrationOf(r, m).mean(), 1));
                }
            }
            if (high.length() > 0) {
                md.append("Near the ceiling: ").append(high).append(" — by construction, the input gradient of a "
                        + "region sum is zero beyond the region's receptive field, and HiResCAM's element-wise "
                        + "gradient × activation keeps that locality. ");
            }
            md.append("Grad-CAM: ").append(fmt(gc.mean(), 2)).append(empty(r, Method.GRADCAM) > 0 ? " (" + empty(r,
                    Method.GRADCAM) + " of " + r.boxes().size() + " maps empty)" : "").append(gc.mean() < 2
                    ? " — it does not point at the region: its channel weights are the gradient's spatial means, so its "
                    + "map is Σ_k w_k A_k over the whole layer and shows where the channels the region's output uses "
                    + "are active anywhere in the image (the figure: a cell far from a background box). "
                    : ". ");
            md.append("Deletion AUC (per-box normalised): ");
            for (Method m : methods) {
                md.append(title(m)).append(" ").append(fmt(deletionOf(r, m).mean(), 2)).append(", ");
            }
            md.append("random ").append(fmt(deletionOf(r, null).mean(), 2)).append(". ");
            if (!r.randomisation().isEmpty()) {
                md.append("All layers re-initialised, ρ whole image / box + margin: ");
                for (Method m : methods) {
                    md.append(title(m)).append(" ").append(rho(r, "whole image", m)).append(" / ")
                            .append(rho(r, "margin only", m)).append(m == methods.get(methods.size() - 1) ? ". " : ", ");
                }
            }
            md.append("\n\n");
        }
        md.append("What it means: for a region target, the gradient-based maps (HiResCAM, |Gradient|, Integrated "
                + "Gradients) are local and their order is the one that moves the region's score; Grad-CAM at the "
                + "bottleneck answers a different question (which features, found anywhere) and should not be read as "
                + "\"where in the image the region's value comes from\". CARE is residual (output = input + U-Net), so "
                + "∂Σ_region out/∂x has an identity term on the region's own pixels: its |Gradient| and Integrated "
                + "Gradients maps are dominated by the box itself, deleting the box's pixels is what moves its sum, and "
                + "that part does not depend on the weights — which is why |Gradient| keeps a high ρ after all layers "
                + "are re-initialised. Over the whole image, ρ of a local map is inflated by the tied zeros outside the "
                + "receptive field (an architecture property); the box + margin rows are the ones to read. Empty maps "
                + "(no positive evidence, e.g. Grad-CAM on DEFCoN's background boxes whose count is ≈ 0) count as ρ = 0 "
                + "and are left out of concentration and deletion. Limits: one CARE image and few boxes; Integrated "
                + "Gradients on CARE only on the first boxes and not in its randomisation (50 gradient passes, "
                + "~35 s per box on 2 cores); the deletion value 0 is the 1 % percentile of the image, close to "
                + "background, so a random order, which mostly hits background, changes little.\n\n");
    }

    static String title(Method m) {
        return m == Method.GRADIENT ? "|Gradient|" : m == Method.INTEGRATED_GRADIENTS ? "|Integrated Gradients|"
                : m == Method.GUIDED_GRADCAM ? "|Guided Grad-CAM|" : m.title();
    }

    /** Mean deletion curves per method and random, one panel per case. */
    void plot(List<CaseResult> results, Path file) throws IOException {
        List<Plots.Panel> panels = new ArrayList<>();
        for (CaseResult r : results) {
            List<Plots.Series> series = new ArrayList<>();
            double yMax = 0;
            int c = 0;
            List<String> names = new ArrayList<>();
            List<double[]> ys = new ArrayList<>();
            for (Method m : methods) {
                List<double[]> cs = r.boxes().stream().filter(b -> b.deletion().containsKey(m)
                        && !Double.isNaN(b.concentration().get(m))).map(b -> b.deletion().get(m)).toList();
                if (!cs.isEmpty()) {
                    names.add(title(m));
                    ys.add(mean(cs));
                }
            }
            names.add("random order");
            ys.add(mean(r.boxes().stream().map(BoxResult::random).toList()));
            double[] x = new double[steps + 1];
            for (int s = 0; s <= steps; s++) {
                x[s] = (double) s / steps;
            }
            for (int i = 0; i < names.size(); i++) {
                double[] y = ys.get(i);
                for (double v : y) {
                    yMax = Math.max(yMax, v);
                }
                boolean rnd = i == names.size() - 1;
                series.add(new Plots.Series(String.format(Locale.ROOT, "%s (AUC %.3f)", names.get(i), Metrics.auc(y)),
                        rnd ? Plots.PALETTE[5] : Plots.PALETTE[c++ % 5], x, y, null, null, rnd));
            }
            panels.add(new Plots.Panel("Deletion, " + r.c().name(), "fraction of the grown box's pixel count deleted",
                    "mean |score − score0| / largest change on the box", 0, 1, 0, Math.max(1e-3, yMax * 1.1), null, series));
        }
        ImageIO.write(Plots.row(panels, 560, 500), "png", file.toFile());
    }

    private static double[] mean(List<double[]> curves) {
        double[] m = new double[curves.get(0).length];
        for (double[] cv : curves) {
            for (int i = 0; i < m.length; i++) {
                m[i] += cv[i] / curves.size();
            }
        }
        return m;
    }

    /** The montage: per case its first box, the image with the box (yellow) and the grown box (cyan), then the maps. */
    void montage(List<CaseResult> results, List<Method> shown, Path file) throws IOException {
        List<Montages.Tile> tiles = new ArrayList<>();
        for (CaseResult r : results) {
            BoxResult b = r.boxes().get(0);
            InputImage im = r.c().images().get(0);
            boolean[] box = rect(b.region(), 0, im.width(), im.height());
            boolean[] near = rect(b.region(), r.c().margin(), im.width(), im.height());
            tiles.add(new Montages.Tile(gray(im), null, box, near, null, r.c().name() + ", " + b.region().name()));
            for (Method m : shown) {
                if (!b.maps().containsKey(m)) {
                    continue;
                }
                tiles.add(new Montages.Tile(gray(im), normalise(b.maps().get(m)), box, near, null,
                        title(m) + (Double.isNaN(b.concentration().get(m)) ? ", empty map"
                                : String.format(Locale.ROOT, ", conc. %.1f", b.concentration().get(m)))));
            }
        }
        ImageIO.write(Montages.montage(tiles, shown.size() + 1, 200, "Region targets: box (yellow), box + margin (cyan)"),
                "png", file.toFile());
    }
}
