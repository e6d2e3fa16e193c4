package sc.fiji.gradcam.fiji;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.DefaultModel;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.fiji.engine.EngineLoader;

/**
 * Keeps each loaded model's {@link ModelExplainer} between runs, keyed by the canonical folder and its
 * modification time (a re-exported model is loaded again; the stale one is closed). Explainers are
 * thread-safe, so concurrent runs share them. Everything is closed when the context is disposed.
 */
@Plugin(type = Service.class)
public class ModelCache extends AbstractService implements SciJavaService {

    /** System property naming the default model folder. */

    private record Key(Path dir, long modified, Precision precision) {}

    /** A folder opened in one precision: its current key (a model in float32 and in bf16 is two sessions). */
    private record Slot(Path dir, Precision precision) {}

    private final Map<Slot, Key> current = new HashMap<>();
    private final Map<Key, ModelExplainer> explainers = new HashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();

    /** The bundled default model (see {@link DefaultModel}): the initial choice of every command. */
    public static File defaultModel() {
        return DefaultModel.path().toFile();
    }

    /** The explainer of the model in {@code folder}, loading it on first use. */
    public synchronized ModelExplainer explainer(File folder) {
        return explainer(folder, Precision.FLOAT32);
    }

    /** The explainer of the model in {@code folder} computing in {@code precision}, loading it on first use. */
    public synchronized ModelExplainer explainer(File folder, Precision precision) {
        if (folder == null) {
            throw new ModelException("No model folder was given.", "choose the folder that holds saved_model.pb.");
        }
        Precision p = precision == null ? Precision.FLOAT32 : precision;
        Key key = key(folder.toPath(), p);
        ModelExplainer e = explainers.get(key);
        if (e != null) {
            hits.incrementAndGet();
            return e;
        }
        // float32 through open(Path), as before precision existed (an older engine folder has only that)
        e = p == Precision.FLOAT32 ? EngineLoader.get().engine().open(folder.toPath())
                : EngineLoader.get().engine().open(folder.toPath(), p);
        loads.incrementAndGet();
        Key stale = current.put(new Slot(key.dir(), p), key);
        if (stale != null && explainers.containsKey(stale)) {
            explainers.remove(stale).close();
        }
        explainers.put(key, e);
        return e;
    }

    private static Key key(Path folder, Precision precision) {
        try {
            Path dir = folder.toRealPath();
            long modified = Files.getLastModifiedTime(dir).toMillis();
            Path pb = dir.resolve("saved_model.pb");
            if (Files.exists(pb)) {
                modified = Math.max(modified, Files.getLastModifiedTime(pb).toMillis());
            }
            return new Key(dir, modified, precision);
        } catch (IOException e) {
            throw new ModelException("The model folder " + folder + " cannot be read: " + e.getMessage() + ".",
                    "choose an existing folder that holds saved_model.pb.", e);
        }
    }

    /** Models loaded so far. */
    public int loads() {
        return loads.get();
    }

    /** Runs served by an already loaded model. */
    public int hits() {
        return hits.get();
    }

    /** Closes every model. */
    public synchronized void clear() {
        explainers.values().forEach(ModelExplainer::close);
        explainers.clear();
        current.clear();
    }

    @Override
    public void dispose() {
        clear();
    }
}
