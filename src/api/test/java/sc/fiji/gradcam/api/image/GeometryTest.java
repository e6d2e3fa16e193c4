package sc.fiji.gradcam.api.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Placement of the model input in the image for stretch, crop and pad, and its inverse. */
class GeometryTest {

    @Test
    void stretchCoversTheWholeImage() {
        Geometry g = Geometry.of(ResizeMode.STRETCH, 100, 50, 10, 10);
        assertEquals(-0.5, g.imageX(-0.5), 1e-12);
        assertEquals(99.5, g.imageX(9.5), 1e-12);
        assertEquals(-0.5, g.imageY(-0.5), 1e-12);
        assertEquals(49.5, g.imageY(9.5), 1e-12);
    }

    @Test
    void cropTakesTheCentreSquare() {
        // 100×50 into 10×10: scale 5, the model sees x in [25, 75)
        Geometry g = Geometry.of(ResizeMode.CROP, 100, 50, 10, 10);
        assertEquals(5, g.scaleX(), 1e-12);
        assertEquals(5, g.scaleY(), 1e-12);
        assertEquals(24.5, g.imageX(-0.5), 1e-12);
        assertEquals(74.5, g.imageX(9.5), 1e-12);
        assertEquals(-0.5, g.imageY(-0.5), 1e-12);
        assertEquals(49.5, g.imageY(9.5), 1e-12);
    }

    @Test
    void padFitsTheImageInside() {
        // 100×50 into 10×10: scale 10, the image fills model rows 2.5..7.5
        Geometry g = Geometry.of(ResizeMode.PAD, 100, 50, 10, 10);
        assertEquals(10, g.scaleX(), 1e-12);
        assertEquals(-0.5, g.imageX(-0.5), 1e-12);
        assertEquals(99.5, g.imageX(9.5), 1e-12);
        assertEquals(2.0, g.modelV(-0.5), 1e-12);
        assertEquals(7.0, g.modelV(49.5), 1e-12);
    }

    @Test
    void modelAndImageCoordinatesAreInverse() {
        for (ResizeMode mode : ResizeMode.values()) {
            Geometry g = Geometry.of(mode, 37, 91, 13, 7);
            for (double u = -0.5; u < 13; u += 0.7) {
                assertEquals(u, g.modelU(g.imageX(u)), 1e-9);
                assertEquals(u, g.modelV(g.imageY(u)), 1e-9);
            }
        }
    }
}
