package sc.fiji.gradcam.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import sc.fiji.gradcam.graph.ClassScore;
import sc.fiji.gradcam.api.TensorName;
import sc.fiji.gradcam.model.LoadedModel;

/** One session run of a loaded model with a fed class (or a fed layer), fetching any tensors as doubles. */
public final class Runs {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Runs() {}

    /** A scope name unique in the JVM. */
    public static String scope(String what) {
        return "test_" + what + "_" + COUNTER.getAndIncrement();
    }

    /** The model's input shape for {@code batch} images. */
    public static long[] inputShape(LoadedModel m, int batch) {
        long[] s = m.input().shape().clone();
        s[0] = batch;
        return s;
    }

    public static int inputSize(LoadedModel m) {
        long[] s = m.input().shape();
        return (int) (s[1] * s[2] * s[3]);
    }

    /** Uniform values in [lo, hi) for {@code batch} images. */
    public static double[] random(LoadedModel m, int batch, long seed, double lo, double hi) {
        Random r = new Random(seed);
        double[] x = new double[batch * inputSize(m)];
        for (int i = 0; i < x.length; i++) {
            x[i] = lo + (hi - lo) * r.nextDouble();
        }
        return x;
    }

    /**
     * Runs {@code x} ({@code batch} images) with class {@code c} fed to {@code score}'s one-hot input (c &lt; 0: not
     * fed, the top-1 default applies) and returns each fetch as doubles.
     */
    public static List<double[]> run(LoadedModel m, double[] x, int batch, ClassScore score, int c, Object... fetches) {
        return run(m, x, batch, score, c, (Feed) null, fetches);
    }

    /**
     * A tensor fed besides the input: {@code values} of {@code shape} at the graph tensor {@code tensor} (e.g. a
     * layer's output, which TensorFlow then takes as given instead of computing it), in that tensor's type.
     */
    public record Feed(String tensor, double[] values, long[] shape) {}

    /** As {@link #run(LoadedModel, double[], int, ClassScore, int, Object...)} with {@code feed} fed too, no class. */
    public static List<double[]> runFeeding(LoadedModel m, double[] x, int batch, Feed feed, Object... fetches) {
        return run(m, x, batch, null, -1, feed, fetches);
    }

    private static List<double[]> run(LoadedModel m, double[] x, int batch, ClassScore score, int c, Feed feed,
            Object... fetches) {
        List<Tensor> feeds = new ArrayList<>();
        try {
            Tensor xt = Tf.tensor(x, inputShape(m, batch), m.input().dtype());
            feeds.add(xt);
            Session.Runner r = m.serving().session().runner().feed(m.serving().input().toString(), xt);
            if (feed != null) {
                String type = m.serving().tensor(TensorName.parse(feed.tensor())).dataType().name();
                Tensor ft = Tf.tensor(feed.values(), feed.shape(), type.equals("DT_DOUBLE") ? "double" : "float");
                feeds.add(ft);
                r.feed(feed.tensor(), ft);
            }
            if (score != null && c >= 0) {
                double[] oh = new double[batch * m.classes()];
                for (int i = 0; i < batch; i++) {
                    oh[i * m.classes() + c] = 1;
                }
                Tensor ot = Tf.tensor(oh, new long[] {batch, m.classes()},
                        m.input().dtype().equals("double") ? "double" : "float");
                feeds.add(ot);
                r.feed(score.onehot(), ot);
            }
            for (Object f : fetches) {
                if (f instanceof Output<?> o) {
                    r.fetch(o);
                } else {
                    r.fetch(f.toString());
                }
            }
            List<double[]> out = new ArrayList<>();
            try (Result res = r.run()) {
                for (int i = 0; i < fetches.length; i++) {
                    out.add(Tf.doubles(res.get(i)));
                }
            }
            return out;
        } finally {
            feeds.forEach(Tensor::close);
        }
    }
}
