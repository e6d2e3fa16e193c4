package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.graph.ScoreKind;

/**
 * What the perturbation methods ({@link ScoreCam}, {@link AblationCam}) need besides a run's fetched values: the runner
 * for their forward passes, the score kind, the model inputs of the run's rows ({@code h × w × c} each, NHWC, row
 * after row, as fed) and the class each row explains.
 */
record Perturbation(BatchRun runner, ScoreKind score, float[] inputs, int h, int w, int c, int[] classes) {

    /** Values per model input. */
    int perInput() {
        return h * w * c;
    }
}
