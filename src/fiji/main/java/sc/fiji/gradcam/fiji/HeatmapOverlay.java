package sc.fiji.gradcam.fiji;

import sc.fiji.gradcam.api.io.ImagePlusImages;

import sc.fiji.gradcam.api.image.ColorMap;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.frame.RoiManager;
import ij.process.ColorProcessor;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import sc.fiji.gradcam.api.MapImage;

/**
 * The colour-mapped heatmap over the input: an {@link ImageRoi} named {@value #NAME} per plane in the
 * image's overlay. Re-running replaces it; the image's pixels are never changed.
 */
public final class HeatmapOverlay {

    public static final String NAME = "Grad-CAM";
    public static final String BOX_NAME = "Grad-CAM box";

    private HeatmapOverlay() {}

    /** Removes earlier heatmaps and adds one per explained plane ({@code maps} in [0, 1]). */
    public static void install(ImagePlus imp, List<Integer> planes, List<MapImage> maps, ColorMap colors,
            double opacity) {
        Overlay overlay = remove(imp, NAME);
        for (int i = 0; i < maps.size(); i++) {
            ImageRoi roi = new ImageRoi(0, 0, colour(maps.get(i), colors));
            roi.setName(NAME);
            roi.setOpacity(Math.max(0, Math.min(1, opacity)));
            position(imp, roi, planes.get(i));
            overlay.add(roi);
        }
        imp.setOverlay(overlay);
    }

    /**
     * Marks each plane's hot region (largest 8-connected area above 15% of the maximum) with a box named
     * {@value #BOX_NAME} in the overlay, selects the current plane's, and adds them to the ROI Manager if
     * one is open. Returns the boxes (null entries for empty maps).
     */
    public static List<Rectangle> installBoxes(ImagePlus imp, List<Integer> planes, List<MapImage> maps) {
        Overlay overlay = remove(imp, BOX_NAME);
        List<Rectangle> boxes = new ArrayList<>();
        // only a manager the user has open (getInstance() would create one in batch mode, which fails headless)
        RoiManager manager = GraphicsEnvironment.isHeadless() ? null : RoiManager.getRawInstance();
        for (int i = 0; i < maps.size(); i++) {
            Rectangle r = HotRegion.box(maps.get(i), HotRegion.DEFAULT_FRACTION);
            boxes.add(r);
            if (r == null) {
                continue;
            }
            Roi roi = new Roi(r);
            roi.setName(BOX_NAME);
            roi.setStrokeColor(Color.YELLOW);
            position(imp, roi, planes.get(i));
            overlay.add(roi);
            if (planes.get(i) == ImagePlusImages.currentPlane(imp)) {
                imp.setRoi((Roi) roi.clone());
            }
            if (manager != null) {
                manager.addRoi((Roi) roi.clone());
            }
        }
        imp.setOverlay(overlay);
        return boxes;
    }

    /** The image's overlay without ROIs named {@code name} (a new one when it has none). */
    static Overlay remove(ImagePlus imp, String name) {
        Overlay overlay = imp.getOverlay() == null ? new Overlay() : imp.getOverlay();
        for (int i = overlay.size() - 1; i >= 0; i--) {
            if (name.equals(overlay.get(i).getName())) {
                overlay.remove(i);
            }
        }
        return overlay;
    }

    /** Shows {@code roi} on plane {@code plane} (0-based) only, when the image has several. */
    static void position(ImagePlus imp, Roi roi, int plane) {
        if (ImagePlusImages.planes(imp) == 1) {
            return;
        }
        if (imp.isHyperStack() || imp.getNChannels() > 1) {
            roi.setPosition(0, plane % imp.getNSlices() + 1, plane / imp.getNSlices() + 1);
        } else {
            roi.setPosition(plane + 1);
        }
    }

    /** The map through the colour map, as an RGB image. */
    public static ColorProcessor colour(MapImage map, ColorMap colors) {
        ColorProcessor cp = new ColorProcessor(map.width(), map.height());
        int[] px = (int[]) cp.getPixels();
        for (int i = 0; i < px.length; i++) {
            px[i] = colors.rgb(map.data()[i]);
        }
        return cp;
    }
}
