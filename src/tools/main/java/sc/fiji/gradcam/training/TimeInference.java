package sc.fiji.gradcam.training;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * CPU inference time of a square RGB classifier SavedModel (the forward pass through its serving signature, no
 * maps): median over {@code runs} timed calls after warm-up, per cell, for batches of 1 and 32.
 * {@code java sc.fiji.gradcam.training.TimeInference MODEL_DIR [size] [classes] [runs]}.
 */
public final class TimeInference {

    private TimeInference() {}

    public static void main(String[] args) {
        Path dir = Paths.get(args.length > 0 ? args[0] : "models/malaria-cells");
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        int classes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        ClassifierNet shape = new ClassifierNet() {
            public int size() { return size; }
            public int channels() { return 3; }
            public int classes() { return classes; }
            public int lastConvSize() { throw new UnsupportedOperationException(); }
            public String lastConvOpName() { throw new UnsupportedOperationException(); }
            public SmallCnn.Outputs build(Ops tf, Operand<TFloat32> image, SmallCnn.Weights factory) {
                throw new UnsupportedOperationException();
            }
        };
        Random random = new Random(1);
        try (ExportedModel model = ExportedModel.load(dir, shape)) {
            for (int batch : new int[] {1, 32}) {
                float[] x = new float[batch * size * size * 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextFloat();
                }
                for (int w = 0; w < 5; w++) {
                    model.predict(x, batch);
                }
                double[] ms = new double[runs];
                for (int r = 0; r < runs; r++) {
                    long t = System.nanoTime();
                    model.predict(x, batch);
                    ms[r] = (System.nanoTime() - t) / 1e6 / batch;
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%s: batch %d: median %.2f ms per %dx%d cell (min %.2f, max %.2f; %d runs, "
                        + "%d cores)%n", dir, batch, ms[runs / 2], size, size, ms[0], ms[runs - 1], runs,
                        Runtime.getRuntime().availableProcessors());
            }
        }
    }
}
