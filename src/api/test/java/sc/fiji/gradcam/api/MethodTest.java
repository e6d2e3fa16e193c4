package sc.fiji.gradcam.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MethodTest {

    /** The methods that run the model again (their help texts say how often) are exactly those not single-pass. */
    @Test
    void singlePassLeavesOutEveryMethodThatRunsTheModelAgain() {
        Set<Method> again = EnumSet.of(Method.SCORECAM, Method.ABLATIONCAM, Method.INTEGRATED_GRADIENTS,
                Method.SMOOTHGRAD, Method.SMOOTHGRAD_SQ, Method.VARGRAD, Method.OCCLUSION, Method.RISE);
        for (Method m : Method.values()) {
            assertEquals(!again.contains(m), m.singlePass(), m.id());
        }
        assertTrue(Method.GUIDED_GRADCAM.singlePass());
        assertFalse(Method.RISE.singlePass());
    }
}
