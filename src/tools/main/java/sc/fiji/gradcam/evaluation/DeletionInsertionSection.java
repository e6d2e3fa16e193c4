package sc.fiji.gradcam.evaluation;

import static sc.fiji.gradcam.evaluation.EvaluationSupport.classIndex;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.fmt;
import static sc.fiji.gradcam.evaluation.EvaluationSupport.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * The deletion/insertion subsections of the evaluation: curves of Grad-CAM, its variants and baseline maps on
 * the synthetic scenes (blurred baseline, each class in turn) and on the held-out malaria cells (black and
 * blurred baselines, the predicted class).
 */
record DeletionInsertionSection(EvaluationSettings settings, StringBuilder md) {

    static final double SHAPES_BLUR = 8;
    static final double MALARIA_BLUR = 8;

    /** Synthetic scenes: {@code exps} holds per image one explanation per class of {@code classes}, in order. */
    void shapes(LoadedModel model, Explainer ex, List<InputImage> images, List<List<Explanation>> exps,
            List<String> classes) throws IOException {
        // deletion / insertion: blurred scene as baseline, each target class
        log("shapes: deletion/insertion");
        List<DeletionInsertionCurves> perTarget = new ArrayList<>();
        for (int t = 0; t < classes.size(); t++) {
            perTarget.add(new DeletionInsertionCurves(settings.steps()));
        }
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            InputImage baseline = Perturbation.blur(im, SHAPES_BLUR);
            for (int t = 0; t < classes.size(); t++) {
                int target = classIndex(model, classes.get(t));
                perTarget.get(t).run(ex, im, baseline, exps.get(i).get(t).maps().get(Method.GRADCAM).data(), target,
                        new Random(settings.seed() * 31 + i * 2L + t));
                perTarget.get(t).runVariants(ex, im, baseline, exps.get(i).get(t), target,
                        new Random(settings.seed() * 37 + i * 2L + t));
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
            perTarget.get(t).plot(settings.out().resolve("evaluation-deletion-insertion-shapes-" + cls + ".png"), "shapes, " + cls);
            md.append("\n![Deletion and insertion curves, shapes, ").append(cls)
                    .append("](evaluation-deletion-insertion-shapes-").append(cls).append(".png)\n\n");
        }
    }

    /** Malaria cells: {@code exps} holds per image the explanation of the predicted class first. */
    void malaria(Explainer ex, List<InputImage> images, List<List<Explanation>> exps, int[] predicted)
            throws IOException {
        // deletion / insertion on all held-out images, predicted class, black baseline
        log("malaria: deletion/insertion");
        DeletionInsertionCurves black = new DeletionInsertionCurves(settings.steps());
        DeletionInsertionCurves blurred = new DeletionInsertionCurves(settings.steps());
        for (int i = 0; i < images.size(); i++) {
            InputImage im = images.get(i);
            float[] cam = exps.get(i).get(0).maps().get(Method.GRADCAM).data();
            black.run(ex, im, Perturbation.constant(im, 0f), cam, predicted[i], new Random(settings.seed() * 17 + i));
            blurred.run(ex, im, Perturbation.blur(im, MALARIA_BLUR), cam, predicted[i], new Random(settings.seed() * 19 + i));
            black.runVariants(ex, im, Perturbation.constant(im, 0f), exps.get(i).get(0), predicted[i],
                    new Random(settings.seed() * 41 + i));
            blurred.runVariants(ex, im, Perturbation.blur(im, MALARIA_BLUR), exps.get(i).get(0), predicted[i],
                    new Random(settings.seed() * 43 + i));
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
        black.plot(settings.out().resolve("evaluation-deletion-insertion-malaria.png"), "malaria, black");
        blurred.plot(settings.out().resolve("evaluation-deletion-insertion-malaria-blur.png"), "malaria, blurred");
        md.append("\n![Deletion and insertion curves, malaria, black baseline](evaluation-deletion-insertion-malaria.png)\n\n");
        md.append("![Deletion and insertion curves, malaria, blurred baseline](evaluation-deletion-insertion-malaria-blur.png)\n\n");
    }
}
