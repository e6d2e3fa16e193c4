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
import sc.fiji.gradcam.fiji.engine.EngineLoader;

/**
 * Keeps each loaded model's {@link ModelExplainer} between runs, keyed by the canonical folder and its
 * modification time (a re-exported model is loaded again; the stale one is closed). Explainers are
 * thread-safe, so concurrent runs share them. Everything is closed when the context is disposed.
 */
@Plugin(type = Service.class)
public class ModelCache extends AbstractService implements SciJavaService {

    /** System property naming the default model folder. */

    private record Key(Path dir, long modified) {}

    private final Map<Path, Key> current = new HashMap<>();
    private final Map<Key, ModelExplainer> explainers = new HashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();

    /** The bundled default model (see {@link DefaultModel}): the initial choice of every command. */
    public static File defaultModel() {
        return DefaultModel.path().toFile();
    }

    /** The explainer of the model in {@code folder}, loading it on first use. */
    public synchronized ModelExplainer explainer(File folder) {
        if (folder == null) {
            throw new ModelException("No model folder was given.", "choose the folder that holds saved_model.pb.");
        }
        Key key = key(folder.toPath());
        ModelExplainer e = explainers.get(key);
        if (e != null) {
            hits.incrementAndGet();
            return e;
        }
        e = EngineLoader.get().engine().open(folder.toPath());
        loads.incrementAndGet();
        Key stale = current.put(key.dir(), key);
        if (stale != null && explainers.containsKey(stale)) {
            explainers.remove(stale).close();
        }
        explainers.put(key, e);
        return e;
    }

    private static Key key(Path folder) {
        try {
            Path dir = folder.toRealPath();
            long modified = Files.getLastModifiedTime(dir).toMillis();
            Path pb = dir.resolve("saved_model.pb");
            if (Files.exists(pb)) {
                modified = Math.max(modified, Files.getLastModifiedTime(pb).toMillis());
            }
            return new Key(dir, modified);
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
