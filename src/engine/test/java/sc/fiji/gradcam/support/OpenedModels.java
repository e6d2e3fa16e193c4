package sc.fiji.gradcam.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * Models a test class loads as it goes, closed together after its last test: register it with
 * {@code @RegisterExtension static final OpenedModels MODELS = new OpenedModels();}.
 */
public final class OpenedModels implements AutoCloseable, AfterAllCallback {

    private final List<LoadedModel> opened = new ArrayList<>();

    public synchronized LoadedModel load(Path dir) {
        LoadedModel m = ModelLoader.load(dir);
        opened.add(m);
        return m;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public synchronized void close() {
        opened.forEach(LoadedModel::close);
        opened.clear();
    }
}
