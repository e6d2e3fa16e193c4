package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.module.Module;

/** Commands that show their own results keep their outputs for scripts but mark them handled for display. */
class OwnOutputsPostprocessorTest {

    @Test
    void outputsAreReadableAndMarkedHandled() throws Exception {
        try (Context c = new Context()) {
            Module m = Fixtures.run(c, ModelInfoCommand.class, "model", Fixtures.mnistModel());
            assertFalse(Fixtures.canceled(m));
            for (var item : m.getInfo().outputs()) {
                assertTrue(m.isOutputResolved(item.getName()), item.getName());
            }
            assertNotNull(m.getOutput("info"));
        }
    }
}
