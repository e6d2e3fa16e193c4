package sc.fiji.gradcam.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.Rectangle;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.MapImage;

class HotRegionTest {

    @Test
    void largestEightConnectedComponentAboveFifteenPercent() {
        int w = 10;
        float[] v = new float[w * 6];
        v[0] = 1f; // a single hot pixel: the maximum, but a small component
        // a diagonal chain (8-connected only) of 4 pixels at 0.5
        for (int i = 0; i < 4; i++) {
            v[(1 + i) * w + 4 + i] = 0.5f;
        }
        v[5 * w + 0] = 0.1f; // below 15%
        Rectangle r = HotRegion.box(new MapImage(w, 6, 1, v), HotRegion.DEFAULT_FRACTION);
        assertEquals(new Rectangle(4, 1, 4, 4), r);
    }

    @Test
    void emptyMapHasNoBox() {
        assertNull(HotRegion.box(new MapImage(3, 3, 1, new float[9]), 0.15));
    }
}
