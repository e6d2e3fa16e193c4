package sc.fiji.gradcam.fiji;

import ij.ImagePlus;
import java.util.List;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * The map images of an ImageJ image, as the Grad-CAM command shows them. The conversions themselves (planes
 * to the core's images, maps to 32-bit images with LUT and calibration) are {@link ImagePlusImages}'s, shared
 * with the files the batch and the CLI write.
 */
public final class ImagePlusConverter {

    private ImagePlusConverter() {}

    /**
     * One method's maps (one per plane) as an image titled {@code "<method> [<class>] of <title>"}, with
     * the source's spatial calibration. Grad-CAM family (with the CAM variants): Fire, display 0..1; gradients: gray,
     * symmetric
     * display range, channels as a composite (the same as the batch's and the CLI's TIFFs).
     */
    public static ImagePlus toImagePlus(List<MapImage> maps, Method method, String className, ImagePlus source) {
        return ImagePlusImages.toImagePlus(maps, method, ImagePlusImages.mapTitle(method, className,
                source.getTitle()), source.getCalibration());
    }
}
