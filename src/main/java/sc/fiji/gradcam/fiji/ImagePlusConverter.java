package sc.fiji.gradcam.fiji;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.util.List;
import sc.fiji.gradcam.explain.MapImage;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.image.InputImage;
import sc.fiji.gradcam.image.PixelKind;

/**
 * ImageJ 1 images to and from the core's types. An image is explained one plane at a time: a plane is
 * one (z, t) position with all its channels (RGB: 3 channels; composite: up to 3).
 */
public final class ImagePlusConverter {

    private ImagePlusConverter() {}

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
    public static InputImage toInput(ImagePlus imp, int plane) {
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
    static void check(ImagePlus imp) {
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

    /**
     * One method's maps (one per plane) as an image titled {@code "<method> [<class>] of <title>"}, with
     * the source's spatial calibration. Grad-CAM family: Fire, display 0..1; gradients: gray, symmetric
     * display range, channels as a composite.
     */
    public static ImagePlus toImagePlus(List<MapImage> maps, Method method, String className, ImagePlus source) {
        MapImage first = maps.get(0);
        int c = first.channels();
        int plane = first.width() * first.height();
        ImageStack stack = new ImageStack(first.width(), first.height());
        double maxAbs = 0;
        for (MapImage m : maps) {
            for (int ch = 0; ch < c; ch++) {
                float[] px = new float[plane];
                System.arraycopy(m.data(), ch * plane, px, 0, plane);
                stack.addSlice(new FloatProcessor(first.width(), first.height(), px));
            }
            for (float v : m.data()) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        ImagePlus imp = new ImagePlus(method.title() + " [" + className + "] of " + source.getTitle(), stack);
        imp.setDimensions(c, maps.size(), 1);
        Calibration cal = source.getCalibration().copy();
        cal.disableDensityCalibration();
        imp.setCalibration(cal);
        boolean family = method == Method.GRADCAM || method == Method.COUNTERFACTUAL;
        double lo = family ? 0 : -Math.max(maxAbs, 1e-12);
        double hi = family ? 1 : Math.max(maxAbs, 1e-12);
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
        imp.setLut(family ? ColorMap.FIRE.lut() : ColorMap.GRAYS.lut());
        imp.setDisplayRange(lo, hi);
        return imp;
    }
}
