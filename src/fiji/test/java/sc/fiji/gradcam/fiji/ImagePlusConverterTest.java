package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.api.image.ColorMap;

import sc.fiji.gradcam.api.io.ImagePlusImages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

class ImagePlusConverterTest {

    @Test
    void rgbGivesThreeUint8Channels() {
        ColorProcessor cp = new ColorProcessor(3, 2);
        cp.set(1, 0, (10 << 16) | (20 << 8) | 30);
        InputImage in = ImagePlusImages.plane(new ImagePlus("rgb", cp), 0);
        assertEquals(3, in.channels());
        assertEquals(PixelKind.UINT8, in.kind());
        assertEquals(10, in.get(1, 0, 0));
        assertEquals(20, in.get(1, 0, 1));
        assertEquals(30, in.get(1, 0, 2));
    }

    @Test
    void grayKindsFollowBitDepth() {
        ShortProcessor sp = new ShortProcessor(2, 2);
        sp.set(1, 1, 60000);
        InputImage in = ImagePlusImages.plane(new ImagePlus("16", sp), 0);
        assertEquals(PixelKind.UINT16, in.kind());
        assertEquals(60000, in.get(1, 1, 0));
        assertEquals(PixelKind.UINT8, ImagePlusImages.plane(IJ.createImage("8", "8-bit", 2, 2, 1), 0).kind());
        assertEquals(PixelKind.FLOAT, ImagePlusImages.plane(IJ.createImage("32", "32-bit", 2, 2, 1), 0).kind());
    }

    @Test
    void hyperstackPlanesCarryTheirChannels() {
        ImagePlus imp = IJ.createHyperStack("h", 4, 4, 3, 1, 4, 16);
        assertEquals(4, ImagePlusImages.planes(imp));
        imp.getStack().getProcessor(imp.getStackIndex(2, 1, 3)).set(0, 0, 77);
        InputImage plane = ImagePlusImages.plane(imp, 2); // t=3
        assertEquals(3, plane.channels());
        assertEquals(PixelKind.UINT16, plane.kind());
        assertEquals(77, plane.get(0, 0, 1));
        imp.setPosition(3, 1, 4);
        assertEquals(3, ImagePlusImages.currentPlane(imp));
    }

    @Test
    void rejectsFiveDAndManyChannels() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ImagePlusImages.plane(IJ.createHyperStack("x", 4, 4, 2, 2, 2, 8), 0));
        assertTrue(e.getMessage().contains("5-D") && e.getMessage().contains("Fix:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ImagePlusImages.plane(IJ.createHyperStack("x", 4, 4, 5, 1, 1, 8), 0));
        assertTrue(e.getMessage().contains("5 channels"), e.getMessage());
    }

    @Test
    void mapImageTitleLutAndCalibration() {
        ImagePlus src = IJ.createImage("cells", "8-bit", 2, 2, 1);
        src.getCalibration().pixelHeight = 0.25;
        MapImage map = new MapImage(2, 2, 1, new float[] {0, 0.5f, 1, 0.25f});
        ImagePlus out = ImagePlusConverter.toImagePlus(List.of(map), Method.GRADCAM, "Parasitized", src);
        assertEquals("Grad-CAM [Parasitized] of cells", out.getTitle());
        assertEquals(0.25, out.getCalibration().pixelHeight, 0);
        assertEquals(1.0, out.getDisplayRangeMax(), 0);
        assertEquals(0.5f, out.getProcessor().getf(1, 0), 0);
        assertEquals(ColorMap.FIRE.rgb(1.0), out.getProcessor().getLut().getRGB(255) & 0xffffff);
    }
}
