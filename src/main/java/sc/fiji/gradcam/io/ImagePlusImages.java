package sc.fiji.gradcam.io;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import sc.fiji.gradcam.explain.MapImage;
import sc.fiji.gradcam.image.InputImage;
import sc.fiji.gradcam.image.PixelKind;

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

    /** A map as a 32-bit ImagePlus (a stack for several channels); the map's array is shared, not copied. */
    public static ImagePlus toImagePlus(MapImage map, String title) {
        int plane = map.width() * map.height();
        if (map.channels() == 1) {
            return new ImagePlus(title, new FloatProcessor(map.width(), map.height(), map.data()));
        }
        ImageStack stack = new ImageStack(map.width(), map.height());
        String[] names = map.channels() == 3 ? new String[] {"red", "green", "blue"} : null;
        for (int c = 0; c < map.channels(); c++) {
            float[] p = new float[plane];
            System.arraycopy(map.data(), c * plane, p, 0, plane);
            stack.addSlice(names != null ? names[c] : "channel " + (c + 1), new FloatProcessor(map.width(), map.height(), p));
        }
        return new ImagePlus(title, stack);
    }
}
