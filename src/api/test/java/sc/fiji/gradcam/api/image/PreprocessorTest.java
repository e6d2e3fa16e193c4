package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Image to model input: value ranges, channels, crop and pad placement; and the maps back onto the image. */
class PreprocessorTest {

    static Preprocessing p(int w, int h, int c, ResizeMode mode, double lo, double hi) {
        return new Preprocessing(w, h, c, mode, lo, hi, 1, 99);
    }

    @Test
    void eightBitUsesTheTypeRange() {
        InputImage img = new InputImage(2, 1, 1, new float[] {0, 255}, PixelKind.UINT8);
        float[] v = Preprocessor.prepare(img, p(2, 1, 1, ResizeMode.STRETCH, -1, 1)).values();
        assertEquals(-1, v[0], 1e-6);
        assertEquals(1, v[1], 1e-6);
        // a dark 8-bit image is not stretched
        InputImage dark = new InputImage(2, 1, 1, new float[] {10, 20}, PixelKind.UINT8);
        float[] d = Preprocessor.prepare(dark, p(2, 1, 1, ResizeMode.STRETCH, 0, 255)).values();
        assertEquals(10, d[0], 1e-4);
        assertEquals(20, d[1], 1e-4);
    }

    @Test
    void sixteenBitUsesPercentiles() {
        // 101 values 1000..1100: the 1st and 99th percentiles are 1001 and 1099
        float[] data = new float[101];
        for (int i = 0; i < data.length; i++) {
            data[i] = 1000 + i;
        }
        InputImage img = new InputImage(101, 1, 1, data, PixelKind.UINT16);
        float[] v = Preprocessor.prepare(img, p(101, 1, 1, ResizeMode.STRETCH, 0, 1)).values();
        assertEquals(0, v[1], 1e-6);
        assertEquals(1, v[99], 1e-6);
        assertEquals(0.5, v[50], 1e-6);
        assertEquals(-1.0 / 98, v[0], 1e-6); // outside the percentiles: not clipped
    }

    @Test
    void grayBecomesRgbAndRgbBecomesGray() {
        InputImage gray = new InputImage(1, 1, 1, new float[] {51}, PixelKind.UINT8);
        float[] rgb = Preprocessor.prepare(gray, p(1, 1, 3, ResizeMode.STRETCH, 0, 1)).values();
        for (float v : rgb) {
            assertEquals(0.2, v, 1e-6);
        }
        InputImage color = new InputImage(1, 1, 3, new float[] {255, 0, 0}, PixelKind.UINT8);
        float[] g = Preprocessor.prepare(color, p(1, 1, 1, ResizeMode.STRETCH, 0, 1)).values();
        assertEquals(0.299, g[0], 1e-5);
        InputImage two = new InputImage(1, 1, 2, new float[] {1, 2}, PixelKind.UINT8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessor.prepare(two, p(1, 1, 3, ResizeMode.STRETCH, 0, 1)));
        assertTrue(e.getMessage().contains("2 channels") && e.getMessage().contains("Fix:"), e.getMessage());
    }

    @Test
    void nanIsRejectedWithItsPosition() {
        InputImage img = new InputImage(3, 2, 1, new float[] {0, 0, 0, 0, Float.NaN, 0}, PixelKind.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessor.prepare(img, p(3, 2, 1, ResizeMode.STRETCH, 0, 1)));
        assertTrue(e.getMessage().contains("x=1, y=1"), e.getMessage());
    }

    /** A 8×4 image with value = x (ramp): crop to 4×4 keeps columns 2..5; pad to 8×8 centres it with rows of min. */
    @Test
    void cropAndPadPlacement() {
        float[] data = new float[8 * 4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                data[y * 8 + x] = x;
            }
        }
        InputImage img = new InputImage(8, 4, 1, data, PixelKind.UINT8);
        float[] crop = Preprocessor.prepare(img, p(4, 4, 1, ResizeMode.CROP, 0, 255)).values();
        for (int v = 0; v < 4; v++) {
            for (int u = 0; u < 4; u++) {
                assertEquals(u + 2, crop[v * 4 + u], 1e-4, "crop " + u + "," + v);
            }
        }
        float[] pad = Preprocessor.prepare(img, p(8, 8, 1, ResizeMode.PAD, -1, 254)).values();
        for (int v = 0; v < 8; v++) {
            for (int u = 0; u < 8; u++) {
                double expected = v < 2 || v >= 6 ? -1 : u - 1;
                assertEquals(expected, pad[v * 8 + u], 1e-4, "pad " + u + "," + v);
            }
        }
    }

    /** Preprocess, then map model-resolution values back: the image comes back where the model saw it. */
    @Test
    void mapsReturnToTheImage() {
        int w = 12;
        int h = 6;
        float[] data = new float[w * h];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 37) % 256;
        }
        InputImage img = new InputImage(w, h, 1, data, PixelKind.UINT8);
        // same size, stretch: identity
        var same = Preprocessor.prepare(img, p(w, h, 1, ResizeMode.STRETCH, 0, 255));
        float[] back = MapResampler.modelToImage(same.values(), 1, same.geometry(), w, h);
        for (int i = 0; i < data.length; i++) {
            assertEquals(data[i], back[i], 1e-3);
        }
        // crop 6×6 out of 12×6 (scale 1): the centre columns come back, the cropped-away ones are 0
        var crop = Preprocessor.prepare(img, p(6, 6, 1, ResizeMode.CROP, 0, 255));
        float[] cb = MapResampler.modelToImage(crop.values(), 1, crop.geometry(), w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double expected = x >= 3 && x < 9 ? data[y * w + x] : 0;
                assertEquals(expected, cb[y * w + x], 1e-3, "crop back " + x + "," + y);
            }
        }
        // pad 12×12 (scale 1): the whole image comes back
        var pad = Preprocessor.prepare(img, p(12, 12, 1, ResizeMode.PAD, 0, 255));
        float[] pb = MapResampler.modelToImage(pad.values(), 1, pad.geometry(), w, h);
        for (int i = 0; i < data.length; i++) {
            assertEquals(data[i], pb[i], 1e-3);
        }
    }

    /** A feature map at 1/4 of the model size comes back smooth and aligned: a constant stays constant. */
    @Test
    void featureMapsUpsampleAligned() {
        Geometry g = Geometry.of(ResizeMode.STRETCH, 32, 16, 8, 8);
        float[] ones = {1, 1, 1, 1};
        for (float v : MapResampler.featureToImage(ones, 2, 2, g, 32, 16)) {
            assertEquals(1, v, 1e-6);
        }
        // left half 0, right half 1 at 2×2: the image's left quarter is 0, its right quarter 1
        float[] half = {0, 1, 0, 1};
        float[] img = MapResampler.featureToImage(half, 2, 2, g, 32, 16);
        assertEquals(0, img[5 * 32 + 3], 1e-6);
        assertEquals(1, img[5 * 32 + 28], 1e-6);
        assertEquals(0.5, (img[5 * 32 + 15] + img[5 * 32 + 16]) / 2, 1e-6);
    }

    @Test
    void parsing() {
        assertEquals(-1, Preprocessing.parseRange("-1:1")[0]);
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.parseRange("1:1"));
        assertEquals(224, Preprocessing.parseSize("224x200")[0]);
        assertEquals(200, Preprocessing.parseSize("224x200")[1]);
        assertEquals(64, Preprocessing.parseSize("64")[1]);
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.parseSize("axb"));
        assertEquals(ResizeMode.PAD, ResizeMode.parse(" Pad "));
    }
}
