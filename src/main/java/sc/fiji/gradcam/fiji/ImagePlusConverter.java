package sc.fiji.gradcam.fiji;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.LUT;
import java.util.List;
import sc.fiji.gradcam.explain.MapImage;
import sc.fiji.gradcam.explain.Method;
import sc.fiji.gradcam.image.ColorMap;

/**
 * ImageJ 1 images to and from the core's types. An image is explained one plane at a time: a plane is
 * one (z, t) position with all its channels (RGB: 3 channels; composite: up to 3).
 */
public final class ImagePlusConverter {

    private ImagePlusConverter() {}

    /** An ImageJ LUT of a colour map. */
    static LUT lut(ColorMap map) {
        byte[][] c = new byte[3][256];
        int[] t = map.table();
        for (int i = 0; i < 256; i++) {
            c[0][i] = (byte) (t[i] >> 16);
            c[1][i] = (byte) (t[i] >> 8);
            c[2][i] = (byte) t[i];
        }
        return new LUT(c[0], c[1], c[2]);
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
        imp.setLut(family ? lut(ColorMap.FIRE) : lut(ColorMap.GRAYS));
        imp.setDisplayRange(lo, hi);
        return imp;
    }
}
