package sc.fiji.gradcam.fiji;

import ij.ImagePlus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.io.ExplainedImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * The explanations of an ImageJ image's planes (one target each), with the maps as ImgLib2 and ImageJ
 * images: one map per plane, stacked along the last axis when there are several.
 *
 * @param image the explained image
 * @param planes 0-based plane indices, in order
 * @param explanations one per plane
 */
public record ImageExplanation(ImagePlus image, List<Integer> planes, List<Explanation> explanations) {

    /** Explains the current plane, or every plane; {@code progress} gets (done, total). */
    public static ImageExplanation explain(ModelExplainer explainer, ImagePlus image, ExplainRequest request,
            boolean allPlanes, BiConsumer<Integer, Integer> progress) {
        List<Integer> planes = new ArrayList<>();
        if (allPlanes) {
            for (int p = 0; p < ImagePlusImages.planes(image); p++) {
                planes.add(p);
            }
        } else {
            ImagePlusImages.check(image);
            planes.add(ImagePlusImages.currentPlane(image));
        }
        List<Explanation> out = new ArrayList<>();
        for (int start = 0; start < planes.size(); start += ModelExplainer.MAX_BATCH) {
            var inputs = planes.subList(start, Math.min(planes.size(), start + ModelExplainer.MAX_BATCH)).stream()
                    .map(p -> ImagePlusImages.plane(image, p)).toList();
            explainer.explain(inputs, request).forEach(perTarget -> out.add(perTarget.get(0)));
            progress.accept(out.size(), planes.size());
        }
        return new ImageExplanation(image, List.copyOf(planes), List.copyOf(out));
    }

    public Explanation first() {
        return explanations.get(0);
    }

    /** Methods that produced maps. */
    public List<Method> methods() {
        return List.copyOf(first().maps().keySet());
    }

    /** The method's map of each plane; empty when it was not computed. */
    public List<MapImage> maps(Method m) {
        return ExplainedImage.maps(explanations, m);
    }

    /** The method's maps as one image [x, y(, c)(, plane)]; null when it was not computed. */
    public Img<FloatType> img(Method m) {
        List<MapImage> maps = maps(m);
        if (maps.isEmpty()) {
            return null;
        }
        MapImage f = maps.get(0);
        if (maps.size() == 1) {
            return f.img();
        }
        float[] all = new float[f.data().length * maps.size()];
        for (int i = 0; i < maps.size(); i++) {
            System.arraycopy(maps.get(i).data(), 0, all, i * f.data().length, f.data().length);
        }
        return f.channels() == 1 ? ArrayImgs.floats(all, f.width(), f.height(), maps.size())
                : ArrayImgs.floats(all, f.width(), f.height(), f.channels(), maps.size());
    }

    /** The method's maps as an ImageJ image; null when it was not computed. */
    public ImagePlus imagePlus(Method m) {
        List<MapImage> maps = maps(m);
        return maps.isEmpty() ? null : ImagePlusConverter.toImagePlus(maps, m, targetName(), image);
    }

    /** The target's label, or {@code auto} when planes have different targets. */
    public String targetName() {
        String name = ExplainedImage.targetName(explanations);
        var region = first().region();
        return region == null || region.asked().name() == null ? name : name + " @ " + region.asked().name();
    }

    /** The Grad-CAM-like map to overlay: Grad-CAM, else the counterfactual, else a CAM variant, else none. */
    public Method overlayMethod() {
        return ExplainedImage.overlayMethod(methods());
    }

    /** What {@link sc.fiji.gradcam.api.io.ExplanationWriter} writes of it, as the files of {@code file}. */
    public ExplainedImage toExplainedImage(Path file) {
        return new ExplainedImage(file, ImageFiles.baseName(file), ImagePlusImages.plane(image, planes.get(0)),
                image.getCalibration(), planes, explanations);
    }
}
