package sc.fiji.gradcam.api;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * A 32-bit map, planar ({@code data[c * width * height + y * width + x]}), viewable as an ImgLib2
 * image without copying: dimensions [x, y] for one channel, [x, y, c] for several.
 */
public record MapImage(int width, int height, int channels, float[] data) {

    public ArrayImg<FloatType, FloatArray> img() {
        return channels == 1 ? ArrayImgs.floats(data, width, height) : ArrayImgs.floats(data, width, height, channels);
    }

    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            m = Math.max(m, v);
        }
        return m;
    }

    public float get(int x, int y, int c) {
        return data[(c * height + y) * width + x];
    }
}
