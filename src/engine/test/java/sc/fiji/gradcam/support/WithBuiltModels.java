package sc.fiji.gradcam.support;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of test classes that build test models once per class (into a temporary folder) and close them after. */
public abstract class WithBuiltModels {

    @TempDir
    protected static Path tmp;
    protected static BuiltModels models;

    @BeforeAll
    static void buildModels() {
        models = new BuiltModels(tmp);
    }

    @AfterAll
    static void closeModels() {
        models.close();
    }
}
