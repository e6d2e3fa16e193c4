package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ScoreKind;

/**
 * What the perturbation methods ({@link ScoreCam}, {@link AblationCam}) need besides a run's fetched values: the runner
 * for their forward passes, the score kind, the model inputs of the run's rows ({@code h × w × c} each, NHWC, row
 * after row, as fed) and the class each row explains.
 */
record Perturbation(BatchRun runner, ScoreKind score, float[] inputs, int h, int w, int c, int[] classes,
        BatchRun.RegionWeights[] regions) {

    /** For a classifier (no region weights). */
    Perturbation(BatchRun runner, ScoreKind score, float[] inputs, int h, int w, int c, int[] classes) {
        this(runner, score, inputs, h, w, c, classes, null);
    }

    /** The inputs of one forward-only run: {@code rows} NHWC model inputs, and values fed at a layer (or null). */
    record Run(float[] inputs, BatchRun.LayerFeed feed) {}

    /** Builds the run of perturbed copies {@code start} to {@code start + rows − 1}. */
    @FunctionalInterface
    interface Copies {
        Run build(int start, int rows);
    }

    /** Values per model input. */
    int perInput() {
        return h * w * c;
    }

    /**
     * The class scores of {@code count} perturbed copies of row {@code row}'s input (the class is the row's), run in
     * runs of {@link BatchRun#rowsPerRun()} copies, each built by {@code copies} just before its run.
     */
    double[] classScores(int row, int count, Copies copies) {
        int cls = classes[row];
        double[] out = new double[count];
        // a dense output's copies are scored over the region of the row's own (unperturbed) output
        BatchRun runner = regions == null ? this.runner : this.runner.withRegion(regions[row]);
        for (int start = 0; start < count; start += runner.rowsPerRun()) {
            int rows = Math.min(runner.rowsPerRun(), count - start);
            Run run = copies.build(start, rows);
            float[] s = runner.scores(run.inputs(), rows, h, w, c, score, run.feed());
            int units = s.length / rows;
            for (int r = 0; r < rows; r++) {
                out[start + r] = s[r * units + cls];
            }
        }
        return out;
    }
}
