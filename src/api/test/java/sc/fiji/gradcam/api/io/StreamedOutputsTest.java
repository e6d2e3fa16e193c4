package sc.fiji.gradcam.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.MapSource;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.Geometry;
import sc.fiji.gradcam.api.image.Heatmap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.MapSources;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.api.image.ResizeMode;

/**
 * What is written band by band (TIFFs from virtual stacks of map sources, PNG overlays painted row by row, images
 * read as views of ImageJ's arrays) is what was written from whole arrays, pixel for pixel.
 */
class StreamedOutputsTest {

    @TempDir
    Path dir;

    private static MapSource gradient(Random r, int w, int h, int channels) {
        float[] v = new float[10 * 10 * channels];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return MapSources.modelResolution(v, channels, Geometry.of(ResizeMode.PAD, w, h, 10, 10), w, h);
    }

    private static void assertSameTiff(Path a, Path b) {
        ImagePlus x = IJ.openImage(a.toString());
        ImagePlus y = IJ.openImage(b.toString());
        assertEquals(x.getStackSize(), y.getStackSize());
        assertEquals(x.getNChannels(), y.getNChannels());
        assertEquals(x.getNSlices(), y.getNSlices());
        assertEquals(x.getCalibration().pixelWidth, y.getCalibration().pixelWidth);
        assertEquals(x.getCalibration().getUnit(), y.getCalibration().getUnit());
        assertEquals(x.getDisplayRangeMin(), y.getDisplayRangeMin());
        assertEquals(x.getDisplayRangeMax(), y.getDisplayRangeMax());
        assertArrayEquals(x.getProcessor().getLut().getBytes(), y.getProcessor().getLut().getBytes());
        for (int n = 1; n <= x.getStackSize(); n++) {
            assertArrayEquals((float[]) x.getStack().getPixels(n), (float[]) y.getStack().getPixels(n), 0f,
                    "slice " + n);
            assertEquals(x.getStack().getSliceLabel(n), y.getStack().getSliceLabel(n));
        }
    }

    @Test
    void tiffsOfSourcesAreTheTiffsOfTheirMaps() throws Exception {
        Random r = new Random(4);
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.25;
        cal.pixelHeight = 0.25;
        cal.setUnit("µm");
        for (int[] shape : new int[][] {{1, 1}, {3, 1}, {1, 3}, {3, 2}}) {
            int channels = shape[0];
            int planes = shape[1];
            List<MapSource> sources = java.util.stream.IntStream.range(0, planes)
                    .mapToObj(p -> gradient(r, 37, 23, channels)).toList();
            List<MapImage> maps = sources.stream().map(MapSource::image).toList();
            for (Method m : new Method[] {Method.GRADIENT, Method.GRADCAM}) {
                Path eager = dir.resolve("eager-" + channels + "-" + planes + m.id() + ".tif");
                Path streamed = dir.resolve("streamed-" + channels + "-" + planes + m.id() + ".tif");
                MapFiles.writeTiff(ImagePlusImages.toImagePlus(maps, m, "t", cal), eager);
                MapFiles.writeTiff(ImagePlusImages.toWritableImagePlus(sources, m, "t", cal), streamed);
                assertSameTiff(eager, streamed);
            }
        }
    }

