package sc.fiji.gradcam.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.tensorflow.ndarray.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.bioimageio.NdArray;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.bioimageio.PackageVerifier;
import sc.fiji.gradcam.bioimageio.PackageWriter;
import sc.fiji.gradcam.bioimageio.Processing;
import sc.fiji.gradcam.evaluation.ParasiteSegmentation;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/**
 * Trains a small segmentation U-Net on NIH/NLM malaria cell crops (pixel classes background, cell, parasite: the
 * evaluation's colour-threshold segmentation, {@link ParasiteSegmentation}, as labels) and writes it as a BioImage.IO
 * 0.5 package with test tensors, checked by {@link PackageVerifier} before the command ends (issue G.5).
 */
@Command(name = "train-segmentation-model", mixinStandardHelpOptions = true,
        description = "Trains the malaria U-Net demo segmentation model and writes it as a BioImage.IO 0.5 package.")
public final class TrainSegmentationModel implements Callable<Integer> {

    static final List<String> CLASSES = List.of("background", "cell", "parasite");
    static final List<String> FOLDERS = List.of("Parasitized", "Uninfected");
    static final String PACKAGE = "malaria-unet.bioimageio.zip";

    @Option(names = "--data", required = true, split = ",",
            description = "dataset folder with Parasitized/ and Uninfected/ (repeat for several pools)")
    List<Path> data;

    @Option(names = "--per-class", defaultValue = "1500",
            description = "crops drawn (seeded) from each class folder of all pools together")
    int perClass;

    @Option(names = "--validation-fraction", defaultValue = "0.2",
            description = "share of the slide prefixes held out for validation")
    double validationFraction;

    @Option(names = "--out", required = true, description = "folder to write the package and README into")
    Path out;

    @Option(names = "--overwrite", description = "replace an existing output folder")
    boolean overwrite;

    @Option(names = "--seed", defaultValue = "20261207", description = "seed of split, sampling, initialisation")
    long seed;

