package sc.fiji.gradcam.api.io;

import ij.measure.Calibration;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;

/**
 * An image file's explanations for one target, one per explained plane, as {@link ExplanationWriter} writes them.
 *
 * @param file the image file (its name titles the maps and fills the CSV's file column)
 * @param name the base name of the output files, e.g. {@code cell-07} or {@code cell-07.ring}
 * @param firstPlane the first explained plane: the background of the overlay PNG
 * @param calibration the image's spatial calibration, given to the image-size maps (null: none)
 * @param planes 0-based plane indices, in order
 * @param explanations one per plane
 */
public record ExplainedImage(Path file, String name, InputImage firstPlane, Calibration calibration,
        List<Integer> planes, List<Explanation> explanations) {

    public ExplainedImage {
        if (explanations.isEmpty() || planes.size() != explanations.size()) {
            throw new IllegalArgumentException(planes.size() + " planes for " + explanations.size() + " explanations");
        }
        planes = List.copyOf(planes);
        explanations = List.copyOf(explanations);
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
        return maps(explanations, m);
    }

    /** The method's map of each explanation; empty when it was not computed. */
    public static List<MapImage> maps(List<Explanation> explanations, Method m) {
        return explanations.get(0).maps().containsKey(m) ? explanations.stream().map(e -> e.maps().get(m)).toList()
                : List.of();
    }

    /** The target's label, or {@code auto} when planes have different targets. */
    public static String targetName(List<Explanation> explanations) {
        String t = explanations.get(0).target().label();
        return explanations.stream().allMatch(e -> e.target().label().equals(t)) ? t : "auto";
    }

    /**
     * The Grad-CAM-like map shown over the image: Grad-CAM, else the counterfactual, else the first CAM variant
     * (in {@link Method}'s order: Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, EigenCAM, EigenGrad-CAM, Score-CAM,
     * Ablation-CAM), else none (null).
     */
    public static Method overlayMethod(Collection<Method> methods) {
        for (Method m : Method.values()) {
            if (m.camLike() && methods.contains(m)) {
                return m;
            }
        }
        return null;
    }
}
