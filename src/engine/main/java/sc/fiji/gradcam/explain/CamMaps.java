package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;

/**
 * The raw CAM-like maps of one input of a {@link BatchRun}, at feature resolution ({@code [h, w]}), from the target
 * layer's activations and gradient: Grad-CAM always (the raw map, the empty-map note and Guided Grad-CAM need it), the
 * counterfactual and the CAM variants when asked for, in {@link Method} order; each eigen-smoothed when asked
 * ({@link GradCam}, {@link CamVariants}). Score-CAM and Ablation-CAM run the model once per channel of the layer for
 * their weights ({@link ScoreCam}, {@link AblationCam}); their forward passes count in their own timing.
 */
final class CamMaps {

    private CamMaps() {}

    /**
     * The maps of row {@code row} of {@code f}, whose model inputs and classes are in {@code inputs}; each method's
     * time is added to its entry of {@code timings}.
     */
    static Map<Method, MapImage> of(BatchRun.Fetched f, int row, Layer layer, Set<Method> methods,
            boolean eigenSmooth, Perturbation inputs, Map<String, Double> timings) {
        DataLayout layout = layer.layout();
        long[] feature = layout.toNhwc(f.layerShape());
        int fh = (int) feature[1];
        int fw = (int) feature[2];
        int fc = (int) feature[3];
        float[] a = f.activations();
        float[] dA = f.layerGradient();
        Map<Method, MapImage> maps = new LinkedHashMap<>();
        for (Method m : Method.values()) {
            if (!m.camLike() || !(m == Method.GRADCAM || methods.contains(m))) {
                continue;
            }
            long s = System.nanoTime();
            float[] map = switch (m) {
                case GRADCAM, COUNTERFACTUAL -> GradCam.compute(a, dA, row, fh, fw, fc, layout,
                        m == Method.COUNTERFACTUAL, eigenSmooth);
                case SCORECAM -> GradCam.map(a, row * fh * fw * fc, fh * fw, fc, layout,
                        ScoreCam.weights(inputs, row, a, fh, fw, fc, layout), eigenSmooth);
                case ABLATIONCAM -> GradCam.map(a, row * fh * fw * fc, fh * fw, fc, layout,
                        AblationCam.weights(inputs, row, layer, f, fh, fw, fc, layout), eigenSmooth);
                default -> CamVariants.compute(m, a, dA, row, fh, fw, fc, layout, eigenSmooth);
            };
            maps.put(m, new MapImage(fw, fh, 1, map));
            timings.merge(m.id(), (System.nanoTime() - s) / 1e6, Double::sum);
        }
        return maps;
    }
}
