package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.DataLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Shapes and values between channels last and channels first. */
class DataLayoutTest {

    @Test
    void shapesMoveTheChannelAxis() {
        assertArrayEquals(new long[] {-1, 3, 32, 24}, DataLayout.NCHW.fromNhwc(new long[] {-1, 32, 24, 3}));
        assertArrayEquals(new long[] {-1, 32, 24, 3}, DataLayout.NCHW.toNhwc(new long[] {-1, 3, 32, 24}));
        long[] nhwc = {2, 5, 7, 1};
        assertArrayEquals(nhwc, DataLayout.NHWC.toNhwc(nhwc));
        assertArrayEquals(nhwc, DataLayout.NHWC.fromNhwc(nhwc));
    }

    /** Each value {@code (n, y, x, c)} lands at {@code ((n·C + c)·H + y)·W + x}, and back. */
    @Test
    void valuesMoveToTheirChannelsFirstIndex() {
        int n = 2;
        int h = 3;
        int w = 4;
        int c = 5;
        float[] nhwc = new float[n * h * w * c];
        for (int i = 0; i < nhwc.length; i++) {
            nhwc[i] = i;
        }
        float[] nchw = DataLayout.NCHW.fromNhwc(nhwc, n, h, w, c);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        assertEquals(nhwc[((b * h + y) * w + x) * c + ch], nchw[((b * c + ch) * h + y) * w + x]);
                    }
                }
            }
        }
        assertArrayEquals(nhwc, DataLayout.NCHW.toNhwc(nchw, n, h, w, c));
        assertSame(nhwc, DataLayout.NHWC.fromNhwc(nhwc, n, h, w, c));
        // the strides name the same places
        int positions = h * w;
        int ps = DataLayout.NCHW.positionStride(positions, c);
        int cs = DataLayout.NCHW.channelStride(positions, c);
        assertEquals(nhwc[(2 * w + 3) * c + 4], nchw[(2 * w + 3) * ps + 4 * cs]);
    }

    @Test
    void parseAcceptsBothNamesAndNamesTheChoicesOtherwise() {
        assertEquals(DataLayout.NCHW, DataLayout.parse(" NCHW "));
        assertEquals(DataLayout.NHWC, DataLayout.parse("nhwc"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataLayout.parse("chw"));
        assertTrue(e.getMessage().contains("nhwc") && e.getMessage().contains("nchw"), e.getMessage());
    }
}
