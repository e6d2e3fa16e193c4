package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.CENTRE_SIGMA;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.METHODS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.VARIANTS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.withVariants;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.maps;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.classIndex;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.mask;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.argmax;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import ij.ImagePlus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.image.BinaryMasks;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.training.SyntheticShapes;

/**
 * Section 1 of the evaluation: localisation and class discrimination on synthetic two-object scenes (one ring,
 * one cross, with ground-truth masks) for the shapes model, then its deletion/insertion curves.
 */
record ShapesSection(EvaluationSettings settings, StringBuilder md) {

    /** Renders the settings.scenes(), explains each for both classes, writes the tables and figures. */
    ExplainedImages evaluate(LoadedModel model, Explainer ex) throws IOException {
        log("shapes: " + settings.scenes() + " scenes");
        Random random = new Random(settings.seed());
        List<InputImage> images = new ArrayList<>();
        List<Map<String, boolean[]>> masks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < settings.scenes(); i++) {
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
        String[] rows = withVariants("Guided Grad-CAM", "Guided Backprop", "Centre Gaussian", "Uniform (random point)");
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
                boolean[] tol = BinaryMasks.dilate(target, w, h, settings.tolerance());
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
        ImageIO.write(Montages.montage(tiles, 4, 160, "Grad-CAM per target class (yellow: ring, cyan: cross, +: maximum)"),
                "png", settings.out().resolve("evaluation-shapes.png").toFile());

        md.append("## 1. Synthetic two-object scenes (shapes model)\n\n");
        md.append("Each scene (128×128, made by `SyntheticShapes` with seed ").append(settings.seed()).append(") holds one ring "
                + "and one cross with ground-truth masks; every scene is explained once per class. Pointing: the map "
                + "maximum lies in the target object's mask dilated by ").append(fmt(settings.tolerance(), 0))
                .append(" px, or by half a Grad-CAM feature cell (").append(fmt(halfCell, 0)).append(" px). Energy: share of the map's mass inside the target (other) object's mask. "
                + "Target wins: share of scenes with more mass on the target object than on the other one "
                + "(0.5 for ties). Mass ratio: target mass / (target + other mass). Guided maps are summed "
                + "|value| over RGB. Centre Gaussian: a bump at the image centre, sigma = 0.25 × image size; Uniform: "
                + "a flat map (its pointing value is the hit rate of a random point, i.e. the dilated mask's area "
                + "fraction).\n\n");
        md.append("| target | map | pointing (").append(fmt(settings.tolerance(), 0)).append(" px) | pointing (½ cell) | "
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
        md.append("\n").append(VariantReadings.onShapes(classes, perClass));
        md.append("![Grad-CAM on synthetic scenes](evaluation-shapes.png)\n\n");

        new DeletionInsertionSection(settings, md).shapes(model, ex, images, exps, classes);
        return new ExplainedImages(images, predicted, names);
    }
}
