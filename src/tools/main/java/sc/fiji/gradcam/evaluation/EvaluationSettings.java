package sc.fiji.gradcam.evaluation;

import java.nio.file.Path;

/**
 * The settings of one evaluation run.
 *
 * @param home the project folder (model paths in the report are relative to it)
 * @param out the folder of {@code evaluation.md} and its figures
 * @param data the malaria dataset folder
 * @param scenes how many synthetic two-object scenes
 * @param seed seed of scenes, random maps and randomised weights
 * @param steps deletion/insertion steps
 * @param tolerance pointing-game tolerance: mask dilation in image pixels
 * @param limit at most this many malaria images (0: all)
 */
record EvaluationSettings(Path home, Path out, Path data, int scenes, long seed, int steps, double tolerance,
        int limit) {}
