package sc.fiji.gradcam.evaluation;

import sc.fiji.gradcam.image.BinaryMasks;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.explain.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.explain.Explanation;
import sc.fiji.gradcam.explain.MapImage;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.image.InputImage;
import sc.fiji.gradcam.io.ImageFiles;
import sc.fiji.gradcam.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.training.SyntheticShapes;

/**
 * The quality evaluation of gradcam-fiji's maps ({@code scripts/evaluate}): localisation and class
 * discrimination on synthetic two-object scenes with ground-truth masks (shapes model), parasite
 * localisation on held-out malaria cells (colour-thresholded chromatin as ground truth), deletion/insertion
 * curves, and the model-randomisation sanity check. Every number is recomputed from the models on disk;
 * results go to {@code OUT/evaluation.md} and PNG figures next to it.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluates Grad-CAM maps: pointing game, energy, class discrimination, deletion/insertion, "
                + "model randomisation. Writes evaluation.md and PNG figures.")
public final class Evaluate implements Callable<Integer> {

    @Option(names = "--malaria-model", description = "malaria classifier (default: HOME/models/malaria-cells)")
    Path malariaModel;

    @Option(names = "--shapes-model", description = "ring/cross classifier (default: HOME/models/shapes)")
    Path shapesModel;

    @Option(names = "--data", description = "malaria dataset folder (default: $GRADCAM_SHARED/datasets/malaria, "
            + "else HOME/../shared/datasets/malaria)")
    Path data;

    @Option(names = "--out", description = "output folder (default: HOME/docs)")
    Path out;

    @Option(names = "--scenes", defaultValue = "50", description = "synthetic two-object scenes")
    int scenes;

    @Option(names = "--seed", defaultValue = "2024", description = "seed of scenes, random maps and randomised weights")
    long seed;

    @Option(names = "--steps", defaultValue = "20", description = "deletion/insertion steps")
    int steps;

    @Option(names = "--tolerance", defaultValue = "3", description = "pointing-game tolerance: mask dilation in image pixels")
    double tolerance;

    @Option(names = "--limit", defaultValue = "0", description = "use at most this many malaria images (0: all; for quick runs)")
    int limit;

    static final double CENTRE_SIGMA = 0.25;
    static final double SHAPES_BLUR = 8;
    static final double MALARIA_BLUR = 8;
    static final String CONTROL = "control: class Uninfected, ";
    static final Set<Method> METHODS = EnumSet.of(Method.GRADCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM,
            Method.GRADCAM_PLUSPLUS, Method.XGRADCAM, Method.LAYERCAM);
    /** The maps of the montages and plots (the CAM variants are in the tables only). */
    static final String[] MAPS = {"Grad-CAM", "Guided Grad-CAM", "Guided Backprop"};
    /** The Grad-CAM variants, from the same session run as Grad-CAM (same layer, same activations and gradients). */
    static final Method[] VARIANT_METHODS = {Method.GRADCAM_PLUSPLUS, Method.XGRADCAM, Method.LAYERCAM};
    static final String[] VARIANTS = {Method.GRADCAM_PLUSPLUS.title(), Method.XGRADCAM.title(), Method.LAYERCAM.title()};
    /** Every map of the tables: Grad-CAM, its variants, the guided maps. */
    static final String[] ALL_MAPS = {"Grad-CAM", VARIANTS[0], VARIANTS[1], VARIANTS[2], "Guided Grad-CAM",
        "Guided Backprop"};
    static final String[] CURVE_MAPS = {"Grad-CAM", "Random map", "Centre Gaussian"};

    private final StringBuilder md = new StringBuilder();
    private Path home;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Evaluate()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        home = Paths.get(System.getProperty("gradcam.home", ".")).toAbsolutePath().normalize();
        malariaModel = malariaModel != null ? malariaModel : home.resolve("models/malaria-cells");
        shapesModel = shapesModel != null ? shapesModel : home.resolve("models/shapes");
        if (data == null) {
            String shared = System.getenv("GRADCAM_SHARED");
            data = (shared != null ? Paths.get(shared) : home.resolve("../shared")).resolve("datasets/malaria").normalize();
        }
        out = out != null ? out : home.resolve("docs");
        Files.createDirectories(out);

        md.append("# Evaluation of the explanation maps\n\n");
        md.append("Generated by `scripts/evaluate` (class `sc.fiji.gradcam.evaluation.Evaluate`); every number below "
                + "comes from that run on the models in `models/` — rerun it after retraining a model. "
                + "Intervals are 95 % normal-approximation confidence intervals of the mean (± 1.96 s.e.).\n\n");
        md.append("Reading the results: *pointing* — how often the map's single hottest pixel lies on the object "
                + "that should explain the class; *energy* — how much of the map's total mass lies on it (a coarse 8×8 "
                + "Grad-CAM spreads mass around small objects, so compare with the baselines, not with 1); *deletion / "
                + "insertion AUC* — whether the pixels the map ranks first are the ones the model's decision depends "
                + "on; *randomisation* — whether the map changes when the model's weights are destroyed (it must, "
                + "if it explains the model rather than the image).\n\n");
        md.append("Settings: ").append(scenes).append(" synthetic scenes (seed ").append(seed).append("), ")
                .append(steps).append(" deletion/insertion steps, pointing tolerance ").append(fmt(tolerance, 0))
                .append(" px, target layer: the model's default (`block4/relu`, 8×8).\n\n");

        ShapesData shapes;
        MalariaData malaria;
        try (LoadedModel sm = ModelLoader.load(shapesModel); Explainer sx = new Explainer(sm)) {
            shapes = shapes(sm, sx);
            randomisation("shapes", sm, sx, shapes.images, shapes.predicted, shapes.names);
        }
        try (LoadedModel mm = ModelLoader.load(malariaModel); Explainer mx = new Explainer(mm)) {
            malaria = malaria(mm, mx);
            randomisation("malaria-cells", mm, mx, malaria.images, malaria.predicted, malaria.names);
        }
        writeRandomisationPlot();
        double minutes = (System.nanoTime() - t0) / 6e10;
        md.append("\n---\nRun time: ").append(fmt(minutes, 1)).append(" min on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n");
        Files.writeString(out.resolve("evaluation.md"), md.toString());
        log("wrote " + out.resolve("evaluation.md") + " (" + fmt(minutes, 1) + " min)");
        return 0;
    }

    // ---------------------------------------------------------------- synthetic shapes

    record ShapesData(List<InputImage> images, int[] predicted, List<String> names) {}

    private ShapesData shapes(LoadedModel model, Explainer ex) throws IOException {
        log("shapes: " + scenes + " scenes");
        Random random = new Random(seed);
        List<InputImage> images = new ArrayList<>();
        List<Map<String, boolean[]>> masks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < scenes; i++) {
            SyntheticShapes.Scene s = SyntheticShapes.render(128, List.of(SyntheticShapes.RING, SyntheticShapes.CROSS),
                    random);
            images.add(ImagePlusImages.toInput(new ImagePlus("scene", s.image()), 1));
            Map<String, boolean[]> m = new LinkedHashMap<>();
            s.masks().forEach((k, v) -> m.put(k, mask(v)));
            masks.add(m);
            names.add(String.format("scene %02d", i + 1));
        }
        List<String> classes = SyntheticShapes.CLASSES;
        double halfCell = 0;
        List<String> targets = new ArrayList<>();
        for (String c : classes) {
            targets.add(String.valueOf(classIndex(model, c)));
        }
        List<List<Explanation>> exps = ex.explain(images, ExplainRequest.defaults().withMethods(METHODS)
                .withTargets(targets));
        int[] predicted = new int[images.size()];
        // per target class: metrics per map
        Map<String, Map<String, Stat[]>> perClass = new LinkedHashMap<>();
        String[] rows = {"Grad-CAM", VARIANTS[0], VARIANTS[1], VARIANTS[2], "Guided Grad-CAM", "Guided Backprop",
            "Centre Gaussian", "Uniform (random point)"};
        List<Montages.Tile> tiles = new ArrayList<>();
        for (int t = 0; t < classes.size(); t++) {
            Map<String, Stat[]> stats = new LinkedHashMap<>();
            for (String r : rows) {
                stats.put(r, new Stat[] {new Stat(), new Stat(), new Stat(), new Stat(), new Stat(), new Stat()});
            }
            perClass.put(classes.get(t), stats);
        }
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            int w = im.width();
            int h = im.height();
            predicted[i] = exps.get(i).get(0).predicted().index();
            for (int t = 0; t < classes.size(); t++) {
                String cls = classes.get(t);
                boolean[] target = masks.get(i).get(cls);
                boolean[] other = masks.get(i).get(classes.get(1 - t));
                boolean[] tol = BinaryMasks.dilate(target, w, h, tolerance);
                Explanation e = exps.get(i).get(t);
                double half = 0.5 * w / e.gradcamRaw().width();
                boolean[] tolHalf = BinaryMasks.dilate(target, w, h, half);
                halfCell = half;
                Map<String, float[]> maps = maps(e);
                maps.put("Centre Gaussian", Perturbation.centreGaussian(w, h, CENTRE_SIGMA));
                maps.put("Uniform (random point)", new float[w * h]);
                for (String r : rows) {
                    float[] m = maps.get(r);
                    Stat[] s = perClass.get(cls).get(r);
                    s[0].add(Metrics.pointingHit(m, tol));
                    s[1].add(Metrics.energy(m, target));
                    s[2].add(Metrics.energy(m, other));
                    double et = Metrics.energy(m, target);
                    double eo = Metrics.energy(m, other);
                    s[3].add(et > eo ? 1 : et < eo ? 0 : 0.5);
                    s[4].add(Metrics.discrimination(m, target, other));
                    s[5].add(Metrics.pointingHit(m, tolHalf));
                }
                if (i < 4) {
                    tiles.add(new Montages.Tile(im, maps.get("Grad-CAM"), masks.get(i).get("ring"),
                            masks.get(i).get("cross"), argmax(maps.get("Grad-CAM"), w),
                            String.format(Locale.ROOT, "%s: %s map", names.get(i), cls)));
                }
            }
        }
        ImageIO.write(Montages.montage(tiles, 4, 160, "Grad-CAM per target class (yellow: ring, cyan: cross, +: maximum)"), "png", out.resolve("evaluation-shapes.png").toFile());

        md.append("## 1. Synthetic two-object scenes (shapes model)\n\n");
        md.append("Each scene (128×128, made by `SyntheticShapes` with seed ").append(seed).append(") holds one ring "
                + "and one cross with ground-truth masks; every scene is explained once per class. Pointing: the map "
                + "maximum lies in the target object's mask dilated by ").append(fmt(tolerance, 0))
                .append(" px, or by half a Grad-CAM feature cell (").append(fmt(halfCell, 0)).append(" px). Energy: share of the map's mass inside the target (other) object's mask. "
                + "Target wins: share of scenes with more mass on the target object than on the other one "
                + "(0.5 for ties). Mass ratio: target mass / (target + other mass). Guided maps are summed "
                + "|value| over RGB. Centre Gaussian: a bump at the image centre, sigma = 0.25 × image size; Uniform: "
                + "a flat map (its pointing value is the hit rate of a random point, i.e. the dilated mask's area "
                + "fraction).\n\n");
        md.append("| target | map | pointing (").append(fmt(tolerance, 0)).append(" px) | pointing (½ cell) | "
                + "energy in target | energy in other | target wins | mass ratio |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String cls : classes) {
            for (String r : rows) {
                Stat[] s = perClass.get(cls).get(r);
                md.append("| ").append(cls).append(" | ").append(r).append(" | ").append(s[0].format(2)).append(" | ")
                        .append(s[5].format(2)).append(" | ").append(s[1].format(2)).append(" | ").append(s[2].format(2)).append(" | ")
                        .append(s[3].format(2)).append(" | ").append(s[4].format(2)).append(" |\n");
            }
        }
        md.append("\n").append(variantsOnShapes(classes, perClass));
        md.append("![Grad-CAM on synthetic scenes](evaluation-shapes.png)\n\n");

        // deletion / insertion: blurred scene as baseline, each target class
        log("shapes: deletion/insertion");
        List<Curves> perTarget = new ArrayList<>();
        for (int t = 0; t < classes.size(); t++) {
            perTarget.add(new Curves());
        }
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            InputImage baseline = Perturbation.blur(im, SHAPES_BLUR);
            for (int t = 0; t < classes.size(); t++) {
                int target = classIndex(model, classes.get(t));
                perTarget.get(t).run(ex, im, baseline, exps.get(i).get(t).maps().get(Method.GRADCAM).data(), target,
                        new Random(seed * 31 + i * 2L + t), steps);
                perTarget.get(t).runVariants(ex, im, baseline, exps.get(i).get(t), target,
                        new Random(seed * 37 + i * 2L + t), steps);
            }
        }
        md.append("### Deletion and insertion (shapes)\n\n");
        md.append("Baseline: the scene blurred with a Gaussian of sigma ").append(fmt(SHAPES_BLUR, 0))
                .append(" px (deletion replaces pixels by it, insertion starts from it). Every scene holds both "
                + "objects, so each class is a target in turn (").append(images.size())
                .append(" curves per map and class).\n\n");
        for (int t = 0; t < classes.size(); t++) {
            String cls = classes.get(t);
            md.append("**target ").append(cls).append("**\n\n");
            perTarget.get(t).table(md);
            perTarget.get(t).plot(out.resolve("evaluation-deletion-insertion-shapes-" + cls + ".png"), "shapes, " + cls);
            md.append("\n![Deletion and insertion curves, shapes, ").append(cls)
                    .append("](evaluation-deletion-insertion-shapes-").append(cls).append(".png)\n\n");
        }
        return new ShapesData(images, predicted, names);
    }

    // ---------------------------------------------------------------- malaria

    record MalariaData(List<InputImage> images, int[] predicted, List<String> names) {}

    private MalariaData malaria(LoadedModel model, Explainer ex) throws IOException {
        Path list = model.dir().resolve("validation.txt");
        List<String> rel = Files.readAllLines(list).stream().map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        if (limit > 0) {
            List<String> p = rel.stream().filter(s -> s.startsWith("Parasitized")).limit(limit / 2 + limit % 2).toList();
            List<String> u = rel.stream().filter(s -> !s.startsWith("Parasitized")).limit(limit / 2).toList();
            rel = new ArrayList<>(p);
            rel.addAll(u);
        }
        log("malaria: " + rel.size() + " held-out images from " + list);
        List<InputImage> images = new ArrayList<>();
        List<Boolean> infected = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String r : rel) {
            images.add(ImagePlusImages.toInput(ImageFiles.open(data.resolve(r)), 1));
            infected.add(r.startsWith("Parasitized"));
            names.add(Paths.get(r).getFileName().toString());
        }
        int parasitized = classIndex(model, "Parasitized");
        int uninfected = classIndex(model, "Uninfected");
        List<List<Explanation>> exps = ex.explain(images, ExplainRequest.defaults().withMethods(METHODS)
                .withTargets(List.of("auto", String.valueOf(parasitized), String.valueOf(uninfected))));
        int[] predicted = new int[images.size()];
        int correct = 0;
        for (int i = 0; i < images.size(); i++) {
            predicted[i] = exps.get(i).get(0).predicted().index();
            if ((predicted[i] == parasitized) == infected.get(i)) {
                correct++;
            }
        }

        // D.5: does Grad-CAM find the parasite?
        String[] pointRows = {"Grad-CAM", VARIANTS[0], VARIANTS[1], VARIANTS[2], "Guided Grad-CAM", "Guided Backprop",
            "Random point in image", "Random point in cell", "Image centre", "Cell centroid", CONTROL + "Grad-CAM",
            CONTROL + VARIANTS[0], CONTROL + VARIANTS[1], CONTROL + VARIANTS[2], CONTROL + "Guided Grad-CAM",
            CONTROL + "Guided Backprop"};
        String[] energyRows = {"Grad-CAM", VARIANTS[0], VARIANTS[1], VARIANTS[2], "Guided Grad-CAM", "Guided Backprop",
            "Uniform over image", "Uniform over cell", "Centre Gaussian", CONTROL + "Grad-CAM", CONTROL + VARIANTS[0],
            CONTROL + VARIANTS[1], CONTROL + VARIANTS[2], CONTROL + "Guided Grad-CAM", CONTROL + "Guided Backprop"};
        Map<String, Stat[]> point = new LinkedHashMap<>();
        Map<String, Stat[]> energy = new LinkedHashMap<>();
        for (String r : pointRows) {
            point.put(r, new Stat[] {new Stat(), new Stat(), new Stat(), new Stat()});
        }
        for (String r : energyRows) {
            energy.put(r, new Stat[] {new Stat(), new Stat(), new Stat(), new Stat()});
        }
        Stat area = new Stat();
        Stat cellArea = new Stat();
        int nInfected = 0;
        int found = 0;
        int foundCorrect = 0;
        int uninfectedFlagged = 0;
        double halfSum = 0;
        List<Montages.Tile> tiles = new ArrayList<>();
        int[][][] byChromatin = new int[2][2][2]; // [infected][chromatin found][classified correctly]
        List<Montages.Tile> errorTiles = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            ParasiteSegmentation.Result seg = ParasiteSegmentation.segment(im);
            boolean isRight = (predicted[i] == parasitized) == infected.get(i);
            byChromatin[infected.get(i) ? 1 : 0][seg.found() ? 1 : 0][isRight ? 1 : 0]++;
            if (!isRight) {
                Explanation top = exps.get(i).get(0);
                float[] cam = maps(top).get("Grad-CAM");
                errorTiles.add(new Montages.Tile(im, null, seg.parasite(), null, null,
                        String.format(Locale.ROOT, "%s → %s %.2f", infected.get(i) ? "P" : "U",
                                top.predicted().label().substring(0, 1), top.predicted().probability())));
                errorTiles.add(new Montages.Tile(im, cam, seg.parasite(), null, argmax(cam, im.width()), "Grad-CAM"));
            }
            if (!infected.get(i)) {
                uninfectedFlagged += seg.found() ? 1 : 0;
                continue;
            }
            nInfected++;
            if (!seg.found()) {
                continue;
            }
            found++;
            boolean right = predicted[i] == parasitized;
            foundCorrect += right ? 1 : 0;
            int w = im.width();
            int h = im.height();
            boolean[] tol = BinaryMasks.dilate(seg.parasite(), w, h, tolerance);
            double half = 0.5 * w / exps.get(i).get(1).gradcamRaw().width();
            halfSum += half;
            boolean[] tolHalf = BinaryMasks.dilate(seg.parasite(), w, h, half);
            area.add(Metrics.fraction(seg.parasite()));
            cellArea.add(Metrics.fraction(seg.cell()));
            Map<String, float[]> maps = maps(exps.get(i).get(1));
            Map<String, Double> hits = pointing(maps, tol, seg.cell(), w, h);
            Map<String, Double> hitsHalf = pointing(maps, tolHalf, seg.cell(), w, h);
            Map<String, float[]> control = maps(exps.get(i).get(2));
            for (String m : ALL_MAPS) {
                hits.put(CONTROL + m, Metrics.pointingHit(control.get(m), tol));
                hitsHalf.put(CONTROL + m, Metrics.pointingHit(control.get(m), tolHalf));
            }
            Map<String, float[]> emaps = new LinkedHashMap<>();
            for (String m : ALL_MAPS) {
                emaps.put(m, maps.get(m));
            }
            emaps.put("Uniform over image", new float[w * h]);
            emaps.put("Uniform over cell", toFloat(seg.cell()));
            emaps.put("Centre Gaussian", Perturbation.centreGaussian(w, h, CENTRE_SIGMA));
            for (String m : ALL_MAPS) {
                emaps.put(CONTROL + m, control.get(m));
            }
            for (String r : pointRows) {
                point.get(r)[0].add(hits.get(r));
                point.get(r)[2].add(hitsHalf.get(r));
                if (right) {
                    point.get(r)[1].add(hits.get(r));
                    point.get(r)[3].add(hitsHalf.get(r));
                }
            }
            for (String r : energyRows) {
                double e = Metrics.energy(emaps.get(r), seg.parasite());
                double et = Metrics.energy(emaps.get(r), tol);
                energy.get(r)[0].add(e);
                energy.get(r)[1].add(et);
                if (right) {
                    energy.get(r)[2].add(e);
                    energy.get(r)[3].add(et);
                }
            }
            if (tiles.size() < 24) {
                float[] cam = maps.get("Grad-CAM");
                tiles.add(new Montages.Tile(im, cam, seg.parasite(), null, argmax(cam, w),
                        String.format(Locale.ROOT, "%s, p=%.2f, %s", hits.get("Grad-CAM") >= 0.5 ? "hit" : "miss",
                                exps.get(i).get(1).target().probability(), right ? "ok" : "wrong")));
            }
        }
        ImageIO.write(Montages.montage(tiles, 8, 128, "Held-out Parasitized cells: Grad-CAM for 'Parasitized' "
                + "(yellow: thresholded chromatin, +: map maximum, p: model probability)"), "png",
                out.resolve("evaluation-parasites.png").toFile());

        md.append("## 2. Malaria cells: does Grad-CAM find the parasite? (issue D.5)\n\n");
        md.append("Model `").append(home.relativize(model.dir().toAbsolutePath().normalize())).append("`, its held-out "
                + "images (`validation.txt`): ").append(images.size()).append(" cells, accuracy ")
                .append(fmt((double) correct / images.size(), 3)).append(" in this run.\n\n");
        md.append("**Ground truth.** Parasite chromatin by a colour threshold (`ParasiteSegmentation`): inside the "
                + "cell (max(R,G,B) > ").append(ParasiteSegmentation.BACKGROUND_MAX).append(", eroded by ")
                .append(ParasiteSegmentation.RIM).append(" px to drop the dark rim), pixels with G ≤ ")
                .append(ParasiteSegmentation.DARK).append(" × the cell's median G, R − G ≥ ")
                .append(ParasiteSegmentation.PURPLE).append(" and B − G ≥ ").append(ParasiteSegmentation.PURPLE)
                .append(", in components of ≥ ").append(ParasiteSegmentation.MIN_SIZE).append(" px. Giemsa stains "
                + "chromatin dark purple: green is absorbed far more than red and blue, while the pink/lilac "
                + "cytoplasm keeps G near its median and gray debris lacks the R, B excess. The mask was found in ")
                .append(found).append(" of ").append(nInfected).append(" Parasitized cells (the rest are excluded: "
                + "faint or no visible chromatin) and, as a false-positive check, in ").append(uninfectedFlagged)
                .append(" of ").append(images.size() - nInfected).append(" Uninfected cells. Mean chromatin area: ")
                .append(fmt(100 * area.mean(), 2)).append(" % of the image (cell: ").append(fmt(100 * cellArea.mean(), 0))
                .append(" %).\n\n");
        ImageIO.write(Montages.montage(errorTiles, 8, 128, "Misclassified held-out cells: the cell (label → "
                + "prediction, probability) and Grad-CAM for the predicted class; yellow: thresholded chromatin"), "png",
                out.resolve("evaluation-errors.png").toFile());
        md.append(errorsByChromatin(byChromatin));
        md.append("Maps for the class `Parasitized` at image size; pointing tolerance: mask dilated by ")
                .append(fmt(tolerance, 0)).append(" px at image scale (one Grad-CAM feature cell is ")
                .append(fmt(2 * halfSum / Math.max(1, found), 1)).append(" px on average). Column *correct* uses only "
                + "the cells the model classifies as Parasitized (").append(foundCorrect).append(" of ").append(found).append(").\n\n");
        md.append("Pointing is given for the ").append(fmt(tolerance, 0)).append(" px tolerance and for a tolerance "
                + "of half a Grad-CAM feature cell (mean ").append(fmt(halfSum / Math.max(1, found), 1))
                .append(" px), the map's own resolution limit.\n\n");
        md.append("| map | pointing ").append(fmt(tolerance, 0)).append(" px (all, n=").append(found)
                .append(") | pointing ").append(fmt(tolerance, 0)).append(" px (correct, n=").append(foundCorrect)
                .append(") | pointing ½ cell (all) | pointing ½ cell (correct) |\n|---|---:|---:|---:|---:|\n");
        for (String r : pointRows) {
            md.append("| ").append(r).append(" | ").append(point.get(r)[0].format(2)).append(" | ")
                    .append(point.get(r)[1].format(2)).append(" | ").append(point.get(r)[2].format(2)).append(" | ")
                    .append(point.get(r)[3].format(2)).append(" |\n");
        }
        md.append("\n| map | energy in mask (all) | energy in dilated mask (all) | energy in mask (correct) | "
                + "energy in dilated mask (correct) |\n|---|---:|---:|---:|---:|\n");
        for (String r : energyRows) {
            Stat[] s = energy.get(r);
            md.append("| ").append(r).append(" | ").append(s[0].format(3)).append(" | ").append(s[1].format(3))
                    .append(" | ").append(s[2].format(3)).append(" | ").append(s[3].format(3)).append(" |\n");
        }
        md.append("\nRandom point: expected hit rate = area fraction of the dilated mask (in the image, or in the "
                + "cell). Image centre: the centre pixel; Cell centroid: the centroid of the cell mask. *Control* rows: "
                + "the same Parasitized cells explained for the other class, `Uninfected`; a class-discriminative "
                + "map should not point at the parasite for it (an empty Grad-CAM map counts as a flat map: its hit "
                + "rate is the mask's area fraction).\n\n");
        md.append(variantsOnParasites(point, energy));
        md.append("![Parasite masks and Grad-CAM](evaluation-parasites.png)\n\n");

        // deletion / insertion on all held-out images, predicted class, black baseline
        log("malaria: deletion/insertion");
        Curves black = new Curves();
        Curves blurred = new Curves();
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            float[] cam = exps.get(i).get(0).maps().get(Method.GRADCAM).data();
            black.run(ex, im, Perturbation.constant(im, 0f), cam, predicted[i], new Random(seed * 17 + i), steps);
            blurred.run(ex, im, Perturbation.blur(im, MALARIA_BLUR), cam, predicted[i], new Random(seed * 19 + i), steps);
            black.runVariants(ex, im, Perturbation.constant(im, 0f), exps.get(i).get(0), predicted[i],
                    new Random(seed * 41 + i), steps);
            blurred.runVariants(ex, im, Perturbation.blur(im, MALARIA_BLUR), exps.get(i).get(0), predicted[i],
                    new Random(seed * 43 + i), steps);
        }
        md.append("### Deletion and insertion (malaria cells)\n\n");
        md.append("All ").append(images.size()).append(" held-out cells, target = the predicted class. Two baselines: "
                + "(a) black (0), the dataset's background around the cell (deletion paints pixels black, insertion "
                + "starts from a black image); (b) the cell blurred with a Gaussian of sigma ")
                .append(fmt(MALARIA_BLUR, 0)).append(" px, which erases small dots such as chromatin but keeps the "
                + "cell's outline and colour (fewer out-of-distribution speckles than (a)).\n\n");
        md.append("**(a) black baseline**\n\n");
        black.table(md);
        md.append("\n**(b) blurred baseline**\n\n");
        blurred.table(md);
        black.plot(out.resolve("evaluation-deletion-insertion-malaria.png"), "malaria, black");
        blurred.plot(out.resolve("evaluation-deletion-insertion-malaria-blur.png"), "malaria, blurred");
        md.append("\n![Deletion and insertion curves, malaria, black baseline](evaluation-deletion-insertion-malaria.png)\n\n");
        md.append("![Deletion and insertion curves, malaria, blurred baseline](evaluation-deletion-insertion-malaria-blur.png)\n\n");
        return new MalariaData(images, predicted, names);
    }

    /** Pointing hits of the three maps and of the baselines for one (dilated) parasite mask. */
    /**
     * Accuracy split by whether the colour threshold finds chromatin: where the classifier's errors are, and
     * how many Parasitized labels have no chromatin a threshold (or an eye) can see.
     */
    static String errorsByChromatin(int[][][] n) {
        StringBuilder t = new StringBuilder("**Where the classifier errs.** Held-out cells by label and by whether the "
                + "threshold finds chromatin:\n\n| label | chromatin found | cells | classified correctly |\n"
                + "|---|---|---:|---:|\n");
        for (int inf = 1; inf >= 0; inf--) {
            for (int f = 1; f >= 0; f--) {
                int cells = n[inf][f][0] + n[inf][f][1];
                t.append("| ").append(inf == 1 ? "Parasitized" : "Uninfected").append(" | ").append(f == 1 ? "yes" : "no")
                        .append(" | ").append(cells).append(" | ").append(n[inf][f][1]).append(cells == 0 ? "" : " ("
                        + fmt(100.0 * n[inf][f][1] / cells, 0) + " %)").append(" |\n");
            }
        }
        int wrong = n[0][0][0] + n[0][1][0] + n[1][0][0] + n[1][1][0];
        t.append("\n").append(n[1][0][0]).append(" of the ").append(wrong).append(" errors are Parasitized-labelled cells "
                + "in which the threshold finds no chromatin: either the "
                + "parasite is too faint for a colour threshold, or the label is wrong — the NIH set is known to "
                + "contain mislabelled crops. A classifier that only says Parasitized where chromatin is visible "
                + "cannot get these right.\n\n![Misclassified held-out cells](evaluation-errors.png)\n\n");
        return t.toString();
    }

    /** Generated reading of the Grad-CAM variants' class discrimination on the synthetic scenes. */
    static String variantsOnShapes(List<String> classes, Map<String, Map<String, Stat[]>> perClass) {
        List<String> parts = new ArrayList<>();
        for (String cls : classes) {
            Map<String, Stat[]> st = perClass.get(cls);
            parts.add(cls + " " + slashed(st, 4, 2) + " (Grad-CAM " + fmt(st.get("Grad-CAM")[4].mean(), 2) + "; "
                    + versus(st, 4, "") + ")");
        }
        return "**Grad-CAM variants.** Mass ratio of " + String.join(" / ", VARIANTS) + ": " + String.join(", ", parts)
                + "; a lower ratio means more of the map's mass on the object of the other class.\n\n";
    }

    /** Generated reading of the Grad-CAM variants' rows of the parasite tables. */
    static String variantsOnParasites(Map<String, Stat[]> point, Map<String, Stat[]> energy) {
        StringBuilder t = new StringBuilder("**Grad-CAM variants.** ").append(String.join(", ", VARIANTS))
                .append(" weight the same layer's activations and gradients differently from Grad-CAM (same resolution): "
                + "they point at the parasite (½ cell, all cells) in ")
                .append(slashed(point, 2, 2)).append(" of the cells against ").append(fmt(point.get("Grad-CAM")[2].mean(), 2))
                .append(" for Grad-CAM, and put ").append(slashed(energy, 1, 3))
                .append(" of their mass in the dilated mask against ").append(fmt(energy.get("Grad-CAM")[1].mean(), 3))
                .append(" (").append(versus(point, 2, "pointing")).append("; ").append(versus(energy, 1, "mass"))
                .append("). For the control class `Uninfected` they point at the parasite (3 px) in ");
        Map<String, Stat[]> control = new LinkedHashMap<>();
        for (String v : VARIANTS) {
            control.put(v, point.get(CONTROL + v));
        }
        t.append(slashed(control, 0, 2)).append(" of the cells (Grad-CAM ")
                .append(fmt(point.get(CONTROL + "Grad-CAM")[0].mean(), 2)).append(").");
        List<String> same = new ArrayList<>();
        for (String v : VARIANTS) {
            boolean equal = true;
            for (Map<String, Stat[]> table : List.of(point, energy)) {
                for (int c = 0; c < 4; c++) {
                    equal &= table.get(v)[c].format(3).equals(table.get("Grad-CAM")[c].format(3))
                            && table.get(CONTROL + v)[c].format(3).equals(table.get(CONTROL + "Grad-CAM")[c].format(3));
                }
            }
            if (equal) {
                same.add(v);
            }
        }
        if (!same.isEmpty()) {
            t.append(" ").append(String.join(" and ", same)).append(" gives Grad-CAM's numbers: as expected when the "
                    + "gradient is the same at every position of the layer (a global-average-pooling head), which makes "
                    + "XGrad-CAM's channel weights Grad-CAM's.");
        }
        return t.append("\n\n").toString();
    }

    /** The variants' means of column {@code col}, {@code a / b / c}. */
    private static String slashed(Map<String, Stat[]> stats, int col, int decimals) {
        List<String> v = new ArrayList<>();
        for (String m : VARIANTS) {
            v.add(fmt(stats.get(m)[col].mean(), decimals));
        }
        return String.join(" / ", v);
    }

    /** Which variants lie above or below Grad-CAM with non-overlapping 95 % intervals, in column {@code col}. */
    static String versus(Map<String, Stat[]> stats, int col, String quantity) {
        Stat base = stats.get("Grad-CAM")[col];
        List<String> higher = new ArrayList<>();
        List<String> lower = new ArrayList<>();
        for (String m : VARIANTS) {
            Stat v = stats.get(m)[col];
            if (v.mean() - v.ci95() > base.mean() + base.ci95()) {
                higher.add(m);
            } else if (v.mean() + v.ci95() < base.mean() - base.ci95()) {
                lower.add(m);
            }
        }
        if (higher.isEmpty() && lower.isEmpty()) {
            return (quantity.isEmpty() ? "" : quantity + ": ") + "every variant's 95 % interval overlaps Grad-CAM's";
        }
        List<String> parts = new ArrayList<>();
        if (!higher.isEmpty()) {
            parts.add(String.join(" and ", higher) + " above");
        }
        if (!lower.isEmpty()) {
            parts.add(String.join(" and ", lower) + " below");
        }
        return (quantity.isEmpty() ? "" : quantity + ": ") + String.join(", ", parts)
                + " Grad-CAM with non-overlapping 95 % intervals";
    }

    private static Map<String, Double> pointing(Map<String, float[]> maps, boolean[] tol, boolean[] cell, int w, int h) {
        Map<String, Double> hits = new LinkedHashMap<>();
        for (String m : ALL_MAPS) {
            hits.put(m, Metrics.pointingHit(maps.get(m), tol));
        }
        hits.put("Random point in image", Metrics.fraction(tol));
        hits.put("Random point in cell", Metrics.fraction(and(tol, cell)) / Metrics.fraction(cell));
        hits.put("Image centre", Metrics.pointingHit(Perturbation.centreGaussian(w, h, CENTRE_SIGMA), tol));
        double[] c = BinaryMasks.centroid(cell, w);
        hits.put("Cell centroid", Metrics.pointingHit(toFloat(BinaryMasks.point(w, h, c[0], c[1])), tol));
        return hits;
    }

    // ---------------------------------------------------------------- deletion / insertion

    /** Deletion and insertion curves of Grad-CAM and two baseline maps, accumulated over images. */
    final class Curves {
        final Map<String, List<double[]>> deletion = new LinkedHashMap<>();
        final Map<String, List<double[]>> insertion = new LinkedHashMap<>();

        Curves() {
            for (String m : CURVE_MAPS) {
                deletion.put(m, new ArrayList<>());
                insertion.put(m, new ArrayList<>());
            }
            for (String m : VARIANTS) {
                deletion.put(m, new ArrayList<>());
                insertion.put(m, new ArrayList<>());
            }
        }

        /**
         * Curves of the Grad-CAM variants of {@code e}, in forward passes of their own (after {@link #run}, so that
         * its batches, and thus its numbers, are those of an evaluation without the variants).
         */
        void runVariants(Explainer ex, InputImage im, InputImage baseline, Explanation e, int target, Random random,
                int steps) {
            List<InputImage> batch = new ArrayList<>();
            for (Method v : VARIANT_METHODS) {
                int[] order = Perturbation.order(e.maps().get(v).data(), random);
                batch.addAll(Perturbation.sequence(im, baseline, order, steps, true));
                batch.addAll(Perturbation.sequence(im, baseline, order, steps, false));
            }
            double[] p = forward(ex, batch, target);
            int k = 0;
            for (Method v : VARIANT_METHODS) {
                deletion.get(v.title()).add(java.util.Arrays.copyOfRange(p, k, k + steps + 1));
                k += steps + 1;
                insertion.get(v.title()).add(java.util.Arrays.copyOfRange(p, k, k + steps + 1));
                k += steps + 1;
            }
        }

        void run(Explainer ex, InputImage im, InputImage baseline, float[] cam, int target, Random random, int steps) {
            Map<String, float[]> maps = new LinkedHashMap<>();
            maps.put("Grad-CAM", cam);
            maps.put("Random map", Perturbation.randomMap(im.width(), im.height(), random));
            maps.put("Centre Gaussian", Perturbation.centreGaussian(im.width(), im.height(), CENTRE_SIGMA));
            List<InputImage> batch = new ArrayList<>();
            for (float[] m : maps.values()) {
                int[] order = Perturbation.order(m, random);
                batch.addAll(Perturbation.sequence(im, baseline, order, steps, true));
                batch.addAll(Perturbation.sequence(im, baseline, order, steps, false));
            }
            double[] p = forward(ex, batch, target);
            int k = 0;
            for (String m : maps.keySet()) {
                deletion.get(m).add(java.util.Arrays.copyOfRange(p, k, k + steps + 1));
                k += steps + 1;
                insertion.get(m).add(java.util.Arrays.copyOfRange(p, k, k + steps + 1));
                k += steps + 1;
            }
        }

        void table(StringBuilder md) {
            md.append("| map | deletion AUC (lower is better) | insertion AUC (higher is better) | "
                    + "Grad-CAM better (deletion) | Grad-CAM better (insertion) |\n|---|---:|---:|---:|---:|\n");
            List<String> rows = new ArrayList<>(List.of(CURVE_MAPS));
            if (!deletion.get(VARIANTS[0]).isEmpty()) {
                rows.addAll(1, List.of(VARIANTS));
            }
            for (String m : rows) {
                Stat d = new Stat();
                Stat in = new Stat();
                Stat dw = new Stat();
                Stat iw = new Stat();
                for (int i = 0; i < deletion.get(m).size(); i++) {
                    double ad = Metrics.auc(deletion.get(m).get(i));
                    double ai = Metrics.auc(insertion.get(m).get(i));
                    d.add(ad);
                    in.add(ai);
                    double gd = Metrics.auc(deletion.get("Grad-CAM").get(i));
                    double gi = Metrics.auc(insertion.get("Grad-CAM").get(i));
                    dw.add(gd < ad ? 1 : gd > ad ? 0 : 0.5);
                    iw.add(gi > ai ? 1 : gi < ai ? 0 : 0.5);
                }
                boolean self = m.equals("Grad-CAM");
                md.append("| ").append(m).append(" | ").append(d.format(3)).append(" | ").append(in.format(3))
                        .append(" | ").append(self ? "–" : fmt(dw.mean(), 2)).append(" | ")
                        .append(self ? "–" : fmt(iw.mean(), 2)).append(" |\n");
            }
            md.append("\n*Grad-CAM better*: share of curves where Grad-CAM's AUC beats that map's on the same image "
                    + "and target.\n");
        }

        void plot(Path file, String what) throws IOException {
            List<Plots.Panel> panels = new ArrayList<>();
            for (boolean del : new boolean[] {true, false}) {
                List<Plots.Series> series = new ArrayList<>();
                int c = 0;
                for (String m : CURVE_MAPS) {
                    List<double[]> cs = (del ? deletion : insertion).get(m);
                    double[] x = new double[steps + 1];
                    double[] y = new double[steps + 1];
                    double[] lo = new double[steps + 1];
                    double[] hi = new double[steps + 1];
                    for (int s = 0; s <= steps; s++) {
                        Stat st = new Stat();
                        for (double[] cv : cs) {
                            st.add(cv[s]);
                        }
                        x[s] = (double) s / steps;
                        y[s] = st.mean();
                        lo[s] = y[s] - st.ci95();
                        hi[s] = y[s] + st.ci95();
                    }
                    double auc = 0;
                    for (double[] cv : cs) {
                        auc += Metrics.auc(cv) / cs.size();
                    }
                    series.add(new Plots.Series(String.format(Locale.ROOT, "%s (AUC %.3f)", m, auc),
                            Plots.PALETTE[c++], x, y, lo, hi, !m.equals("Grad-CAM")));
                }
                panels.add(new Plots.Panel((del ? "Deletion" : "Insertion") + ", " + what,
                        del ? "fraction of pixels removed (most salient first)" : "fraction of pixels inserted (most salient first)",
                        "mean probability of target class", 0, 1, 0, 1, null, series));
            }
            ImageIO.write(Plots.row(panels, 560, 470), "png", file.toFile());
        }
    }

    /** Target-class probabilities of images (forward passes only, batched by the explainer). */
    static double[] forward(Explainer ex, List<InputImage> images, int target) {
        List<List<Explanation>> r = ex.explain(images, ExplainRequest.defaults()
                .withMethods(EnumSet.noneOf(Method.class)).withTargets(List.of(String.valueOf(target))));
        double[] p = new double[images.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = r.get(i).get(0).target().probability();
        }
        return p;
    }

    // ---------------------------------------------------------------- randomisation

    record RandomisationResult(String model, List<String> stages, Map<String, List<Stat>> spearman, List<Integer> empty,
            int n, String example) {}

    private final List<RandomisationResult> randomisations = new ArrayList<>();

    private void randomisation(String name, LoadedModel model, Explainer ex, List<InputImage> images, int[] targets,
            List<String> names) throws IOException {
        log(name + ": model randomisation");
        WeightRandomiser rnd = new WeightRandomiser(model);
        List<String> layers = new ArrayList<>(rnd.layers());
        java.util.Collections.reverse(layers);
        List<Map<String, float[]>> trained = mapsFor(ex, images, targets);
        List<String> stages = new ArrayList<>();
        stages.add("none");
        Map<String, List<Stat>> rho = new LinkedHashMap<>();
        for (String m : ALL_MAPS) {
            rho.put(m, new ArrayList<>());
        }
        List<Integer> empty = new ArrayList<>();
        List<List<Map<String, float[]>>> examples = new ArrayList<>();
        Random random = new Random(seed + name.hashCode());
        try {
            for (int s = 0; s <= layers.size(); s++) {
                if (s > 0) {
                    rnd.randomise(layers.get(s - 1), random);
                    stages.add("+" + layers.get(s - 1));
                }
                List<Map<String, float[]>> now = mapsFor(ex, images, targets);
                int e = 0;
                for (String m : ALL_MAPS) {
                    Stat st = new Stat();
                    for (int i = 0; i < images.size(); i++) {
                        double r = Metrics.spearman(trained.get(i).get(m), now.get(i).get(m));
                        if (Double.isNaN(r)) {
                            r = 0; // a constant (empty) map shares no ranking with the trained one
                            if (m.equals("Grad-CAM")) {
                                e++;
                            }
                        }
                        st.add(r);
                    }
                    rho.get(m).add(st);
                }
                empty.add(e);
                List<Map<String, float[]>> ex0 = new ArrayList<>();
                for (int i = 0; i < Math.min(2, images.size()); i++) {
                    ex0.add(now.get(i));
                }
                examples.add(ex0);
            }
        } finally {
            rnd.restore();
        }
        randomisations.add(new RandomisationResult(name, stages, rho, empty, images.size(), names.get(0)));

        // example maps: first image, every stage
        List<Montages.Tile> tiles = new ArrayList<>();
        for (String m : MAPS) {
            for (int s = 0; s < stages.size(); s++) {
                float[] map = normalise(examples.get(s).get(0).get(m));
                String shortName = m.equals("Grad-CAM") ? m : m.equals("Guided Grad-CAM") ? "Guided GC" : "Guided BP";
                tiles.add(new Montages.Tile(gray(images.get(0)), map, null, null, null,
                        shortName + ", " + (s == 0 ? "trained" : stages.get(s))));
            }
        }
        ImageIO.write(Montages.montage(tiles, stages.size(), 130, "Randomisation, " + name + ": one image, layers re-initialised from the top"), "png",
                out.resolve("evaluation-randomisation-" + name + ".png").toFile());
    }

    private void writeRandomisationPlot() throws IOException {
        md.append("## 3. Model-randomisation sanity check\n\n");
        md.append("Cascading randomisation (Adebayo et al. 2018): starting from the output, each layer's weights are "
                + "re-initialised in the loaded model's memory (kernels He-normal, biases 0; the files are not "
                + "touched, the weights are restored afterwards), layers accumulate, and the maps for the same "
                + "target class (the trained model's prediction) are recomputed. The table gives the mean Spearman "
                + "rank correlation between the trained model's map and the randomised model's map (pixels at image "
                + "size; guided maps as summed |value| over RGB). An empty Grad-CAM map (no positive evidence) has no "
                + "ranking and counts as 0. A method that explains the model should decorrelate (→ 0); a method "
                + "that stays correlated shows the image, not the model.\n\n");
        List<Plots.Panel> panels = new ArrayList<>();
        for (RandomisationResult r : randomisations) {
            md.append("**").append(r.model()).append("** (").append(r.n()).append(" images):\n\n");
            md.append("| randomised up to | ").append(String.join(" | ", ALL_MAPS)).append(" | empty Grad-CAM maps |\n");
            md.append("|---|").append("---:|".repeat(ALL_MAPS.length)).append("---:|\n");
            for (int s = 0; s < r.stages().size(); s++) {
                md.append("| ").append(s == 0 ? "none (rerun of trained)" : r.stages().get(s)).append(" | ");
                for (String m : ALL_MAPS) {
                    md.append(r.spearman().get(m).get(s).format(2)).append(" | ");
                }
                md.append(r.empty().get(s)).append(" |\n");
            }
            md.append("\n");
            List<Plots.Series> series = new ArrayList<>();
            int c = 0;
            for (String m : MAPS) {
                int k = r.stages().size();
                double[] x = new double[k];
                double[] y = new double[k];
                double[] lo = new double[k];
                double[] hi = new double[k];
                for (int s = 0; s < k; s++) {
                    Stat st = r.spearman().get(m).get(s);
                    x[s] = s;
                    y[s] = st.mean();
                    lo[s] = y[s] - st.sd();
                    hi[s] = y[s] + st.sd();
                }
                series.add(new Plots.Series(m, Plots.PALETTE[c++], x, y, lo, hi, false));
            }
            double yMin = -0.2;
            for (Plots.Series sr : series) {
                for (double v : sr.lo()) {
                    yMin = Math.min(yMin, Math.floor(v * 5) / 5);
                }
            }
            List<String> ticks = new ArrayList<>(r.stages());
            ticks.set(0, "trained");
            panels.add(new Plots.Panel("Cascading randomisation, " + r.model(), "layers re-initialised (cumulative, from the top)",
                    "Spearman rank correlation with trained map", 0, ticks.size() - 1, Math.max(-1, yMin), 1.0, ticks, series));
        }
        ImageIO.write(Plots.row(panels, 560, 500), "png", out.resolve("evaluation-randomisation.png").toFile());
        md.append(variantsUnderRandomisation());
        md.append("Bands in the plot: ± 1 standard deviation over images (Grad-CAM and the guided maps).\n\n");
        md.append("![Spearman correlation vs randomised layers](evaluation-randomisation.png)\n\n");
        for (RandomisationResult r : randomisations) {
            md.append("Example, ").append(r.model()).append(" (").append(r.example()).append("):\n\n");
            md.append("![Example maps, ").append(r.model()).append("](evaluation-randomisation-").append(r.model())
                    .append(".png)\n\n");
        }
    }

    /** Generated reading of the Grad-CAM variants' columns of the randomisation tables. */
    private String variantsUnderRandomisation() {
        StringBuilder t = new StringBuilder("**Grad-CAM variants.** Mean ρ after re-initialising the top layer / every layer: ");
        List<String> perModel = new ArrayList<>();
        for (RandomisationResult r : randomisations) {
            int last = r.stages().size() - 1;
            List<String> parts = new ArrayList<>();
            for (String m : new String[] {"Grad-CAM", VARIANTS[0], VARIANTS[1], VARIANTS[2]}) {
                List<Stat> st = r.spearman().get(m);
                parts.add(m + " " + fmt(st.get(Math.min(1, last)).mean(), 2) + " / " + fmt(st.get(last).mean(), 2));
            }
            perModel.add(r.model() + ": " + String.join(", ", parts));
        }
        t.append(String.join("; ", perModel)).append(".");
        List<String> same = new ArrayList<>();
        List<String> less = new ArrayList<>();
        List<String> overGuided = new ArrayList<>();
        for (String v : VARIANTS) {
            boolean allSame = true;
            boolean allAbove = true;
            for (RandomisationResult r : randomisations) {
                int last = r.stages().size() - 1;
                for (int s = 1; s <= last; s++) {
                    Stat a = r.spearman().get(v).get(s);
                    Stat g = r.spearman().get("Grad-CAM").get(s);
                    allSame &= a.format(2).equals(g.format(2));
                    allAbove &= a.mean() - a.ci95() > g.mean() + g.ci95();
                }
                double va = r.spearman().get(v).get(last).mean();
                double gb = r.spearman().get("Guided Backprop").get(last).mean();
                if (va > gb) {
                    overGuided.add(v + " in " + r.model() + " (" + fmt(va, 2) + " against " + fmt(gb, 2) + ")");
                }
            }
            if (allSame) {
                same.add(v);
            } else if (allAbove) {
                less.add(v);
            }
        }
        if (!same.isEmpty()) {
            t.append(" ").append(String.join(" and ", same)).append(same.size() == 1 ? " equals" : " equal")
                    .append(" Grad-CAM at every stage.");
        }
        if (!less.isEmpty()) {
            t.append(" ").append(String.join(" and ", less)).append(less.size() == 1 ? " stays" : " stay")
                    .append(" more correlated than Grad-CAM at every randomised stage of every model (non-overlapping "
                    + "95 % intervals): ").append(less.size() == 1 ? "it decorrelates" : "they decorrelate")
                    .append(" less, i.e. ").append(less.size() == 1 ? "its" : "their")
                    .append(" maps depend less on the weights and more on the image.");
        }
        t.append(overGuided.isEmpty() ? " After the full cascade every variant keeps less rank correlation than Guided "
                + "Backprop." : " After the full cascade more rank correlation than Guided Backprop is kept by "
                + String.join(", ", overGuided) + ".");
        return t.append("\n\n").toString();
    }

    /** Maps of every image for its own target class (images grouped by target into explainer calls). */
    private static List<Map<String, float[]>> mapsFor(Explainer ex, List<InputImage> images, int[] targets) {
        List<Map<String, float[]>> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(null);
        }
        java.util.TreeSet<Integer> distinct = new java.util.TreeSet<>();
        for (int t : targets) {
            distinct.add(t);
        }
        for (int t : distinct) {
            List<Integer> idx = new ArrayList<>();
            List<InputImage> group = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                if (targets[i] == t) {
                    idx.add(i);
                    group.add(images.get(i));
                }
            }
            List<List<Explanation>> r = ex.explain(group, ExplainRequest.defaults().withMethods(METHODS)
                    .withTargets(List.of(String.valueOf(t))));
            for (int j = 0; j < idx.size(); j++) {
                out.set(idx.get(j), maps(r.get(j).get(0)));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** The maps of an explanation as one value per pixel (guided maps: summed |value| over channels). */
    static Map<String, float[]> maps(Explanation e) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("Grad-CAM", e.maps().get(Method.GRADCAM).data());
        for (Method v : VARIANT_METHODS) {
            m.put(v.title(), e.maps().get(v).data());
        }
        m.put("Guided Grad-CAM", collapse(e.maps().get(Method.GUIDED_GRADCAM)));
        m.put("Guided Backprop", collapse(e.maps().get(Method.GUIDED_BACKPROP)));
        return m;
    }

    /** Sum of absolute values over channels. */
    public static float[] collapse(MapImage m) {
        int plane = m.width() * m.height();
        float[] out = new float[plane];
        for (int c = 0; c < m.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                out[i] += Math.abs(m.data()[c * plane + i]);
            }
        }
        return out;
    }

    static int classIndex(LoadedModel model, String label) {
        for (int i = 0; i < model.labels().size(); i++) {
            if (model.labels().get(i).equalsIgnoreCase(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException("The model " + model.dir() + " has no class '" + label + "' (labels: "
                + model.labels() + ")");
    }

    static boolean[] mask(ByteProcessor bp) {
        byte[] px = (byte[]) bp.getPixels();
        boolean[] m = new boolean[px.length];
        for (int i = 0; i < px.length; i++) {
            m[i] = px[i] != 0;
        }
        return m;
    }

    static boolean[] and(boolean[] a, boolean[] b) {
        boolean[] o = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] && b[i];
        }
        return o;
    }

    static float[] toFloat(boolean[] m) {
        float[] f = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            f[i] = m[i] ? 1 : 0;
        }
        return f;
    }

    static float[] normalise(float[] m) {
        float max = 0;
        for (float v : m) {
            max = Math.max(max, v);
        }
        float[] o = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            o[i] = max > 0 ? m[i] / max : 0;
        }
        return o;
    }

    /** The image in gray (so that the overlaid map's colours stand out). */
    static InputImage gray(InputImage im) {
        int n = im.width() * im.height();
        float[] d = new float[3 * n];
        for (int i = 0; i < n; i++) {
            float v = im.channels() == 3 ? (im.data()[i] + im.data()[n + i] + im.data()[2 * n + i]) / 3 : im.data()[i];
            d[i] = v;
            d[n + i] = v;
            d[2 * n + i] = v;
        }
        return new InputImage(im.width(), im.height(), 3, d, im.kind());
    }

    /** The (first) position of the map's maximum, {x, y}. */
    static double[] argmax(float[] m, int w) {
        int best = 0;
        for (int i = 1; i < m.length; i++) {
            if (m[i] > m[best]) {
                best = i;
            }
        }
        return new double[] {best % w, best / w};
    }

    static String fmt(double v, int decimals) {
        return Stat.f(v, decimals);
    }

    private static void log(String s) {
        System.err.println("evaluate: " + s);
    }
}
