package sc.fiji.gradcam.explain;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;

/**
 * The CAM maps of an image explained in tiles, without holding the target layer's activations and gradients for the
 * whole image (issue G.4: memory bounded by one tile). The tiles' cores are visited in passes; each pass sees one
 * tile's layer values at a time and keeps only per-channel sums and the one-channel maps at layer resolution:
 * <ol>
 *   <li>Σ G, Σ A, Σ G·A per channel (Grad-CAM's, the counterfactual's and XGrad-CAM's weights), and the local maps
 *       HiResCAM {@code ReLU(Σ_k G A)} and LayerCAM {@code ReLU(Σ_k ReLU(G) A)} position by position;</li>
 *   <li>the weighted maps {@code ReLU(Σ_k w_k A^k)} of Grad-CAM, the counterfactual and XGrad-CAM, and Grad-CAM++'s
 *       weights (its alpha needs Σ A of the whole image first);</li>
 *   <li>Grad-CAM++'s map (only when asked for).</li>
 * </ol>
 * The formulas are {@link GradCam}'s and {@link CamVariants}'; only the order of the sums differs, so the maps equal
 * the stitched ones to rounding ({@code TiledDenseTest}). EigenCAM, EigenGrad-CAM and eigen smoothing need every
 * position at once (a principal axis) and are not offered here.
 */
final class TiledCams {

    /** The methods this class computes (plus Grad-CAM, always). */
    static final Set<Method> SUPPORTED = EnumSet.of(Method.GRADCAM, Method.COUNTERFACTUAL, Method.HIRESCAM,
            Method.LAYERCAM, Method.XGRADCAM, Method.GRADCAM_PLUSPLUS);

    private final Set<Method> methods;
    private final int width;
    private final int height;
    private final int channels;
    private final double[] sumG;
    private final double[] sumA;
    private final double[] sumGA;
    private final double[] plusPlus;
    private final Map<Method, float[]> maps = new LinkedHashMap<>();

    /** @param width, height, channels the whole image's layer size */
    TiledCams(Set<Method> asked, int width, int height, int channels) {
        this.methods = EnumSet.of(Method.GRADCAM);
        for (Method m : asked) {
            if (m.camLike()) {
                if (!SUPPORTED.contains(m)) {
                    throw new IllegalArgumentException(unsupported(m));
                }
                methods.add(m);
            }
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        sumG = new double[channels];
        sumA = new double[channels];
        sumGA = new double[channels];
        plusPlus = new double[channels];
        for (Method m : methods) {
            maps.put(m, new float[width * height]);
        }
    }

    static String unsupported(Method m) {
        return m.title() + " needs the target layer of the whole image at once";
    }

    /** How many passes over the tiles the asked methods take: 2, or 3 with Grad-CAM++. */
    int passes() {
        return methods.contains(Method.GRADCAM_PLUSPLUS) ? 3 : 2;
    }

    /** Whether pass {@code pass} (1-based) needs the layer's gradient (else only its activations). */
    boolean needsGradient(int pass) {
        return pass == 1 || pass == 2 && methods.contains(Method.GRADCAM_PLUSPLUS);
    }

    /**
     * One tile of pass {@code pass}: its layer activations {@code a} and gradient {@code g} (NHWC, {@code tw} wide,
     * the tile's top-left layer pixel at {@code (ox, oy)} of the whole layer), of which the core {@code [x0, x1) ×
     * [y0, y1)} (whole-layer coordinates) counts.
     */
    void visit(int pass, float[] a, float[] g, int tw, int ox, int oy, int x0, int y0, int x1, int y1) {
        int k = channels;
        double[] gradcam = pass == 2 ? gradCamWeights(false) : null;
        double[] counterfactual = pass == 2 && methods.contains(Method.COUNTERFACTUAL) ? gradCamWeights(true) : null;
        double[] xgrad = pass == 2 && methods.contains(Method.XGRADCAM) ? xGradCamWeights() : null;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int base = ((y - oy) * tw + (x - ox)) * k;
                int p = y * width + x;
                if (pass == 1) {
                    double hires = 0;
                    double layercam = 0;
                    for (int c = 0; c < k; c++) {
                        double gv = g[base + c];
                        double av = a[base + c];
                        sumG[c] += gv;
                        sumA[c] += av;
                        sumGA[c] += gv * av;
                        hires += gv * av;
                        layercam += Math.max(0, gv) * av;
                    }
                    put(Method.HIRESCAM, p, hires);
                    put(Method.LAYERCAM, p, layercam);
                } else if (pass == 2) {
                    put(Method.GRADCAM, p, dot(gradcam, a, base));
                    if (counterfactual != null) {
                        put(Method.COUNTERFACTUAL, p, dot(counterfactual, a, base));
                    }
                    if (xgrad != null) {
                        put(Method.XGRADCAM, p, dot(xgrad, a, base));
                    }
                    if (methods.contains(Method.GRADCAM_PLUSPLUS)) {
                        for (int c = 0; c < k; c++) {
                            plusPlus[c] += CamVariants.gradCamPlusPlusTerm(g[base + c], sumA[c]);
                        }
                    }
                } else {
                    put(Method.GRADCAM_PLUSPLUS, p, dot(plusPlus, a, base));
                }
            }
        }
    }

    private void put(Method m, int p, double value) {
        float[] map = maps.get(m);
        if (map != null) {
            map[p] = (float) Math.max(0, value);
        }
    }

    private double dot(double[] w, float[] a, int base) {
        double s = 0;
        for (int c = 0; c < channels; c++) {
            s += w[c] * a[base + c];
        }
        return s;
    }

    private double[] gradCamWeights(boolean counterfactual) {
        double positions = (double) width * height;
        double[] alpha = new double[channels];
        for (int c = 0; c < channels; c++) {
            alpha[c] = (counterfactual ? -1 : 1) * sumG[c] / positions;
        }
        return alpha;
    }

    private double[] xGradCamWeights() {
        double[] w = new double[channels];
        for (int c = 0; c < channels; c++) {
            w[c] = sumGA[c] / (sumA[c] + CamVariants.XGRADCAM_EPS);
        }
        return w;
    }

    /** The raw maps at layer resolution, in {@link Method} order (as {@link CamMaps#of} gives them). */
    Map<Method, MapImage> maps() {
        Map<Method, MapImage> out = new LinkedHashMap<>();
        for (Method m : Method.values()) {
            if (maps.containsKey(m)) {
                out.put(m, new MapImage(width, height, 1, maps.get(m)));
            }
        }
        return out;
    }
}
