package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.CENTRE_SIGMA;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.CONTROL;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.METHODS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.VARIANTS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.prefixed;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.withVariants;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.ALL_MAPS;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.maps;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.classIndex;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.and;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.toFloat;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.argmax;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.image.BinaryMasks;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * Section 2 of the evaluation: does Grad-CAM find the parasite? Pointing game and energy on the malaria model's
 * held-out cells, with colour-thresholded chromatin ({@link ParasiteSegmentation}) as ground truth, the
 * classifier's errors by visible chromatin, then the deletion/insertion curves.
 */
record MalariaSection(EvaluationSettings settings, StringBuilder md) {

    /** Explains the held-out cells (listed in the model's {@code validation.txt}), writes the tables and figures. */
    ExplainedImages evaluate(LoadedModel model, Explainer ex) throws IOException {
        Path list = model.dir().resolve("validation.txt");
        List<String> rel = Files.readAllLines(list).stream().map(String::strip)
                .filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        int limit = settings.limit();
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
            images.add(ImagePlusImages.toInput(ImageFiles.open(settings.data().resolve(r)), 1));
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
        String[] pointRows = EvaluationSupport.concat(withVariants("Guided Grad-CAM", "Guided Backprop", "Random point in image",
                "Random point in cell", "Image centre", "Cell centroid"),
                prefixed(CONTROL, "Guided Grad-CAM", "Guided Backprop"));
        String[] energyRows = EvaluationSupport.concat(withVariants("Guided Grad-CAM", "Guided Backprop", "Uniform over image",
                "Uniform over cell", "Centre Gaussian"), prefixed(CONTROL, "Guided Grad-CAM", "Guided Backprop"));
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
            boolean[] tol = BinaryMasks.dilate(seg.parasite(), w, h, settings.tolerance());
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
                settings.out().resolve("evaluation-parasites.png").toFile());

        md.append("## 2. Malaria cells: does Grad-CAM find the parasite? (issue D.5)\n\n");
        md.append("Model `").append(settings.home().relativize(model.dir().toAbsolutePath().normalize())).append("`, its held-out "
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
                settings.out().resolve("evaluation-errors.png").toFile());
        md.append(errorsByChromatin(byChromatin));
        md.append("Maps for the class `Parasitized` at image size; pointing tolerance: mask dilated by ")
                .append(fmt(settings.tolerance(), 0)).append(" px at image scale (one Grad-CAM feature cell is ")
                .append(fmt(2 * halfSum / Math.max(1, found), 1)).append(" px on average). Column *correct* uses only "
                + "the cells the model classifies as Parasitized (").append(foundCorrect).append(" of ").append(found).append(").\n\n");
        md.append("Pointing is given for the ").append(fmt(settings.tolerance(), 0)).append(" px tolerance and for a tolerance "
                + "of half a Grad-CAM feature cell (mean ").append(fmt(halfSum / Math.max(1, found), 1))
                .append(" px), the map's own resolution limit.\n\n");
        md.append("| map | pointing ").append(fmt(settings.tolerance(), 0)).append(" px (all, n=").append(found)
                .append(") | pointing ").append(fmt(settings.tolerance(), 0)).append(" px (correct, n=").append(foundCorrect)
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
        md.append(VariantReadings.onParasites(point, energy));
        md.append("![Parasite masks and Grad-CAM](evaluation-parasites.png)\n\n");

        new DeletionInsertionSection(settings, md).malaria(ex, images, exps, predicted);
        return new ExplainedImages(images, predicted, names);
    }

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

    /** Pointing hits of the maps and of the baselines for one (dilated) parasite mask. */
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
}
