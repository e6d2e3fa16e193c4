package sc.fiji.gradcam.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * Trains {@code models/shapes}: ring vs cross on single-shape {@link SyntheticShapes} scenes, for
 * class-discrimination checks on two-object scenes (the map for {@code ring} should fall on the ring).
 */
@Command(name = "train-shapes-model", mixinStandardHelpOptions = true,
        description = "Trains the ring-vs-cross demo classifier on synthetic images.")
public final class TrainShapesModel implements Callable<Integer> {

    static final int SIZE = 64;
    static final int CANVAS = 128;
    static final int[] WIDTHS = {16, 32, 64, 64};

    @Option(names = "--out", required = true, description = "model folder to write, e.g. models/shapes")
    Path out;

    @Option(names = "--seed", defaultValue = "11")
    long seed;

    @Option(names = "--epochs", defaultValue = "20")
    int epochs;

    @Option(names = "--train", defaultValue = "2000", description = "number of training images")
    int trainCount;

    @Option(names = "--validation", defaultValue = "500", description = "number of validation images")
    int validationCount;

    @Option(names = "--overwrite", description = "replace an existing model folder")
    boolean overwrite;

    public static void main(String[] args) {
        System.exit(ExportedModel.execute(new TrainShapesModel(), args));
    }

    @Override
    public Integer call() throws IOException {
        ExportedModel.prepareOutput(out, overwrite);
        TensorFlowRuntime.engine();
        List<String> classes = SyntheticShapes.CLASSES;
        SmallCnn net = new SmallCnn(SIZE, 3, WIDTHS, classes.size());
        Preprocessing preprocessing = ExportedModel.preprocessing(net);
        List<LabeledImage> train = SyntheticShapes.singleShapeExamples(trainCount, CANVAS, preprocessing, seed);
        List<LabeledImage> val = SyntheticShapes.singleShapeExamples(validationCount, CANVAS, preprocessing,
                seed + 1000);
        ClassifierTraining.Config config = ClassifierTraining.Config.defaults(seed, epochs);
        ClassifierTraining.Outcome outcome = ClassifierTraining.train(net, classes, train, val, config, System.out);

        SavedModelExport.export(net, outcome.weights(), out);
        ExportedModel.writeMetadata(out, net, classes, "synthetic shapes: ring vs cross");
        ConfusionMatrix cm;
        try (ExportedModel model = ExportedModel.load(out, net)) {
            cm = ClassifierTraining.evaluate(model, net, classes, val);
        }
        System.out.printf("exported model: validation accuracy %.4f%n%s", cm.accuracy(), cm.toMarkdown());
        long bytes = ExportedModel.folderBytes(out);
        Files.writeString(out.resolve("README.md"), """
                # shapes — synthetic ring vs cross classifier

                A tiny classifier for class-discrimination demos and tests of gradcam-fiji: on a two-object
                image (see `test-images/synthetic/`), the Grad-CAM map for `ring` should fall on the ring and
                the map for `cross` on the cross. Trained only on synthetic images made by
                `sc.fiji.gradcam.training.SyntheticShapes`; no third-party data.

                ## Files and interface

                - `saved_model.pb`, `variables/` — TF1-style SavedModel, tag `serve`, signature
                  `serving_default`: input `image` float32 [-1, %d, %d, 3] (op `image`), output
                  `probabilities` float32 [-1, 2] (op `probabilities`, Softmax).
                - `labels.txt` — index 0 `ring`, index 1 `cross`.
                - `gradcam.properties` — stretch to %dx%d, RGB, value / 255. The training scenes were prepared
                  by the explainer's own code (`image.Preprocessor` with these properties), so the model is
                  trained on exactly what the explainer feeds it.

                Network: %d blocks of `Conv2D` 3x3 + `BiasAdd` + `Relu` (widths %s), `MaxPool` 2x2 after all
                but the last; last conv activation `%s` is %dx%d; `gap` (`Mean`), `dense/matmul` + `logits`,
                `probabilities` (`Softmax`). Folder size: %,d bytes.

                ## Data

                Each example is a %dx%d scene with one shape on a textured noisy background (random waves in a
                random colour plus Gaussian noise); a ring (annulus, inner radius 0.6 x outer), or a randomly
                rotated cross (bars 0.6 x radius wide);
                fill colour drawn from the same distribution for both classes (clearly lighter or darker than
                the background). The scene is stretched to %dx%d like any input image. Training: %d scenes
                (seed %d); validation: %d other scenes (seed %d).

                ## Training

                Same trainer as `malaria-cells` (`ClassifierTraining`): Adam, learning rate %.0e cosine-decayed
                to %.0e, batch %d, %d epochs, flips / 90° rotations / shifts / colour jitter, dropout. Took %.0f s on 2 CPU cores.

                ## Validation

                Accuracy **%.4f** on %d scenes.

                %s
                ## Reproduce

                ```
                java -cp target/classes:$(cat target/classpath.txt) sc.fiji.gradcam.training.TrainShapesModel \\
                    --out models/shapes --seed %d --epochs %d --overwrite
                ```
                """.formatted(SIZE, SIZE, SIZE, SIZE, WIDTHS.length, java.util.Arrays.toString(WIDTHS),
                net.lastConvOpName(), net.lastConvSize(), net.lastConvSize(), bytes, CANVAS, CANVAS, SIZE, SIZE,
                trainCount, seed, validationCount, seed + 1000, config.learningRate(), config.finalLearningRate(),
                config.batchSize(), epochs, outcome.seconds(), cm.accuracy(), cm.total(), cm.toMarkdown(),
                seed, epochs), StandardCharsets.UTF_8);
        return 0;
    }
}
