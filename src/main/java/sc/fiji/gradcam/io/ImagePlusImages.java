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

    /**
     * One plane of an image (1-based stack index) as an InputImage: RGB → 3 channels; a composite image
     * with 2–3 channels → its channels at the current slice and frame; 8/16/32-bit gray → 1 channel.
     */
    public static InputImage toInput(ImagePlus imp, int stackIndex) {
        if (imp.getNDimensions() > 4 || (imp.getNChannels() > 1 && imp.getNSlices() > 1 && imp.getNFrames() > 1)) {
            throw new IllegalArgumentException("'" + imp.getTitle() + "' is a " + imp.getNDimensions()
                    + "-D hyperstack; Grad-CAM explains 2-D images. Fix: pick one plane (Image › Duplicate...) or "
                    + "split the channels/time points first.");
        }
        int w = imp.getWidth();
        int h = imp.getHeight();
        if (imp.getType() == ImagePlus.COLOR_RGB) {
            ColorProcessor cp = (ColorProcessor) imp.getStack().getProcessor(stackIndex);
            float[] data = new float[3 * w * h];
            int[] px = (int[]) cp.getPixels();
            for (int i = 0; i < px.length; i++) {
                data[i] = px[i] >> 16 & 255;
                data[w * h + i] = px[i] >> 8 & 255;
                data[2 * w * h + i] = px[i] & 255;
            }
            return new InputImage(w, h, 3, data, PixelKind.UINT8);
        }
        PixelKind kind = switch (imp.getBitDepth()) {
            case 8 -> PixelKind.UINT8;
            case 16 -> PixelKind.UINT16;
            default -> PixelKind.FLOAT;
        };
        if (imp.getNChannels() > 1) {
            int channels = imp.getNChannels();
            if (channels > 3) {
                throw new IllegalArgumentException("'" + imp.getTitle() + "' has " + channels + " channels; the "
                        + "model takes gray or RGB images. Fix: keep 1 or 3 channels (Image › Color › Stack to RGB).");
            }
            int z = imp.getSlice();
            int t = imp.getFrame();
            float[] data = new float[channels * w * h];
            for (int c = 0; c < channels; c++) {
                float[] plane = (float[]) imp.getStack().getProcessor(imp.getStackIndex(c + 1, z, t))
                        .convertToFloatProcessor().getPixels();
                System.arraycopy(plane, 0, data, c * w * h, w * h);
            }
            return new InputImage(w, h, channels, data, kind);
        }
        ImageProcessor ip = imp.getStack().getProcessor(stackIndex);
        float[] data = ((float[]) ip.convertToFloatProcessor().getPixels()).clone();
        return new InputImage(w, h, 1, data, kind);
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
