package sc.fiji.gradcam.fiji;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import sc.fiji.gradcam.api.Region;

/**
 * ImageJ selections as dense-output targets: an area ROI becomes a {@link Region} of the image's size named after the
 * ROI (a rectangle stays a rectangle; other shapes become their mask), and the ROI Manager gives one region per ROI.
 */
final class RoiRegions {

    private RoiRegions() {}

    /** The region of an area ROI on {@code image}, or null for none (no selection, or a line or point). */
    static Region of(Roi roi, ImagePlus image, int index) {
        if (roi == null || !roi.isArea() || roi instanceof ij.gui.ImageRoi) {
            return null;
        }
        String name = roi.getName() != null ? roi.getName() : "ROI " + (index + 1);
        Rectangle b = roi.getBounds();
        if (roi.getType() == Roi.RECTANGLE && roi.getCornerDiameter() == 0) {
            return Region.rectangle(b.x, b.y, b.width, b.height, name);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean[] m = new boolean[w * h];
        ImageProcessor mask = roi.getMask();
        for (int y = 0; y < b.height; y++) {
            for (int x = 0; x < b.width; x++) {
                int ix = b.x + x;
                int iy = b.y + y;
                if (ix >= 0 && iy >= 0 && ix < w && iy < h && (mask == null || mask.get(x, y) != 0)) {
                    m[iy * w + ix] = true;
                }
            }
        }
        return Region.mask(m, w, h, name);
    }

    /** One region per area ROI of the ROI Manager (the batch-mode macro's one too). */
    static List<Region> manager(ImagePlus image) {
        RoiManager rm = RoiManager.getInstance();
        if (rm == null) {
            rm = ij.macro.Interpreter.getBatchModeRoiManager();
        }
        if (rm == null) {
            throw new IllegalArgumentException("There is no ROI Manager" + (java.awt.GraphicsEnvironment.isHeadless()
                    ? " in a headless session" : "") + ". Fix: add regions to it (Analyze › Tools › ROI Manager), "
                    + "or put them in the image's overlay and use region=overlay.");
        }
        return regions(rm.getRoisAsArray(), image, "The ROI Manager has no area ROI. Fix: add regions to it "
                + "(Analyze › Tools › ROI Manager, 'Add'), or use region=auto.");
    }

    /** One region per area ROI of the image's overlay (headless scripts keep ROIs there). */
    static List<Region> overlay(ImagePlus image) {
        Roi[] rois = image.getOverlay() == null ? new Roi[0] : image.getOverlay().toArray();
        return regions(rois, image, "The image's overlay has no area ROI. Fix: add regions to it (Image › Overlay › "
                + "Add Selection), or use region=auto.");
    }

    private static List<Region> regions(Roi[] rois, ImagePlus image, String none) {
        List<Region> out = new ArrayList<>();
        for (int i = 0; i < rois.length; i++) {
            Region r = of(rois[i], image, i);
            if (r != null) {
                out.add(r);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(none);
        }
        return out;
    }
}
