package sc.fiji.gradcam.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * One explainer (one TensorFlow session, one copy of the weights) per executor JVM and model: created by the first
 * task that needs it, shared by every later task and every task slot of the JVM (the explainer is thread-safe),
 * closed when the JVM exits. Never one per task or per image. A model on a Hadoop file system ({@code hdfs://},
 * {@code s3a://}) is copied to a local temporary folder once per JVM.
 */
final class Explainers {

    private static final Map<String, Explainer> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Explainers::closeAll, "gradcam-explainers-close"));
    }

    private Explainers() {}

    /** This JVM's explainer of the job's model (loaded on first use). */
    static Explainer get(JobSpec spec, Configuration conf) {
        return LOADED.computeIfAbsent(spec.modelKey(), k -> {
            LOADS.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            return new Explainer(ModelLoader.load(localModel(spec.model(), conf), spec.modelOptions()));
        });
    }

    /** How many times this JVM has loaded the job's model (the tests check: once per JVM, not per task). */
    static int loads(JobSpec spec) {
        AtomicInteger n = LOADS.get(spec.modelKey());
        return n == null ? 0 : n.get();
    }

    private static Path localModel(String model, Configuration conf) {
        if (!HadoopPaths.isRemote(model)) {
            return HadoopPaths.local(model);
        }
        try {
            Path dir = Files.createTempDirectory("gradcam-spark-model-");
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(model);
            Path dst = dir.resolve(src.getName());
            src.getFileSystem(conf).copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(
                    dst.toUri()), true);
            return dst;
        } catch (IOException e) {
            throw new IllegalArgumentException("The model " + model + " could not be copied from its file system ("
                    + e.getMessage() + "). Fix: give a model folder or .zip every executor can read.", e);
        }
    }

    static synchronized void closeAll() {
        LOADED.values().forEach(Explainer::close);
        LOADED.clear();
    }
}
