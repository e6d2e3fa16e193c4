package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.MapSource;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.SourcedMaps;

/** Maps read band by band are the maps computed whole, bit for bit, for every resize mode and band split. */
class MapSourcesTest {

    private static float[] random(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** The source read in bands of random heights. */
    private static float[] banded(MapSource s, Random r) {
        int w = s.width();
        int h = s.height();
        int c = s.channels();
        float[] out = new float[w * h * c];
        for (int y0 = 0; y0 < h;) {
            int y1 = Math.min(h, y0 + 1 + r.nextInt(7));
            float[] band = new float[(y1 - y0) * w * c];
            s.rows(y0, y1, band);
            for (int ch = 0; ch < c; ch++) {
                System.arraycopy(band, ch * (y1 - y0) * w, out, ch * w * h + y0 * w, (y1 - y0) * w);
            }
            y0 = y1;
        }
        return out;
    }

    @Test
    void upsampledCamMapsEqualTheWholeMapNormalised() {
        Random r = new Random(1);
        for (ResizeMode mode : ResizeMode.values()) {
            int w = 53;
            int h = 31;
            Geometry g = Geometry.of(mode, w, h, 16, 16);
            float[] feature = random(4 * 4, r);
            double max = 0.7;
            float[] whole = MapResampler.featureToImage(feature, 4, 4, g, w, h);
            for (int j = 0; j < whole.length; j++) {
                whole[j] = (float) Math.min(1.0, Math.max(0.0, whole[j] / max));
            }
            MapSource s = MapSources.upsampled(feature, 4, 4, g, w, h, max);
            assertArrayEquals(whole, banded(s, r), 0f, mode.toString());
            assertArrayEquals(whole, s.image().data(), 0f);
            float[] raw = MapResampler.featureToImage(feature, 4, 4, g, w, h);
            assertArrayEquals(raw, MapSources.upsampled(feature, 4, 4, g, w, h, 0).image().data(), 0f, "no divisor");
        }
    }

    @Test
    void gradientsAndTheirProductEqualTheWholeMaps() {
        Random r = new Random(2);
        Geometry g = Geometry.of(ResizeMode.CROP, 70, 45, 12, 12);
        float[] values = random(12 * 12 * 3, r);
        float[] whole = MapResampler.modelToImage(values, 3, g, 70, 45);
        MapSource grad = MapSources.modelResolution(values, 3, g, 70, 45);
        assertEquals(3, grad.channels());
        assertArrayEquals(whole, banded(grad, r), 0f);
        assertArrayEquals(whole, grad.image().data(), 0f);
        float[] cam = MapResampler.featureToImage(random(9, r), 3, 3, g, 70, 45);
        MapSource weight = MapSource.of(new MapImage(70, 45, 1, cam));
        float[] product = new float[whole.length];
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < cam.length; j++) {
                product[c * cam.length + j] = whole[c * cam.length + j] * cam[j];
            }
        }
        assertArrayEquals(product, banded(MapSources.product(grad, weight), r), 0f);
        float maxAbs = 0;
        for (float v : whole) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertEquals(maxAbs, grad.maxAbs(), 0f);
    }

    @Test
    void smallMapsAreHeldOnceLargeOnesComputedWhenRead() {
        Geometry g = Geometry.of(ResizeMode.STRETCH, 40, 40, 8, 8);
        MapSource small = MapSources.upsampled(new float[] {1, 2, 3, 4}, 2, 2, g, 40, 40, 4);
        int side = 4097; // 4097² > SourcedMaps.HELD_VALUES
        MapSource large = MapSources.upsampled(new float[] {1, 2, 3, 4}, 2, 2,
                Geometry.of(ResizeMode.STRETCH, side, side, 8, 8), side, side, 4);
        SourcedMaps maps = new SourcedMaps(Map.of(Method.GRADCAM, small, Method.COUNTERFACTUAL, large));
        assertSame(maps.get(Method.GRADCAM), maps.get(Method.GRADCAM));
        MapImage a = maps.get(Method.COUNTERFACTUAL);
        MapImage b = maps.get(Method.COUNTERFACTUAL);
        assertNotSame(a, b);
        assertArrayEquals(a.data(), b.data(), 0f);
        assertSame(small, maps.source(Method.GRADCAM));
        assertEquals(2, maps.size());
    }
}
