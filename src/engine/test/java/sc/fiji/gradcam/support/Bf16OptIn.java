package sc.fiji.gradcam.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import sc.fiji.gradcam.runtime.Bfloat16;

/**
 * {@code @ExtendWith(Bf16OptIn.class)}: precision bf16 runs only when opted in ({@link Bfloat16#OPT_IN_PROPERTY}); the
 * test class is opted in while it runs and the property is restored after it.
 */
public final class Bf16OptIn implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(Bf16OptIn.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        String previous = System.setProperty(Bfloat16.OPT_IN_PROPERTY, Bfloat16.OPT_IN_VALUE);
        context.getStore(NS).put("previous", previous == null ? "" : previous);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String previous = context.getStore(NS).get("previous", String.class);
        if (previous == null || previous.isEmpty()) {
            System.clearProperty(Bfloat16.OPT_IN_PROPERTY);
        } else {
            System.setProperty(Bfloat16.OPT_IN_PROPERTY, previous);
        }
    }
}
