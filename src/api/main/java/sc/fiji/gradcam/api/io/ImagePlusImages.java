package sc.fiji.gradcam.api.io;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.util.List;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;

/** Conversions between ImageJ 1 images and the core's {@link InputImage} and {@link MapImage}. */
public final class ImagePlusImages {

    private ImagePlusImages() {}

    /** Number of planes (z × t positions). */
    public static int planes(ImagePlus imp) {
        check(imp);
        return imp.getStackSize() / imp.getNChannels();
    }

    /** The plane (0-based) the image shows now. */
    public static int currentPlane(ImagePlus imp) {
        return (imp.getCurrentSlice() - 1) / imp.getNChannels();
    }

    /** Plane {@code plane} (0-based) as the core's image: RGB gives 3 UINT8 channels, gray one per channel. */
    public static InputImage plane(ImagePlus imp, int plane) {
        check(imp);
        int c = imp.getNChannels();
        int w = imp.getWidth();
        int h = imp.getHeight();
        ImageStack stack = imp.getStack();
        if (imp.getBitDepth() == 24) {
            ColorProcessor cp = (ColorProcessor) stack.getProcessor(plane + 1);
            byte[][] rgb = {new byte[w * h], new byte[w * h], new byte[w * h]};
            cp.getRGB(rgb[0], rgb[1], rgb[2]);
            float[] data = new float[3 * w * h];
            for (int i = 0; i < data.length; i++) {
                data[i] = rgb[i / (w * h)][i % (w * h)] & 0xff;
            }
            return new InputImage(w, h, 3, data, PixelKind.UINT8);
        }
        float[] data = new float[c * w * h];
        for (int ch = 0; ch < c; ch++) {
            ImageProcessor ip = stack.getProcessor(plane * c + ch + 1);
            for (int i = 0; i < w * h; i++) {
                data[ch * w * h + i] = ip.getf(i);
            }
        }
        PixelKind kind = switch (imp.getBitDepth()) {
            case 8 -> PixelKind.UINT8;
            case 16 -> PixelKind.UINT16;
            default -> PixelKind.FLOAT;
        };
        return new InputImage(w, h, c, data, kind);
    }

    /** Rejects images that are not a gray/RGB image or stack of them. */
    public static void check(ImagePlus imp) {
        int c = imp.getNChannels();
        if (c > 1 && imp.getNSlices() > 1 && imp.getNFrames() > 1) {
            throw new IllegalArgumentException("'" + imp.getTitle() + "' is a 5-D hyperstack (" + c + " channels, "
                    + imp.getNSlices() + " slices, " + imp.getNFrames() + " frames). Fix: reduce it to one z or t "
                    + "range first (Image › Duplicate... or Image › Hyperstacks › Reduce Dimensionality...).");
        }
        if (c > 3) {
            throw new IllegalArgumentException("'" + imp.getTitle() + "' has " + c + " channels; Grad-CAM takes gray "
                    + "or RGB images (at most 3 channels). Fix: keep the channels the model was trained on "
                    + "(Image › Duplicate..., channels 1-3) or make an RGB image (Image › Color › Stack to RGB).");
        }
    }

    /** The image at a 1-based stack position as an InputImage: the plane holding that stack slice. */
    public static InputImage toInput(ImagePlus imp, int stackIndex) {
        return plane(imp, (stackIndex - 1) / imp.getNChannels());
    }

    /** The title of a map image: {@code "<method> [<class>] of <image title>"}. */
    public static String mapTitle(Method method, String className, String imageTitle) {
        return method.title() + " [" + className + "] of " + imageTitle;
    }

    /**
     * Maps (one per plane, each with the same channels) as one 32-bit image, channels × planes, the arrays
     * copied; ImageJ's default display.
     */
    public static ImagePlus toImagePlus(List<MapImage> maps, String title) {
        MapImage first = maps.get(0);
        int c = first.channels();
        int plane = first.width() * first.height();
        String[] names = c == 3 ? new String[] {"red", "green", "blue"} : null;
        ImageStack stack = new ImageStack(first.width(), first.height());
        for (MapImage m : maps) {
            for (int ch = 0; ch < c; ch++) {
                float[] px = new float[plane];
                System.arraycopy(m.data(), ch * plane, px, 0, plane);
                stack.addSlice(names != null ? names[ch] : c > 1 ? "channel " + (ch + 1) : null,
                        new FloatProcessor(first.width(), first.height(), px));
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(c, maps.size(), 1);
        return imp;
    }

    /**
     * One method's maps (one per plane) as an image with the given spatial calibration (null: none), shown
     * the way every front end shows them: Grad-CAM family (Grad-CAM, counterfactual and the CAM
     * variants) with Fire, display 0..1; gradients gray with a
     * symmetric display range, channels as a composite.
     */
    public static ImagePlus toImagePlus(List<MapImage> maps, Method method, String title, Calibration calibration) {
        ImagePlus imp = toImagePlus(maps, title);
        if (calibration != null) {
            Calibration cal = calibration.copy();
            cal.disableDensityCalibration();
            imp.setCalibration(cal);
        }
        double maxAbs = 1e-12;
        for (MapImage m : maps) {
            for (float v : m.data()) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        boolean family = method.camLike();
        double lo = family ? 0 : -maxAbs;
        double hi = family ? 1 : maxAbs;
        int c = maps.get(0).channels();
        if (c > 1) {
            CompositeImage ci = new CompositeImage(imp, CompositeImage.GRAYSCALE);
            for (int ch = 1; ch <= c; ch++) {
                ci.setChannelLut(LUT.createLutFromColor(java.awt.Color.WHITE), ch);
                ci.setPosition(ch, 1, 1);
                ci.setDisplayRange(lo, hi);
            }
            ci.setPosition(1, 1, 1);
            return ci;
        }
        imp.setLut(lut(family ? ColorMap.FIRE : ColorMap.GRAYS));
        imp.setDisplayRange(lo, hi);
        return imp;
    }

    /** An ImageJ LUT of a colour map. */
    public static LUT lut(ColorMap map) {
        byte[][] c = new byte[3][256];
        int[] t = map.table();
        for (int i = 0; i < 256; i++) {
            c[0][i] = (byte) (t[i] >> 16);
            c[1][i] = (byte) (t[i] >> 8);
            c[2][i] = (byte) t[i];
        }
        return new LUT(c[0], c[1], c[2]);
    }
}
