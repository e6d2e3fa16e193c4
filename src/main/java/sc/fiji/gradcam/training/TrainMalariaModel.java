package sc.fiji.gradcam.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * Trains the default demo model, {@code models/malaria-cells}: parasitized vs uninfected red blood
 * cells (NIH/NLM malaria subset), validation split by slide prefix.
 */
@Command(name = "train-default-model", mixinStandardHelpOptions = true,
        description = "Trains the malaria-cells demo classifier and writes it as a SavedModel folder.")
public final class TrainMalariaModel implements Callable<Integer> {

    static final List<String> CLASSES = List.of("Parasitized", "Uninfected");
    static final int SIZE = 64;
    static final int[] WIDTHS = {32, 64, 128, 128};

    @Option(names = "--data", required = true, description = "dataset folder with Parasitized/ and Uninfected/")
    Path data;

    @Option(names = "--out", required = true, description = "model folder to write, e.g. models/malaria-cells")
    Path out;

    @Option(names = "--seed", defaultValue = "20240917", description = "seed of split, initialisation and batches")
    long seed;

    @Option(names = "--epochs", defaultValue = "60")
    int epochs;

    @Option(names = "--validation-fraction", defaultValue = "0.2", description = "share of slide prefixes held out")
    double validationFraction;

    @Option(names = "--overwrite", description = "replace an existing model folder")
    boolean overwrite;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainMalariaModel()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        ExportedModel.prepareOutput(out, overwrite);
        TensorFlowRuntime.engine();

        List<String> all = ImageFolderDataset.list(data, CLASSES);
        Set<String> prefixes = new TreeSet<>();
        all.forEach(rel -> prefixes.add(ImageFolderDataset.prefixOf(rel.substring(rel.indexOf('/') + 1))));
        Set<String> heldOut = GroupSplit.heldOutGroups(prefixes, validationFraction, seed);
        java.util.function.Function<String, String> prefixOfPath =
                rel -> ImageFolderDataset.prefixOf(rel.substring(rel.indexOf('/') + 1));
        List<String> trainPaths = GroupSplit.select(all, prefixOfPath, heldOut, false);
        List<String> valPaths = GroupSplit.select(all, prefixOfPath, heldOut, true);
        System.out.printf("%d images, %d slide prefixes; held out %d prefixes = %d images; training on %d%n",
                all.size(), prefixes.size(), heldOut.size(), valPaths.size(), trainPaths.size());

        List<LabeledImage> train = ImageFolderDataset.load(data, trainPaths, CLASSES, SIZE);
        List<LabeledImage> val = ImageFolderDataset.load(data, valPaths, CLASSES, SIZE);
        SmallCnn net = new SmallCnn(SIZE, 3, WIDTHS, CLASSES.size());
        ClassifierTraining.Config config = ClassifierTraining.Config.defaults(seed, epochs);
        ClassifierTraining.Outcome outcome = ClassifierTraining.train(net, CLASSES, train, val, config, System.out);

