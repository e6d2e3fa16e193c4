package sc.fiji.gradcam.training;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop shared by the shipped models: shuffled mini-batches, augmentation in Java,
 * Adam with a cosine-decayed learning rate, a fixed number of epochs (no early stopping and no
 * model selection on the validation set, which is only reported).
 */
public final class ClassifierTraining {

    /**
     * Hyper-parameters.
     *
     * @param labelSmoothing  share of the target spread over all classes
     * @param weightDecay     decoupled (AdamW) decay of the conv and dense kernels, per unit learning rate
     * @param averageLast     export the mean of the weights at the end of the last this many epochs (1: the
     *                        final weights)
     * @param augmenter       augmentation settings (its size and channels are taken from the network)
     * @param classBalanced   weight each example's loss by the inverse frequency of its class in the training
     *                        set (weights normalised to a mean of 1 over the training examples)
     * @param validateEvery   report the validation accuracy after every this many epochs (and always after the
     *                        last one)
     */
    public record Config(long seed, int epochs, int batchSize, float learningRate, float finalLearningRate,
            float keepProbability, float labelSmoothing, float weightDecay, int averageLast, Augmenter augmenter,
            boolean classBalanced, int validateEvery) {

        /** The settings of the shapes model: 90-degree rotations, flips, shifts and colour jitter. */
        public static Config defaults(long seed, int epochs) {
            return new Config(seed, epochs, 16, 1e-3f, 2e-5f, 0.7f, 0f, 0f, 1,
                    new Augmenter(0, 0, 0.15f, 0.10f, 0f, 4, false, 0f, 0f), false, 1);
        }

        public Config withAugmenter(Augmenter a) {
            return new Config(seed, epochs, batchSize, learningRate, finalLearningRate, keepProbability,
                    labelSmoothing, weightDecay, averageLast, a, classBalanced, validateEvery);
        }

        public Config withRegularisation(float keep, float smoothing, float decay, int average) {
            return new Config(seed, epochs, batchSize, learningRate, finalLearningRate, keep, smoothing, decay,
                    average, augmenter, classBalanced, validateEvery);
        }

        public Config withLearningRate(float lr, float finalLr) {
            return new Config(seed, epochs, batchSize, lr, finalLr, keepProbability, labelSmoothing, weightDecay,
                    averageLast, augmenter, classBalanced, validateEvery);
        }

        public Config withSeed(long newSeed) {
            return new Config(newSeed, epochs, batchSize, learningRate, finalLearningRate, keepProbability,
                    labelSmoothing, weightDecay, averageLast, augmenter, classBalanced, validateEvery);
        }

        public Config withClassBalance(boolean balanced) {
            return new Config(seed, epochs, batchSize, learningRate, finalLearningRate, keepProbability,
                    labelSmoothing, weightDecay, averageLast, augmenter, balanced, validateEvery);
        }

        public Config withBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1: " + size);
            }
            return new Config(seed, epochs, size, learningRate, finalLearningRate, keepProbability, labelSmoothing,
                    weightDecay, averageLast, augmenter, classBalanced, validateEvery);
        }

        public Config withValidateEvery(int every) {
            if (every < 1) {
                throw new IllegalArgumentException("validate-every must be at least 1: " + every);
            }
            return new Config(seed, epochs, batchSize, learningRate, finalLearningRate, keepProbability,
                    labelSmoothing, weightDecay, averageLast, augmenter, classBalanced, every);
        }
    }

    /**
     * What came out: the exported weights (averaged over the last epochs if so configured), the validation
     * confusion matrix of the final epoch's weights and the training time.
     */
    public record Outcome(Map<String, float[]> weights, ConfusionMatrix validation, double seconds) {}

    private ClassifierTraining() {}

    public static Outcome train(SmallCnn net, List<String> classes, List<LabeledImage> train,
            List<LabeledImage> validation, Config config, PrintStream log) {
        return train(net, classes, train, validation, config, log, null);
    }

    /**
     * As {@link #train(SmallCnn, List, List, List, Config, PrintStream)}, drawing a progress bar per epoch on
     * {@code progress} (null: none).
     */
    public static Outcome train(SmallCnn net, List<String> classes, List<LabeledImage> train,
            List<LabeledImage> validation, Config config, PrintStream log, PrintStream progressOut) {
        long start = System.nanoTime();
        Random random = new Random(config.seed());
        Map<String, float[]> initial = new java.util.LinkedHashMap<>();
        for (SmallCnn.Param p : net.params()) {
            initial.put(p.name(), SmallCnn.initialValue(p, random));
        }
        Augmenter a = config.augmenter();
        Augmenter augmenter = new Augmenter(net.size(), net.channels(), a.brightness(), a.colour(), a.gamma(),
                a.maxShift(), a.anyAngle(), a.zoom(), a.aspect(), a.saturation(), a.hue());
        int per = net.size() * net.size() * net.channels();
        float[] batch = new float[config.batchSize() * per];
        int[] labels = new int[config.batchSize()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        int totalSteps = stepsPerEpoch * config.epochs();
        int step = 0;
        Map<String, double[]> sum = new java.util.LinkedHashMap<>();
        int averaged = 0;
        float[] classWeights = null;
        if (config.classBalanced()) {
            int[] counts = new int[classes.size()];
            train.forEach(t -> counts[t.label()]++);
            classWeights = new float[classes.size()];
            for (int c = 0; c < counts.length; c++) {
                classWeights[c] = counts[c] == 0 ? 0f : (float) train.size() / (counts.length * counts[c]);
            }
            log.printf("class weights %s (training counts %s)%n", java.util.Arrays.toString(classWeights),
                    java.util.Arrays.toString(counts));
        }
        try (AdamTrainer trainer = new AdamTrainer(net, initial, config.seed(), config.labelSmoothing(),
                classWeights)) {
            ConfusionMatrix val = null;
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                Collections.shuffle(order, random);
                ProgressBar bar = progressOut == null ? null : new ProgressBar(progressOut,
                        String.format(java.util.Locale.ROOT, "epoch %d/%d", epoch, config.epochs()), train.size());
                double lossSum = 0;
                for (int b = 0; b < stepsPerEpoch; b++) {
                    int n = Math.min(config.batchSize(), train.size() - b * config.batchSize());
                    for (int i = 0; i < n; i++) {
                        LabeledImage item = train.get(order.get(b * config.batchSize() + i));
                        augmenter.augment(item.pixels(), batch, i * per, random);
                        labels[i] = item.label();
                    }
                    double progress = (double) step++ / totalSteps;
                    float lr = (float) (config.finalLearningRate() + 0.5 * (config.learningRate()
                            - config.finalLearningRate()) * (1 + Math.cos(Math.PI * progress)));
                    lossSum += trainer.step(batch, java.util.Arrays.copyOf(labels, n), n, lr,
                            config.keepProbability(), config.weightDecay());
                    if (bar != null) {
                        bar.step(n);
                    }
                }
                if (bar != null) {
                    bar.done();
                }
                if (epoch > config.epochs() - config.averageLast()) {
                    trainer.weights().forEach((name, w) -> {
                        double[] acc = sum.computeIfAbsent(name, k -> new double[w.length]);
                        for (int i = 0; i < w.length; i++) {
                            acc[i] += w[i];
                        }
                    });
                    averaged++;
                }
                if (epoch % config.validateEvery() == 0 || epoch == config.epochs()) {
                    val = evaluate(trainer::predict, net, classes, validation);
                    log.printf(java.util.Locale.ROOT, "epoch %3d  loss %.4f  validation accuracy %.4f  (%.0f s)%n",
                            epoch, lossSum / stepsPerEpoch, val.accuracy(), (System.nanoTime() - start) / 1e9);
                } else {
                    log.printf(java.util.Locale.ROOT, "epoch %3d  loss %.4f  (%.0f s)%n", epoch,
                            lossSum / stepsPerEpoch, (System.nanoTime() - start) / 1e9);
                }
            }
            Map<String, float[]> weights = trainer.weights();
            if (averaged > 1) {
                for (Map.Entry<String, double[]> e : sum.entrySet()) {
                    float[] w = weights.get(e.getKey());
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) (e.getValue()[i] / averaged);
                    }
                }
                log.printf("exporting the mean of the weights after the last %d epochs%n", averaged);
            }
            return new Outcome(weights, val, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Something that maps a batch of {@code n} images to class probabilities. */
    @FunctionalInterface
    public interface Predictor {
        float[][] predict(float[] batch, int n);
    }

    /** Confusion matrix of {@code predictor} on {@code items}, in batches of 64. */
    public static ConfusionMatrix evaluate(Predictor predictor, ClassifierNet net, List<String> classes,
            List<LabeledImage> items) {
        return MemberAverage.confusion(classes, items, java.util.Collections.singletonList(MemberAverage.probabilities(predictor, net, items)));
    }
}
