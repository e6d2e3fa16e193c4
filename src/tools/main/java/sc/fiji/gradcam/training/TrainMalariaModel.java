package sc.fiji.gradcam.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
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

    @Option(names = "--data", required = true, split = ",",
            description = "dataset folder with Parasitized/ and Uninfected/; repeat (or separate by commas) for several "
                    + "pools. The held-out slide prefixes are a fold of the FIRST folder's prefixes and are held out "
                    + "from every folder")
    List<Path> data;

    @Option(names = "--validation-fold", defaultValue = "0",
            description = "which slice of the first folder's shuffled prefixes is held out (0 = the shipped split; "
                    + "1, 2, ... for cross-validation by slide)")
    int validationFold;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--validate-every", defaultValue = "5",
            description = "report the held-out accuracy after every N epochs (and after the last)")
    int validateEvery;

    @Option(names = "--progress", defaultValue = "true", negatable = true,
            description = "draw progress bars on standard error")
    boolean progress;

    @Option(names = "--out", required = true, description = "model folder to write, e.g. models/malaria-cells")
    Path out;

    @Option(names = "--seed", defaultValue = "20240917", description = "seed of split, initialisation and batches")
    long seed;

    @Option(names = "--epochs", defaultValue = "15")
    int epochs;

    @Option(names = "--size", defaultValue = "96", description = "model input width and height")
    int size;

    @Option(names = "--widths", defaultValue = "32,64,128,256", split = ",",
            description = "output channels of the conv blocks (a 2x2 max-pool follows all but the last)")
    int[] widths;

    @Option(names = "--convs-per-block", defaultValue = "1", split = ",",
            description = "3x3 convs per block (VGG-style): one value for all blocks or one per block, e.g. 1,1,2,2")
    int[] convsPerBlock;

    @Option(names = "--learning-rate", defaultValue = "1e-3")
    float learningRate;

    @Option(names = "--keep", defaultValue = "0.7", description = "dropout keep probability on the pooled features")
    float keep;

    @Option(names = "--label-smoothing", defaultValue = "0.1")
    float labelSmoothing;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "decoupled (AdamW) kernel weight decay")
    float weightDecay;

    @Option(names = "--average-last", defaultValue = "3",
            description = "export the mean weights of the last N epochs")
    int averageLast;

    @Option(names = "--any-angle", defaultValue = "true", negatable = true,
            description = "rotate by any angle (else by multiples of 90 degrees)")
    boolean anyAngle;

    @Option(names = "--zoom", defaultValue = "0.1")
    float zoom;

    @Option(names = "--gamma", defaultValue = "0.2")
    float gamma;

    @Option(names = "--class-balance", defaultValue = "true", negatable = true,
            description = "weight the loss by inverse training-class frequency")
    boolean classBalance;

    @Option(names = "--saturation", defaultValue = "0.2", description = "saturation jitter, e.g. 0.2 for +/-20 %%")
    float saturation;

    @Option(names = "--hue", defaultValue = "10", description = "hue jitter in degrees about the grey axis")
    float hue;

    @Option(names = "--tuning-fraction", defaultValue = "0",
            description = "for choosing hyper-parameters: hold out this share of the TRAINING prefixes as a tuning "
                    + "set and train on the rest; the held-out validation prefixes are then not even loaded")
    double tuningFraction;

    @Option(names = "--tuning-fold", defaultValue = "0",
            description = "which slice of the shuffled training prefixes is the tuning set (0-based; folds do not "
                    + "overlap), for cross-validating a setting")
    int tuningFold;

    @Option(names = "--head", defaultValue = "avg", converter = HeadConverter.class,
            description = "pooling of the last conv map: avg (global average, CAM-style), max, or avg-max (both, "
                    + "concatenated)")
    SmallCnn.Head head;

    static final class HeadConverter implements picocli.CommandLine.ITypeConverter<SmallCnn.Head> {
        @Override
        public SmallCnn.Head convert(String value) {
            return SmallCnn.Head.parse(value);
        }
    }

    @Option(names = "--ensemble", defaultValue = "1",
            description = "train this many members (seeds seed, seed+1, ...; same data and settings) and export them as"
                    + " one model averaging their logits (see CnnEnsemble); 1 = a single network")
    int ensemble;

    @Option(names = "--validation-fraction", defaultValue = "0.2", description = "share of slide prefixes held out")
    double validationFraction;

    @Option(names = "--overwrite", description = "replace an existing model folder")
    boolean overwrite;

    public static void main(String[] args) {
        System.exit(ExportedModel.execute(new TrainMalariaModel(), args));
    }

    @Override
    public Integer call() throws IOException {
        ExportedModel.prepareOutput(out, overwrite);
        TensorFlowRuntime.engine();

        java.util.function.Function<String, String> prefixOfPath =
                rel -> ImageFolderDataset.prefixOf(rel.substring(rel.indexOf('/') + 1));
        List<List<String>> all = data.stream().map(d -> ImageFolderDataset.list(d, CLASSES)).toList();
        Set<String> firstPrefixes = new TreeSet<>();
        all.get(0).forEach(rel -> firstPrefixes.add(prefixOfPath.apply(rel)));
        Set<String> prefixes = new TreeSet<>();
        all.forEach(list -> list.forEach(rel -> prefixes.add(prefixOfPath.apply(rel))));
        // held-out slides: a fold of the FIRST folder's prefixes (fold 0 = the split of the earlier models), held
        // out from every folder, so its held-out images stay unseen whatever other pools are added
        Set<String> heldOut = GroupSplit.foldGroups(firstPrefixes, validationFraction, seed, validationFold);
        List<List<String>> trainPaths = new java.util.ArrayList<>();
        List<List<String>> valPaths = new java.util.ArrayList<>();
        for (int k = 0; k < data.size(); k++) {
            trainPaths.add(GroupSplit.select(all.get(k), prefixOfPath, heldOut, false));
            valPaths.add(GroupSplit.select(all.get(k), prefixOfPath, heldOut, true));
            System.out.printf("%s: %d images; %d held out, %d for training%n", data.get(k), all.get(k).size(),
                    valPaths.get(k).size(), trainPaths.get(k).size());
        }
        System.out.printf("%d slide prefixes in all (%d in %s); held out %d prefixes (fold %d of the first folder's)"
                + " = %d images; training on %d%n", prefixes.size(), firstPrefixes.size(), data.get(0).getFileName(),
                heldOut.size(), validationFold, count(valPaths), count(trainPaths));

        SmallCnn net = new SmallCnn(size, 3, widths, convsPerBlock, CLASSES.size(), head);
        sc.fiji.gradcam.api.image.Preprocessing preprocessing = ExportedModel.preprocessing(net);
        System.out.println("preprocessing (as the explainer resolves it): " + preprocessing.describe());
        ClassifierTraining.Config config = config();
        System.out.println(config);
        if (tuningFraction > 0) {
            Set<String> trainPrefixes = new TreeSet<>(prefixes);
            trainPrefixes.removeAll(heldOut);
            Set<String> tuning = GroupSplit.foldGroups(trainPrefixes, tuningFraction, seed + 1, tuningFold);
            List<List<String>> fit = trainPaths.stream().map(l -> GroupSplit.select(l, prefixOfPath, tuning, false))
                    .toList();
            List<List<String>> tune = trainPaths.stream().map(l -> GroupSplit.select(l, prefixOfPath, tuning, true))
                    .toList();
            System.out.printf("TUNING RUN (fold %d): %d of the %d training prefixes = %d images as tuning set, fitting on %d; "
                    + "the held-out prefixes are not used%n", tuningFold, tuning.size(), trainPrefixes.size(),
                    count(tune), count(fit));
            List<LabeledImage> fitImages = load(fit, preprocessing, "loading fit set");
            List<LabeledImage> tuneImages = load(tune, preprocessing, "loading tuning set");
            List<ClassifierTraining.Outcome> members = trainMembers(net, fitImages, tuneImages, config);
            ClassifierNet exported = export(net, members, out);
            ExportedModel.writeMetadata(out, exported, CLASSES, "tuning run");
            report(exported, net, members, tuneImages, "tuning");
            return 0;
        }
        List<LabeledImage> train = load(trainPaths, preprocessing, "loading training images");
        List<LabeledImage> val = load(valPaths, preprocessing, "loading held-out images");
        List<ClassifierTraining.Outcome> members = trainMembers(net, train, val, config);
        ClassifierNet exportedNet = export(net, members, out);
        ExportedModel.writeMetadata(out, exportedNet, CLASSES, "NIH/NLM malaria cells: Parasitized vs Uninfected");
        Files.write(out.resolve("validation.txt"), valPaths.get(0), StandardCharsets.UTF_8);
        List<String> allHeldOut = new java.util.ArrayList<>();
        for (int k = 0; k < data.size(); k++) {
            String name = data.get(k).getFileName().toString();
            valPaths.get(k).forEach(rel -> allHeldOut.add(name + "/" + rel));
        }
        Files.write(out.resolve("validation-all.txt"), allHeldOut, StandardCharsets.UTF_8);
        ConfusionMatrix exported = report(exportedNet, net, members, val, "validation");
        double seconds = members.stream().mapToDouble(ClassifierTraining.Outcome::seconds).sum();
        long bytes = ExportedModel.folderBytes(out);
        Files.writeString(out.resolve("README.md"), readme(net, config, heldOut, firstPrefixes.size(),
                prefixes.size(), train.size(), train.stream().map(LabeledImage::label).toList(), val, exported,
                seconds, bytes), StandardCharsets.UTF_8);
        return 0;
    }

    private static int count(List<List<String>> lists) {
        return lists.stream().mapToInt(List::size).sum();
    }

    /**
     * Loads the images of every data folder; names are {@code <folder name>/<Class>/<file>} so that the pools can
     * be told apart in the reports.
     */
    private List<LabeledImage> load(List<List<String>> paths, sc.fiji.gradcam.api.image.Preprocessing preprocessing,
            String what) {
        ProgressBar bar = progress ? new ProgressBar(System.err, what, count(paths)) : null;
        List<LabeledImage> images = new java.util.ArrayList<>();
        for (int k = 0; k < data.size(); k++) {
            String name = data.get(k).getFileName().toString();
            for (LabeledImage i : ImageFolderDataset.load(data.get(k), paths.get(k), CLASSES, preprocessing, bar)) {
                images.add(new LabeledImage(name + "/" + i.name(), i.group(), i.label(), i.pixels()));
            }
        }
        if (bar != null) {
            bar.done();
        }
        return images;
    }

    /** Trains {@link #ensemble} networks, member {@code i} with seed {@code seed + i} (member 0 = a single-model run). */
    private List<ClassifierTraining.Outcome> trainMembers(SmallCnn net, List<LabeledImage> fit,
            List<LabeledImage> check, ClassifierTraining.Config config) {
        List<ClassifierTraining.Outcome> members = new java.util.ArrayList<>();
        for (int i = 0; i < ensemble; i++) {
            if (ensemble > 1) {
                System.out.printf("ensemble member %d of %d (seed %d)%n", i + 1, ensemble, config.seed() + i);
            }
            members.add(ClassifierTraining.train(net, CLASSES, fit, check, config.withSeed(config.seed() + i),
                    System.out, progress ? System.err : null));
        }
        return members;
    }

    /** Writes the SavedModel: the single network, or the ensemble of the members. */
    private ClassifierNet export(SmallCnn net, List<ClassifierTraining.Outcome> members, Path dir) throws IOException {
        if (members.size() == 1) {
            SavedModelExport.export(net, members.get(0).weights(), dir);
            return net;
        }
        CnnEnsemble ensembleNet = new CnnEnsemble(net, members.size());
        SavedModelExport.export(ensembleNet, ensembleNet.merge(members.stream().map(ClassifierTraining.Outcome::weights)
                .toList()), dir);
        return ensembleNet;
    }

    /**
     * Prints the exported model's accuracy on {@code items} (and, for an ensemble, each member's and the running
     * ensembles' of the first k members, from the members' own exported graphs) and returns the exported model's
     * confusion matrix.
     */
    private ConfusionMatrix report(ClassifierNet exportedNet, SmallCnn net, List<ClassifierTraining.Outcome> members,
            List<LabeledImage> items, String set) throws IOException {
        if (members.size() > 1) {
            List<float[][]> memberProbabilities = new java.util.ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                Path tmp = Files.createTempDirectory("gradcam-member");
                try {
                    SavedModelExport.export(net, members.get(i).weights(), tmp.resolve("model"));
                    try (ExportedModel model = ExportedModel.load(tmp.resolve("model"), net)) {
                        memberProbabilities.add(MemberAverage.probabilities(model, net, items));
                    }
                } finally {
                    ExportedModel.prepareOutput(tmp, true);
                    Files.delete(tmp);
                }
                ConfusionMatrix one = MemberAverage.confusion(CLASSES, items, memberProbabilities.subList(i, i + 1));
                ConfusionMatrix upTo = MemberAverage.confusion(CLASSES, items, memberProbabilities);
                System.out.printf(java.util.Locale.ROOT, "member %d: %s accuracy %.4f  log-loss %.4f;"
                        + " mean logits of members 1-%d: %.4f  log-loss %.4f%n", i + 1, set, one.accuracy(),
                        one.logLoss(), i + 1, upTo.accuracy(), upTo.logLoss());
            }
        }
        try (ExportedModel model = ExportedModel.load(out, exportedNet)) {
            float[][] p = MemberAverage.probabilities(model, exportedNet, items);
            ConfusionMatrix cm = MemberAverage.confusion(CLASSES, items, java.util.Collections.singletonList(p));
            System.out.printf(java.util.Locale.ROOT, "exported model: %s accuracy %.4f  balanced accuracy %.4f"
                    + "  log-loss %.4f%n%s", set, cm.accuracy(), cm.balancedAccuracy(), cm.logLoss(), cm.toMarkdown());
            java.util.Map<String, List<Integer>> byPool = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<Integer>> bySlide = new java.util.TreeMap<>();
            for (int i = 0; i < items.size(); i++) {
                String name = items.get(i).name();
                byPool.computeIfAbsent(name.substring(0, name.indexOf('/')), k -> new java.util.ArrayList<>()).add(i);
                bySlide.computeIfAbsent(items.get(i).group(), k -> new java.util.ArrayList<>()).add(i);
            }
            poolMatrices.clear();
            byPool.forEach((pool, idx) -> {
                ConfusionMatrix m = subset(items, p, idx);
                poolMatrices.put(pool, m);
                System.out.printf(java.util.Locale.ROOT, "  %s pool %s: %d images, accuracy %.4f, balanced %.4f%n",
                        set, pool, m.total(), m.accuracy(), m.balancedAccuracy());
            });
            System.out.printf("  %s accuracy by slide prefix (images, Parasitized right/total, Uninfected right/total):%n",
                    set);
            bySlide.forEach((slide, idx) -> {
                ConfusionMatrix m = subset(items, p, idx);
                System.out.printf(java.util.Locale.ROOT, "    %-22s %4d  %.4f  P %d/%d  U %d/%d%n", slide, m.total(),
                        m.accuracy(), m.count(0, 0), m.count(0, 0) + m.count(0, 1), m.count(1, 1),
                        m.count(1, 0) + m.count(1, 1));
            });
            java.util.List<String> rows = new java.util.ArrayList<>();
            rows.add("image\ttruth\tp_" + CLASSES.get(0));
            for (int i = 0; i < items.size(); i++) {
                rows.add(String.format(java.util.Locale.ROOT, "%s\t%s\t%.6f", items.get(i).name(),
                        CLASSES.get(items.get(i).label()), p[i][0]));
            }
            Files.write(out.resolve(set + "-predictions.tsv"), rows, StandardCharsets.UTF_8);
            return cm;
        }
    }

    /** Per data folder (by folder name), the exported model's held-out confusion matrix; filled by report. */
    private final java.util.Map<String, ConfusionMatrix> poolMatrices = new java.util.LinkedHashMap<>();

    private String pools() {
        List<String> parts = new java.util.ArrayList<>();
        for (Path d : data) {
            parts.add("`" + d.getFileName() + "/`");
        }
        return "Images from " + String.join(" and ", parts);
    }

    private String dataOptions() {
        return String.join(" ", data.stream().map(d -> "--data <shared>/datasets/" + d.getFileName()).toList());
    }

    private ConfusionMatrix subset(List<LabeledImage> items, float[][] p, List<Integer> idx) {
        List<LabeledImage> sub = idx.stream().map(items::get).toList();
        float[][] q = idx.stream().map(i -> p[i]).toArray(float[][]::new);
        return MemberAverage.confusion(CLASSES, sub, java.util.Collections.singletonList(q));
    }

    private ClassifierTraining.Config config() {
        return ClassifierTraining.Config.defaults(seed, epochs)
                .withLearningRate(learningRate, learningRate / 50)
                .withRegularisation(keep, labelSmoothing, weightDecay, averageLast)
                .withAugmenter(new Augmenter(0, 0, 0.15f, 0.10f, gamma, Math.round(size / 16f), anyAngle, zoom, zoom,
                        saturation, hue))
                .withClassBalance(classBalance)
                .withBatchSize(batchSize)
                .withValidateEvery(validateEvery);
    }

    /** The README's description of the exported graph: one network, or the ensemble of {@link #ensemble} members. */
    private String network(SmallCnn net, String convText, String widthList, long bytes) {
        int channels = widths[widths.length - 1];
        String blocks = String.format(java.util.Locale.ROOT, "%d blocks of `Conv2D` 3x3 (SAME) + `BiasAdd` + `Relu`%s,"
                + " widths %s, a 2x2 `MaxPool` after%nall blocks but the last", widths.length, convText, widthList);
        String tail = String.format(java.util.Locale.ROOT, "(`Mean`), `dense/matmul` (`MatMul`) + `logits` (`BiasAdd`),"
                + " `probabilities` (`Softmax`).%nNo batch normalisation.");
        if (ensemble == 1) {
            return String.format(java.util.Locale.ROOT, "%s → last conv activation `%s` is %dx%dx%d; global average"
                    + " pooling `gap`%n%s Weights are `VariableV2` variables (`blockK/kernel`, `blockK/bias`,%n"
                    + "`dense/kernel`, `dense/bias`) restored from `variables/`. Folder size: %,d bytes.", blocks,
                    net.lastConvOpName(), net.lastConvSize(), net.lastConvSize(), channels, tail, bytes);
        }
        return String.format(java.util.Locale.ROOT, "an ensemble of %d networks trained alike with seeds %d to %d"
                + " (`CnnEnsemble`). Each member\nis %s, under `member1/` ... `member%d/`. Their last conv activations"
                + " (`memberI/%s`, %dx%dx%d each)\nare concatenated into `%s` (`ConcatV2`, %dx%dx%d, the Grad-CAM"
                + " layer named by `layer=` in\n`gradcam.properties`); global average pooling `gap` %s The dense"
                + " kernel is the members' kernels stacked and divided by %d and the bias their mean,\nso the logits are"
                + " exactly the mean of the members' logits and Grad-CAM at `%s` is the ReLU of the mean of their\n"
                + "class activation maps. Weights are `VariableV2` variables (`memberI/blockK/kernel`, `memberI/blockK/bias`,"
                + " `dense/kernel`,\n`dense/bias`) restored from `variables/`. Folder size: %,d bytes.", ensemble, seed,
                seed + ensemble - 1, blocks, ensemble, net.lastConvOpName(), net.lastConvSize(), net.lastConvSize(),
                channels, CnnEnsemble.FEATURES, net.lastConvSize(), net.lastConvSize(), channels * ensemble, tail,
                ensemble, CnnEnsemble.FEATURES, bytes);
    }

    private String readme(SmallCnn net, ClassifierTraining.Config c, Set<String> heldOut, int prefixCount,
            int allPrefixCount, int trainCount, List<Integer> trainLabels, List<LabeledImage> val, ConfusionMatrix cm, double seconds,
            long bytes) {
        int valPara = (int) val.stream().filter(v -> v.label() == 0).count();
        Augmenter a = c.augmenter();
        String widthList = java.util.Arrays.toString(widths);
        int[] convs = net.convsPerBlock();
        String convList = java.util.Arrays.toString(convs).replaceAll("[\\[\\] ]", "");
        boolean single = java.util.Arrays.stream(convs).allMatch(k -> k == 1);
        String convText = single ? "" : " (convs per block " + convList + "; in a block with several convs they are"
                + " scoped `blockK/convJ/conv`, `.../bias_add`, `.../relu` with variables `blockK/convJ/kernel`,"
                + " `blockK/convJ/bias`)";
        String options = String.join(" ", List.of("--size " + size, "--widths " + widthList.replaceAll("[\\[\\] ]", ""),
                "--convs-per-block " + convList, "--head " + net.head(),
                "--epochs " + epochs, "--learning-rate " + learningRate, "--keep " + keep,
                "--label-smoothing " + labelSmoothing, "--weight-decay " + weightDecay,
                "--average-last " + averageLast, anyAngle ? "--any-angle" : "--no-any-angle", "--zoom " + zoom,
                "--gamma " + gamma, "--saturation " + saturation, "--hue " + hue, "--batch-size " + batchSize,
                "--validation-fold " + validationFold,
                classBalance ? "--class-balance" : "--no-class-balance", "--ensemble " + ensemble));
        StringBuilder perPool = new StringBuilder();
        if (data.size() > 1) {
            perPool.append("\nBy pool:\n\n| pool | held-out images | accuracy | balanced accuracy |\n|---|---:|---:|---:|\n");
            for (Path d : data) {
                String name = d.getFileName().toString();
                ConfusionMatrix m = poolMatrices.get(name);
                if (m != null) {
                    perPool.append(String.format(java.util.Locale.ROOT, "| `%s` | %d | %.4f | %.4f |%n", name,
                            m.total(), m.accuracy(), m.balancedAccuracy()));
                }
            }
        }
        int trainPara = (int) trainLabels.stream().filter(l -> l == 0).count();
        String balance = classBalance
                ? String.format(java.util.Locale.ROOT, "Each example's loss is weighted by the inverse frequency of its"
                        + " class in the training set (%d Parasitized, %d Uninfected → weights %.3f and %.3f).%n",
                        trainPara, trainCount - trainPara, trainCount / (2.0 * trainPara),
                        trainCount / (2.0 * (trainCount - trainPara)))
                : "";
        String stain = a.saturation() > 0 || a.hue() > 0
                ? String.format(java.util.Locale.ROOT, ", saturation ±%.0f %% and hue ±%.0f° (rotation about the grey axis)",
                        a.saturation() * 100, a.hue())
                : "";
        return """
                # malaria-cells — demo classifier (Parasitized vs Uninfected)

                A small convolutional network that tells Giemsa-stained red blood cells infected by
                *Plasmodium* (`Parasitized`) from healthy ones (`Uninfected`). It is the default model of
                gradcam-fiji: small, fast on a CPU, and with a %dx%d last convolution map so that Grad-CAM
                maps are meaningful. **Demo only — not for diagnosis.**

                ## Files

                - `saved_model.pb`, `variables/` — TensorFlow SavedModel (TF1-style graph), tag `serve`,
                  signature `serving_default`: input `image` float32 [-1, %d, %d, 3] (op `image`),
                  output `probabilities` float32 [-1, 2] (op `probabilities`, a Softmax).
                - `labels.txt` — class names in output order: index 0 `Parasitized`, index 1 `Uninfected`.
                - `gradcam.properties` — preprocessing: stretch to %dx%d (bilinear, area-averaging when
                  shrinking), RGB, value / 255 (range 0:1). The trainer prepared every image with the
                  explainer's own code path (`io.ImageFiles.open` → `io.ImagePlusImages.toInput` →
                  `image.Preprocessor.prepare`, with the preprocessing resolved from these properties by
                  `explain.PreprocessingOptions`), so the model was trained on exactly what the explainer feeds it.
                - `validation.txt` — the held-out images of the first data folder, relative to it (sections 2 and 3 of
                  `scripts/evaluate`); `validation-all.txt` — the held-out images of every data folder, as
                  `<folder name>/<Class>/<file>` (`DefaultModelAccuracyTest`, section 2b of `scripts/evaluate`);
                  `validation-predictions.tsv` — the exported model's probability of the first class for each of them.
                - `training.log` — output of the training run.

                ## Network

                Graph ops (inference graph only; no loss, gradients or optimizer slots):
                %s

                ## Data

                %s — single-cell PNG crops of the NIH/NLM malaria "cell_images" dataset (27,558 crops;
                see each dataset README for provenance and checksums). The crops
                were photographed at Chittagong Medical College Hospital, Bangladesh, and released by the
                U.S. National Library of Medicine (LHNCBC); treated as a public-domain U.S. federal
                release — keep the citation and the "NIH/NLM LHNCBC malaria dataset" credit. Labels are NIH's
                (known to be noisy in places).

                > Rajaraman S, Antani SK, Poostchi M, Silamut K, Hossain MA, Maude RJ, Jaeger S, Thoma GR.
                > Pre-trained convolutional neural networks as feature extractors toward improved malaria
                > parasite detection in thin blood smear images. PeerJ 6:e4568 (2018).
                > https://doi.org/10.7717/peerj.4568

                ## Split

                By slide prefix (file-name part before `_IMG_`), %d prefixes in all. The %d prefixes of the first
                folder (`%s`) are sorted, shuffled with `java.util.Random(seed)` and cut into slices of %.0f %%;
                slice %d is held out **from every folder**, so no held-out slide is seen in training (slice 0 is
                the split of the earlier models, so `validation.txt` is the same held-out set they were measured on).
                Training: %d images. Held out: %d images (%d Parasitized, %d Uninfected) from %d prefixes:

                %s

                ## Training

                AdamW (b1 0.9, b2 0.999, eps 1e-7, written as graph ops; decoupled weight decay %.0e on the
                kernels), learning rate %.0e cosine-decayed to %.0e, batch %d, %d epochs, softmax cross-entropy
                with label smoothing %.2f, He-normal initialisation, seed %d. Dropout (keep %.2f) on the pooled
                features during training only. The exported weights are the mean of the weights after each of
                the last %d epochs (the end of the cosine schedule).
                Augmentation per image: random horizontal flip, rotation by %s, zoom and aspect change up to
                ±%.0f %%, shift up to ±%d px (bilinear resampling, black outside), brightness ±%.0f %%,
                per-channel gain ±%.0f %%, gamma ±%.0f %%%s.
                %sNo early stopping and no model selection on the validation set (it is only reported per epoch).
                Training took %.0f s on 2 CPU cores.

                ## Validation (exported SavedModel, held-out prefixes)

                Accuracy **%.4f** (%d / %d), balanced accuracy **%.4f** (recall Parasitized %.4f, Uninfected %.4f).

                %s%s
                `DefaultModelAccuracyTest` recomputes this through the explainer (`ModelLoader.load`,
                `Explainer.explain` with Grad-CAM, the predicted class of each explanation).

                ## Reproduce

                ```
                scripts/train-default-model --overwrite
                ```
                (= `java sc.fiji.gradcam.training.TrainMalariaModel %s
                --out models/malaria-cells --seed %d %s`). TensorFlow's multi-threaded CPU kernels
                are not bit-reproducible, so a rerun can differ slightly.
                """.formatted(net.lastConvSize(), net.lastConvSize(), net.size(), net.size(), net.size(), net.size(),
                network(net, convText, widthList, bytes),
                pools(), allPrefixCount, prefixCount, data.get(0).getFileName(), validationFraction * 100,
                validationFold, trainCount, val.size(), valPara, val.size() - valPara,
                heldOut.size(), "`" + String.join("`, `", heldOut) + "`",
                c.weightDecay(), c.learningRate(), c.finalLearningRate(), c.batchSize(), c.epochs(),
                c.labelSmoothing(), c.seed(), c.keepProbability(), c.averageLast(),
                a.anyAngle() ? "any angle" : "k·90°", a.zoom() * 100, a.maxShift(), a.brightness() * 100,
                a.colour() * 100, a.gamma() * 100, stain, balance, seconds,
                cm.accuracy(), (int) Math.round(cm.accuracy() * cm.total()), cm.total(), cm.balancedAccuracy(),
                cm.recall(0), cm.recall(1), cm.toMarkdown(), perPool, dataOptions(), c.seed(), options);
    }
}
