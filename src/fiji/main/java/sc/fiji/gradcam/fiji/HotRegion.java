package sc.fiji.gradcam.fiji;

import java.awt.Rectangle;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.image.BinaryMasks;

/** The bounding box of a map's largest hot region: pixels above a fraction of the maximum, 8-connected. */
public final class HotRegion {

    /** Default threshold: 15% of the map's maximum. */
    public static final double DEFAULT_FRACTION = 0.15;

    private HotRegion() {}

    /** The box of the largest 8-connected component above {@code fraction × max}; null for an empty map. */
    public static Rectangle box(MapImage map, double fraction) {
        int w = map.width();
        int h = map.height();
        float[] v = map.data();
        double max = map.max();
        if (!(max > 0)) {
            return null;
        }
        double threshold = fraction * max;
        boolean[] above = new boolean[w * h];
        for (int i = 0; i < above.length; i++) {
            above[i] = v[i] > threshold;
        }
        int[] box = BinaryMasks.bounds(BinaryMasks.largest(above, w, h), w);
        return box == null ? null : new Rectangle(box[0], box[1], box[2], box[3]);
    }
}
