package sc.fiji.gradcam.training;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/**
 * Turns an image into the network input described by {@code gradcam.properties}:
 * {@code size=NxN}, {@code resize=stretch} (bilinear, averaging when shrinking),
 * {@code range=0:1} (value / 255), {@code channels=rgb}, channels last.
 */
public final class InputPreprocessing {

    private InputPreprocessing() {}

    /** Stretches {@code imp} to {@code size x size} RGB and returns HWC floats in [0, 1]. */
    public static float[] toInput(ImagePlus imp, int size) {
        return toInput(imp.getProcessor(), size);
    }

    /** Stretches {@code ip} to {@code size x size} RGB and returns HWC floats in [0, 1]. */
    public static float[] toInput(ImageProcessor ip, int size) {
        ImageProcessor rgb = ip instanceof ColorProcessor ? ip : ip.convertToRGB();
        rgb.setInterpolationMethod(ImageProcessor.BILINEAR);
        ImageProcessor resized = rgb.getWidth() == size && rgb.getHeight() == size
                ? rgb
                : rgb.resize(size, size, true);
        int[] argb = (int[]) resized.getPixels();
        float[] out = new float[size * size * 3];
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = ((argb[i] >> 16) & 0xff) / 255f;
            out[3 * i + 1] = ((argb[i] >> 8) & 0xff) / 255f;
            out[3 * i + 2] = (argb[i] & 0xff) / 255f;
        }
        return out;
    }
}