        SavedModelExport.export(net, outcome.weights(), out);
        ExportedModel.writeMetadata(out, net, CLASSES, "NIH/NLM malaria cells: Parasitized vs Uninfected");
        Files.write(out.resolve("validation.txt"), valPaths, StandardCharsets.UTF_8);
        ConfusionMatrix exported;
        try (ExportedModel model = ExportedModel.load(out, net)) {
            exported = ClassifierTraining.evaluate(model, net, CLASSES, val);
        }
        System.out.printf("exported model: validation accuracy %.4f%n%s", exported.accuracy(), exported.toMarkdown());
        long bytes = ExportedModel.folderBytes(out);
        Files.writeString(out.resolve("README.md"), readme(net, config, heldOut, prefixes.size(), train.size(),
                val, exported, outcome.seconds(), bytes), StandardCharsets.UTF_8);
        return 0;
    }

    private String readme(SmallCnn net, ClassifierTraining.Config c, Set<String> heldOut, int prefixCount,
            int trainCount, List<LabeledImage> val, ConfusionMatrix cm, double seconds, long bytes) {
        int valPara = (int) val.stream().filter(v -> v.label() == 0).count();
        return """
                # malaria-cells — demo classifier (Parasitized vs Uninfected)

                A small convolutional network that tells Giemsa-stained red blood cells infected by
                *Plasmodium* (`Parasitized`) from healthy ones (`Uninfected`). It is the default model of
                gradcam-fiji: small, fast on a CPU, and with an 8x8 last convolution map so that Grad-CAM
                maps are meaningful. **Demo only — not for diagnosis.**

                ## Files

                - `saved_model.pb`, `variables/` — TensorFlow SavedModel (TF1-style graph), tag `serve`,
                  signature `serving_default`: input `image` float32 [-1, %d, %d, 3] (op `image`),
                  output `probabilities` float32 [-1, 2] (op `probabilities`, a Softmax).
                - `labels.txt` — class names in output order: index 0 `Parasitized`, index 1 `Uninfected`.
                - `gradcam.properties` — preprocessing: stretch to %dx%d (bilinear, averaging when
                  shrinking), RGB, value / 255 (range 0:1).
                - `validation.txt` — the held-out validation images, relative to the dataset folder.

                ## Network

                Graph ops (inference graph only; no loss, gradients or optimizer slots):
                4 blocks of `Conv2D` 3x3 (SAME) + `BiasAdd` + `Relu`, widths %s, a 2x2 `MaxPool` after
                blocks 1–3 → last conv activation `%s` is %dx%dx%d; global average pooling `gap`
                (`Mean`), `dense/matmul` (`MatMul`) + `logits` (`BiasAdd`), `probabilities` (`Softmax`).
                Weights are `VariableV2` variables (`blockK/kernel`, `blockK/bias`, `dense/kernel`,
                `dense/bias`) restored from `variables/`. Folder size: %,d bytes.

                ## Data

                492 single-cell PNG crops (247 Parasitized, 245 Uninfected), a verified subset of the
                NIH/NLM malaria "cell_images" dataset (see the dataset README for provenance). The crops
                were photographed at Chittagong Medical College Hospital, Bangladesh, and released by the
                U.S. National Library of Medicine (LHNCBC); treated as a public-domain U.S. federal
                release — keep the citation and the "NIH/NLM LHNCBC malaria dataset" credit.

                > Rajaraman S, Antani SK, Poostchi M, Silamut K, Hossain MA, Maude RJ, Jaeger S, Thoma GR.
                > Pre-trained convolutional neural networks as feature extractors toward improved malaria
                > parasite detection in thin blood smear images. PeerJ 6:e4568 (2018).
                > https://doi.org/10.7717/peerj.4568

                ## Split

                By slide prefix (file-name part before `_IMG_`): the %d prefixes are sorted, shuffled with
                `java.util.Random(seed)` and the first %.0f %% are held out, so no slide is seen in training.
                Training: %d images. Validation: %d images (%d Parasitized, %d Uninfected) from %d prefixes:

                %s

                ## Training

                Adam (b1 0.9, b2 0.999, eps 1e-7, written as graph ops), learning rate %.0e cosine-decayed
                to %.0e, batch %d, %d epochs, softmax cross-entropy, He-normal initialisation, seed %d.
                Augmentation per batch: random horizontal flip, rotation by k·90°, brightness ±%.0f %%,
                per-channel gain ±%.0f %%, shift up to ±%d px; dropout (keep %.1f) on the pooled features during
                training only. No early stopping or model selection on the validation set.
                Training took %.0f s on 2 CPU cores.

                ## Validation (exported SavedModel, held-out prefixes)

                Accuracy **%.4f** (%d / %d).

                %s
                ## Reproduce

                ```
                scripts/train-default-model --overwrite
                ```
                (= `java sc.fiji.gradcam.training.TrainMalariaModel --data <shared>/datasets/malaria
                --out models/malaria-cells --seed %d --epochs %d`). TensorFlow's multi-threaded CPU kernels
                are not bit-reproducible, so a rerun can differ slightly in the last digits.
                """.formatted(net.size(), net.size(), net.size(), net.size(), java.util.Arrays.toString(WIDTHS),
                net.lastConvOpName(), net.lastConvSize(), net.lastConvSize(), WIDTHS[WIDTHS.length - 1], bytes,
                prefixCount, validationFraction * 100, trainCount, val.size(), valPara, val.size() - valPara,
                heldOut.size(), "`" + String.join("`, `", heldOut) + "`",
                c.learningRate(), c.finalLearningRate(), c.batchSize(), c.epochs(), c.seed(),
                c.brightnessJitter() * 100, c.colourJitter() * 100, c.maxShift(), c.keepProbability(), seconds,
                cm.accuracy(), (int) Math.round(cm.accuracy() * cm.total()), cm.total(), cm.toMarkdown(),
                c.seed(), c.epochs());
    }
}