    @Test
    void overlayPaintedRowByRowIsTheWholeBlend() throws Exception {
        Random r = new Random(6);
        int w = 301;
        int h = 97; // bands of (1 << 20) / w rows do not divide h
        float[] feature = new float[36];
        for (int i = 0; i < feature.length; i++) {
            feature[i] = r.nextFloat();
        }
        MapSource cam = MapSources.upsampled(feature, 6, 6, Geometry.of(ResizeMode.CROP, w, h, 24, 24), w, h, 0.8);
        short[] px = new short[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) (1000 + r.nextInt(3000));
        }
        float[] values = new float[w * h];
        for (int i = 0; i < values.length; i++) {
            values[i] = px[i];
        }
        InputImage image = new InputImage(w, h, 1, values, PixelKind.UINT16);
        int[] whole = Heatmap.blend(Heatmap.display(image), cam.image().data(), ColorMap.FIRE, 0.4);
        Path a = dir.resolve("whole.png");
        Path b = dir.resolve("rows.png");
        MapFiles.writePng(whole, w, h, a);
        Heatmap.Display base = Heatmap.Display.of(image);
        MapFiles.writePng(w, h, (y0, y1, out) -> Heatmap.blendRows(base, cam, y0, y1, ColorMap.FIRE, 0.4, out), b);
        BufferedImage x = ImageIO.read(a.toFile());
        BufferedImage y = ImageIO.read(b.toFile());
        assertArrayEquals(x.getRGB(0, 0, w, h, null, 0, w), y.getRGB(0, 0, w, h, null, 0, w));
        assertTrue(Files.size(b) > 0);
    }

    /** The arrays ImagePlusImages made before it read views: every value copied into floats. */
    private static float[] copied(ImagePlus imp, int plane) {
        int w = imp.getWidth();
        int h = imp.getHeight();
        if (imp.getBitDepth() == 24) {
            byte[][] rgb = {new byte[w * h], new byte[w * h], new byte[w * h]};
            ((ColorProcessor) imp.getStack().getProcessor(plane + 1)).getRGB(rgb[0], rgb[1], rgb[2]);
            float[] d = new float[3 * w * h];
            for (int i = 0; i < d.length; i++) {
                d[i] = rgb[i / (w * h)][i % (w * h)] & 0xff;
            }
            return d;
        }
        int c = imp.getNChannels();
        float[] d = new float[c * w * h];
        for (int ch = 0; ch < c; ch++) {
            ImageProcessor ip = imp.getStack().getProcessor(plane * c + ch + 1);
            for (int i = 0; i < w * h; i++) {
                d[ch * w * h + i] = ip.getf(i);
            }
        }
        return d;
    }

    @Test
    void imagesAreReadAsViewsWithTheValuesTheyHad() {
        Random r = new Random(8);
        int w = 61;
        int h = 47;
        ImageStack stack = new ImageStack(w, h);
        ByteProcessor bp = new ByteProcessor(w, h);
        ShortProcessor sp = new ShortProcessor(w, h);
        FloatProcessor fp = new FloatProcessor(w, h);
        ColorProcessor cp = new ColorProcessor(w, h);
        for (int i = 0; i < w * h; i++) {
            bp.set(i, r.nextInt(256));
            sp.set(i, r.nextInt(65536));
            fp.setf(i, (float) r.nextGaussian() * 100);
            cp.set(i, r.nextInt(1 << 24));
        }
        stack.addSlice(fp);
        stack.addSlice(fp.duplicate());
        ImagePlus twoChannels = new ImagePlus("c", stack);
        twoChannels.setDimensions(2, 1, 1);
        Preprocessing p = new Preprocessing(20, 20, 3, ResizeMode.CROP, 0, 1, 1, 99.8);
        for (ImagePlus imp : new ImagePlus[] {new ImagePlus("b", bp), new ImagePlus("s", sp),
                new ImagePlus("f", fp), new ImagePlus("rgb", cp)}) {
            InputImage view = ImagePlusImages.plane(imp, 0);
            assertTrue(view.isView());
            float[] before = copied(imp, 0);
            assertArrayEquals(before, view.data(), 0f, imp.getTitle());
            InputImage held = new InputImage(w, h, view.channels(), before, view.kind());
            assertArrayEquals(Preprocessor.prepare(held, p).values(), Preprocessor.prepare(view, p).values(), 0f);
            assertArrayEquals(Heatmap.display(held), Heatmap.display(view));
        }
        assertArrayEquals(copied(twoChannels, 0), ImagePlusImages.plane(twoChannels, 0).data(), 0f);
    }
}