    @Option(names = "--epochs", defaultValue = "20")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--crop", defaultValue = "96", description = "training crop size (a multiple of the U-Net's step)")
    int crop;

    @Option(names = "--widths", defaultValue = "8,16,32", split = ",",
            description = "channels per U-Net level, full resolution first; the last is the bottleneck")
    int[] widths;

    @Option(names = "--learning-rate", defaultValue = "0.002")
    float learningRate;

    @Option(names = "--weight-decay", defaultValue = "0.0001")
    float weightDecay;

    @Option(names = "--class-weights", defaultValue = "1,1,5", split = ",",
            description = "loss weight of background, cell and parasite pixels")
    float[] classWeights;

    @Option(names = "--progress", defaultValue = "true", negatable = true,
            description = "draw progress bars on standard error")
    boolean progress;

    /** A crop with its pixel classes: HWC values in 0..1, and 0 (background), 1 (cell) or 2 (parasite) per pixel. */
    record Sample(String name, String group, int width, int height, float[] hwc, int[] classes) {}

    /** Pixel counts per (true, predicted) class and the derived scores. */
    record Scores(long[][] counts) {
        double iou(int c) {
            long tp = counts[c][c];
            long fp = 0;
            long fn = 0;
            for (int k = 0; k < counts.length; k++) {
                if (k != c) {
                    fp += counts[k][c];
                    fn += counts[c][k];
                }
            }
            return tp + fp + fn == 0 ? Double.NaN : (double) tp / (tp + fp + fn);
        }

        double dice(int c) {
            double j = iou(c);
            return 2 * j / (1 + j);
        }

        double accuracy() {
            long right = 0;
            long all = 0;
            for (int t = 0; t < counts.length; t++) {
                for (int p = 0; p < counts.length; p++) {
                    all += counts[t][p];
                    right += t == p ? counts[t][p] : 0;
                }
            }
            return (double) right / all;
        }
    }

    public static void main(String[] args) {
        System.exit(ExportedModel.execute(new TrainSegmentationModel(), args));
    }

    @Override
    public Integer call() throws IOException {
        UNet net = new UNet(3, widths, CLASSES.size());
        if (crop % net.step() != 0) {
            throw new IllegalArgumentException("--crop " + crop + " is not a multiple of the U-Net's step " + net.step());
        }
        ExportedModel.prepareOutput(out, overwrite);
        TensorFlowRuntime.engine();
        PrintStream log = System.out;
        long t0 = System.nanoTime();
        List<Sample> all = load(sampleFiles());
        Set<String> groups = new TreeSet<>();
        all.forEach(s -> groups.add(s.group()));
        Set<String> held = GroupSplit.heldOutGroups(groups, validationFraction, seed);
        List<Sample> train = GroupSplit.select(all, Sample::group, held, false);
        List<Sample> validation = GroupSplit.select(all, Sample::group, held, true);
        log.printf(Locale.ROOT, "data: %d crops (%d per class from %s), %d slides; training %d crops, validation %d "
                + "crops from %d held-out slides%n", all.size(), perClass, data, groups.size(), train.size(),
                validation.size(), held.size());
        log.printf(Locale.ROOT, "network: U-Net widths %s, %d parameters, step %d, receptive-field radius %d px%n",
                java.util.Arrays.toString(widths), parameters(net), net.step(), net.radius());

        Map<String, float[]> initial = new LinkedHashMap<>();
        Random init = new Random(seed);
        for (SmallCnn.Param p : net.params()) {
            initial.put(p.name(), SmallCnn.initialValue(p, init));
        }
        Map<String, float[]> weights;
        Scores scores;
        try (UNetTrainer trainer = new UNetTrainer(net, initial, classWeights)) {
            Random order = new Random(seed + 1);
            int batches = (train.size() + batchSize - 1) / batchSize;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                List<Sample> shuffled = new ArrayList<>(train);
                Collections.shuffle(shuffled, order);
                ProgressBar bar = progress ? new ProgressBar(System.err, "epoch " + epoch + "/" + epochs, batches) : null;
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int n = Math.min(batchSize, shuffled.size() - from);
                    float[] x = new float[n * crop * crop * 3];
                    int[] y = new int[n * crop * crop];
                    for (int i = 0; i < n; i++) {
                        augmentedCrop(shuffled.get(from + i), crop, order, x, y, i);
                    }
                    float lr = (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * (epoch - 1) / epochs)));
                    sum += trainer.step(x, y, n, crop, lr, weightDecay);
                    if (bar != null) {
                        bar.step(1);
                    }
                }
                if (bar != null) {
                    bar.done();
                }
                log.printf(Locale.ROOT, "epoch %d: training loss %.4f%n", epoch, sum / batches);
            }
            scores = score(trainer::classify, validation, net.step());
            weights = trainer.weights();
        }
        log.printf(Locale.ROOT, "validation (%d crops, %d slides never trained on): pixel accuracy %.4f; IoU "
                + "background %.3f, cell %.3f, parasite %.3f; parasite Dice %.3f%n", validation.size(), held.size(),
                scores.accuracy(), scores.iou(0), scores.iou(1), scores.iou(2), scores.dice(2));

        Path savedModel = Files.createTempDirectory(out.toAbsolutePath(), ".savedmodel-");
        try {
            SavedModelExport.export(Shape.of(-1, -1, -1, 3), (tf, image, factory) -> net.build(tf, image, factory)
                    .probabilities(), weights, savedModel);
            Sample test = testSample(validation);
            Path zip = PackageWriter.write(spec(net, savedModel), testInput(test, net.step()), out.resolve(PACKAGE));
            PackageVerification v = PackageVerifier.verify(zip);
            log.println("verify: " + (v.passed() ? "passed" : "FAILED") + " (test input " + test.name() + ")");
            if (!v.passed()) {
                throw new IllegalStateException("the package does not reproduce its own test output: " + v);
            }
            Files.writeString(out.resolve("README.md"), readme(net, all.size(), train.size(), validation.size(),
                    held.size(), scores, test.name(), (System.nanoTime() - t0) / 60e9), StandardCharsets.UTF_8);
        } finally {
            try (var files = Files.walk(savedModel)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        log.printf(Locale.ROOT, "wrote %s in %.1f min%n", out.resolve(PACKAGE), (System.nanoTime() - t0) / 60e9);
        return 0;
    }

    static long parameters(UNet net) {
        return net.params().stream().mapToLong(SmallCnn.Param::size).sum();
    }

    /** {@code perClass} files of each class, drawn with the seed from all pools together, sorted. */
    private List<Path> sampleFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Random r = new Random(seed);
        for (String cls : FOLDERS) {
            List<Path> pool = new ArrayList<>();
            for (Path root : data) {
                for (String rel : ImageFolderDataset.list(root, List.of(cls))) {
                    pool.add(root.resolve(rel));
                }
            }
            Collections.sort(pool);
            Collections.shuffle(pool, r);
            files.addAll(pool.subList(0, Math.min(perClass, pool.size())));
        }
        Collections.sort(files);
        return files;
    }

    private List<Sample> load(List<Path> files) throws IOException {
        List<Sample> out = new ArrayList<>();
        ProgressBar bar = progress ? new ProgressBar(System.err, "labels", files.size()) : null;
        for (Path f : files) {
            out.add(sample(f));
            if (bar != null) {
                bar.step(1);
            }
        }
        if (bar != null) {
            bar.done();
        }
        return out;
    }

    /** A crop and its labels: the threshold's cell and chromatin (chromatin wins where both). */
    static Sample sample(Path file) throws IOException {
        InputImage rgb = ImagePlusImages.toInput(ImageFiles.open(file), 1);
        ParasiteSegmentation.Result seg = ParasiteSegmentation.segment(rgb);
        int w = rgb.width();
        int h = rgb.height();
        int n = w * h;
        float[] hwc = new float[n * 3];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                hwc[i * 3 + c] = rgb.at(c, i) / 255f;
            }
            classes[i] = seg.parasite()[i] ? 2 : seg.cell()[i] ? 1 : 0;
        }
        String name = file.getFileName().toString();
        return new Sample(file.getParent().getFileName() + "/" + name, ImageFolderDataset.prefixOf(name), w, h, hwc,
                classes);
    }

    /**
     * A random {@code size}² window of {@code s} (zero-padded where the crop is smaller: black background, class 0),
     * under one of the 8 flips/rotations, into slot {@code slot} of {@code x} and {@code y}.
     */
    static void augmentedCrop(Sample s, int size, Random r, float[] x, int[] y, int slot) {
        int ox = s.width() >= size ? r.nextInt(s.width() - size + 1) : -r.nextInt(size - s.width() + 1);
        int oy = s.height() >= size ? r.nextInt(s.height() - size + 1) : -r.nextInt(size - s.height() + 1);
        int transform = r.nextInt(8);
        for (int v = 0; v < size; v++) {
            for (int u = 0; u < size; u++) {
                int a = (transform & 1) != 0 ? size - 1 - u : u;
                int b = (transform & 2) != 0 ? size - 1 - v : v;
                int px = (transform & 4) != 0 ? b : a;
                int py = (transform & 4) != 0 ? a : b;
                int sx = px + ox;
                int sy = py + oy;
                int to = slot * size * size + v * size + u;
                if (sx < 0 || sy < 0 || sx >= s.width() || sy >= s.height()) {
                    continue; // zeros
                }
                int from = sy * s.width() + sx;
                System.arraycopy(s.hwc(), from * 3, x, to * 3, 3);
                y[to] = s.classes()[from];
            }
        }
    }

    /** A crop zero-padded on the right and bottom to multiples of {@code step}: its HWC values and size. */
    static float[] padded(Sample s, int step, int[] size) {
        int w = (s.width() + step - 1) / step * step;
        int h = (s.height() + step - 1) / step * step;
        float[] x = new float[w * h * 3];
        for (int yy = 0; yy < s.height(); yy++) {
            System.arraycopy(s.hwc(), yy * s.width() * 3, x, yy * w * 3, s.width() * 3);
        }
        size[0] = w;
        size[1] = h;
        return x;
    }

    /** Confusion counts of the pixel classes over the crops' own pixels, each crop whole (padded to the step). */
    static Scores score(Classifier classifier, List<Sample> samples, int step) {
        long[][] counts = new long[CLASSES.size()][CLASSES.size()];
        for (Sample s : samples) {
            int[] size = new int[2];
            float[] x = padded(s, step, size);
            int[] predicted = classifier.classify(x, size[1], size[0]);
            for (int yy = 0; yy < s.height(); yy++) {
                for (int xx = 0; xx < s.width(); xx++) {
                    counts[s.classes()[yy * s.width() + xx]][predicted[yy * size[0] + xx]]++;
                }
            }
        }
        return new Scores(counts);
    }

    /** Pixel classes of one HWC image. */
    @FunctionalInterface
    interface Classifier {
        int[] classify(float[] hwc, int height, int width);
    }

    /** The package's test input: the held-out Parasitized crop with the most chromatin. */
    static Sample testSample(List<Sample> validation) {
        Sample best = null;
        long most = -1;
        for (Sample s : validation) {
            long n = java.util.Arrays.stream(s.classes()).filter(c -> c == 2).count();
            if (s.name().startsWith("Parasitized/") && n > most) {
                best = s;
                most = n;
            }
        }
        return best != null ? best : validation.get(0);
    }

    /** The raw 0–255 values of a crop, padded to the step, as [1, y, x, c] (the package's preprocessing scales them). */
    static NdArray testInput(Sample s, int step) {
        int[] size = new int[2];
        float[] x = padded(s, step, size);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i] * 255f);
        }
        return new NdArray(List.of("batch", "y", "x", "channel"), new int[] {1, size[1], size[0], 3}, x);
    }

    static PackageWriter.Spec spec(UNet net, Path savedModel) {
        int halo = (net.radius() + net.step() - 1) / net.step() * net.step();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("authors", List.of(Map.of("name", "gradcam-fiji developers")));
        meta.put("cite", List.of(Map.of("text", "Rajaraman et al. 2018, Pre-trained convolutional neural networks as "
                + "feature extractors toward improved malaria parasite detection in thin blood smear images (NIH/NLM "
                + "malaria dataset)", "doi", "10.7717/peerj.4568")));
        meta.put("tags", List.of("2d", "segmentation", "unet", "malaria", "brightfield", "tensorflow"));
        return new PackageWriter.Spec("Malaria cell and parasite U-Net (gradcam-fiji demo)",
                "A small U-Net that classifies each pixel of a single-cell crop of a Giemsa-stained thin blood smear "
                        + "(NIH/NLM malaria cells) as background, cell or parasite chromatin. Trained by gradcam-fiji's "
                        + "scripts/train-segmentation-model on colour-threshold labels; a demonstration model for "
                        + "explaining dense outputs, not a diagnostic tool.",
                meta, "MIT", savedModel, "2.16", "image", "probabilities", "nhwc", List.of("red", "green", "blue"),
                CLASSES, 16, net.step(), halo,
                List.of(new Processing("scale_linear", Map.of("gain", 1.0 / 255, "offset", 0.0))), List.of(), null);
    }

    private String readme(UNet net, int crops, int train, int validation, int slides, Scores s, String test,
            double minutes) {
        return String.format(Locale.ROOT, """
                # malaria-unet: a small segmentation U-Net as a BioImage.IO 0.5 package

                `%s` is a BioImage.IO 0.5 package (`bioimageio.yaml`, TensorFlow SavedModel weights, test tensors)
                written by `scripts/train-segmentation-model`. It classifies every pixel of an RGB single-cell crop of
                the NIH/NLM malaria dataset as **background**, **cell** or **parasite** (chromatin). It is this
                project's demonstration of explaining a dense model (issue G.5), not a diagnostic tool.

                - Input `image`: `[batch, y, x, channel]`, RGB; preprocessing `scale_linear` gain 1/255 (8-bit values
                  to 0..1); any height and width ≥ 16 that is a multiple of %d (the package says `min: 16, step: %d`).
                - Output `probabilities`: `[batch, y, x, 3]`, softmax over background, cell, parasite; halo %d px
                  (receptive-field radius %d px).
                - Network: U-Net widths %s (two 3×3 conv + ReLU per level, 2×2 max-pool, nearest upsampling ×2 +
                  concatenation), %d parameters. Layers for Grad-CAM: `bottleneck/conv2/relu` (the explainer's
                  default), `upK/conv2/relu`, `downK/conv2/relu`.
                - Labels: the evaluation's colour threshold (`evaluation/ParasiteSegmentation`: cell = non-black
                  largest component, chromatin = dark purple interior pixels), so the model learns the threshold,
                  including its misses.

                ## Measured

                %d crops (%d per class, seeded draw), split by slide prefix: %d for training, %d from %d slides
                never trained on for validation (each crop whole). Pixel accuracy %.4f; IoU background %.3f, cell
                %.3f, parasite %.3f; parasite Dice %.3f. Training took %.1f min on this 2-core machine. The package's
                test input is the held-out crop `%s`; `gradcam verify` passes.

                ## Reproduce

                ```
                scripts/train-segmentation-model --overwrite
                scripts/gradcam verify --model models/malaria-unet/%s
                scripts/gradcam explain --model models/malaria-unet/%s --image CROP.png --class parasite --out OUT
                ```
                """, PACKAGE, net.step(), net.step(), (net.radius() + net.step() - 1) / net.step() * net.step(),
                net.radius(), java.util.Arrays.toString(net.widths()), parameters(net), crops, perClass, train,
                validation, slides, s.accuracy(), s.iou(0), s.iou(1), s.iou(2), s.dice(2), minutes, test, PACKAGE,
                PACKAGE);
    }
}
