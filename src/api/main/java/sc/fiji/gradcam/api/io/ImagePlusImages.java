package sc.fiji.gradcam.api.io;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.VirtualStack;
import sc.fiji.gradcam.api.MapSource;
import ij.ImageStack;
import ij.measure.Calibration;
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

    /**
     * Plane {@code plane} (0-based) as the core's image: RGB gives 3 UINT8 channels, gray one per channel. A read-only
     * view of the image's own pixel arrays: nothing is copied (a 20000 × 20000 8-bit plane stays 400 MB).
     */
    public static InputImage plane(ImagePlus imp, int plane) {
        check(imp);
        int c = imp.getNChannels();
        int w = imp.getWidth();
        int h = imp.getHeight();
        ImageStack stack = imp.getStack();
        if (imp.getBitDepth() == 24) {
            int[] rgb = (int[]) stack.getProcessor(plane + 1).getPixels();
            return InputImage.view(w, h, 3, PixelKind.UINT8, (ch, i) -> rgb[i] >> (16 - 8 * ch) & 0xff);
        }
        Object[] arrays = new Object[c];
        for (int ch = 0; ch < c; ch++) {
            arrays[ch] = stack.getProcessor(plane * c + ch + 1).getPixels();
        }
        return switch (imp.getBitDepth()) {
            case 8 -> InputImage.view(w, h, c, PixelKind.UINT8, (ch, i) -> ((byte[]) arrays[ch])[i] & 0xff);
            case 16 -> InputImage.view(w, h, c, PixelKind.UINT16, (ch, i) -> ((short[]) arrays[ch])[i] & 0xffff);
            default -> InputImage.view(w, h, c, PixelKind.FLOAT, (ch, i) -> ((float[]) arrays[ch])[i]);
        };
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
        double maxAbs = 1e-12;
        for (MapImage m : maps) {
            for (float v : m.data()) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        return styled(toImagePlus(maps, title), method, calibration, maxAbs);
    }

    /**
     * {@link #toImagePlus(List, Method, String, Calibration)} of maps read from their sources: one slice is held at a
     * time (a virtual stack whose slices are computed when the TIFF writer reads them), so that a stack of
     * image-size maps costs one slice of memory. The result is for writing, not for showing.
     */
    public static ImagePlus toWritableImagePlus(List<MapSource> maps, Method method, String title,
            Calibration calibration) {
        MapSource first = maps.get(0);
        return toWritableImagePlus(maps, method, title, calibration, new float[first.width() * first.height()]);
    }

    /**
     * {@link #toWritableImagePlus(List, Method, String, Calibration)} with the one slice held in {@code slice} (at
     * least width × height values; its contents are replaced): the maps of one image can share it.
     */
    public static ImagePlus toWritableImagePlus(List<MapSource> maps, Method method, String title,
            Calibration calibration, float[] slice) {
        double maxAbs = 1e-12;
        if (!method.unitRange()) {
            for (MapSource m : maps) {
                maxAbs = Math.max(maxAbs, m.maxAbs());
            }
        }
        MapSource first = maps.get(0);
        int c = first.channels();
        float[] pixels = slice.length == first.width() * first.height() ? slice
                : new float[first.width() * first.height()];
        ImagePlus imp;
        if (maps.size() * c == 1) {
            first.rows(0, first.height(), pixels);
            imp = new ImagePlus(title, new FloatProcessor(first.width(), first.height(), pixels));
        } else {
            imp = new ImagePlus(title, new SourceStack(maps, pixels));
            imp.setDimensions(c, maps.size(), 1);
        }
        return styled(imp, method, calibration, maxAbs);
    }

    /** The calibration, LUT and display range every front end gives a method's maps. */
    private static ImagePlus styled(ImagePlus imp, Method method, Calibration calibration, double maxAbs) {
        if (calibration != null) {
            Calibration cal = calibration.copy();
            cal.disableDensityCalibration();
            imp.setCalibration(cal);
        }
        boolean family = method.unitRange();
        double lo = family ? 0 : -maxAbs;
        double hi = family ? 1 : maxAbs;
        int c = imp.getNChannels();
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

    /**
     * Maps (one per plane, channels × planes slices, like {@link #toImagePlus(List, String)}) as a virtual stack:
     * each slice is computed from its source into one shared array when asked for.
     */
    private static final class SourceStack extends VirtualStack {
        private final List<MapSource> maps;
        private final int channels;
        private final float[] slice;
        private final String[] names;

        SourceStack(List<MapSource> maps, float[] slice) {
            super(maps.get(0).width(), maps.get(0).height(), null, null);
            this.maps = maps;
            this.channels = maps.get(0).channels();
            this.slice = slice;
            this.names = channels == 3 ? new String[] {"red", "green", "blue"} : null;
            setBitDepth(32);
        }

        @Override
        public int getSize() {
            return maps.size() * channels;
        }

        @Override
        public String getSliceLabel(int n) {
            int ch = (n - 1) % channels;
            return names != null ? names[ch] : channels > 1 ? "channel " + (ch + 1) : null;
        }

        @Override
        public synchronized ImageProcessor getProcessor(int n) {
            MapSource m = maps.get((n - 1) / channels);
            int ch = (n - 1) % channels;
            int w = m.width();
            int band = m.bandRows();
            float[] buf = new float[band * w * channels];
            for (int y0 = 0; y0 < m.height(); y0 += band) {
                int y1 = Math.min(m.height(), y0 + band);
                m.rows(y0, y1, buf);
                System.arraycopy(buf, ch * (y1 - y0) * w, slice, y0 * w, (y1 - y0) * w);
            }
            return new FloatProcessor(w, m.height(), slice);
        }

        @Override
        public Object getPixels(int n) {
            return getProcessor(n).getPixels();
        }
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
