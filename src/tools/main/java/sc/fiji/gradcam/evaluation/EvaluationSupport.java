package sc.fiji.gradcam.evaluation;

import ij.process.ByteProcessor;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;

/**
 * What the sections of the evaluation share: the maps they compare and small static helpers (maps of an
 * explanation per pixel, masks, normalisation, argmax, number formatting, logging).
 */
final class EvaluationSupport {

    static final double CENTRE_SIGMA = 0.25;
    static final String CONTROL = "control: class Uninfected, ";
    /** The Grad-CAM variants, from the same session run as Grad-CAM (same layer, same activations and gradients). */
    static final Method[] VARIANT_METHODS = java.util.Arrays.stream(Method.values()).filter(Method::isCamVariant)
            .toArray(Method[]::new);
    static final String[] VARIANTS = java.util.Arrays.stream(VARIANT_METHODS).map(Method::title).toArray(String[]::new);
    static final Set<Method> METHODS = methods();
    /** The maps of the montages and plots (the CAM variants are in the tables only). */
    static final String[] MAPS = {"Grad-CAM", "Guided Grad-CAM", "Guided Backprop"};
    /** Every map of the tables: Grad-CAM, its variants, the guided maps. */
    static final String[] ALL_MAPS = withVariants("Guided Grad-CAM", "Guided Backprop");

    private static Set<Method> methods() {
        Set<Method> m = EnumSet.of(Method.GRADCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM);
        m.addAll(List.of(VARIANT_METHODS));
        return m;
    }

    /** {@code Grad-CAM}, then every {@link #VARIANTS variant}, then {@code after}: the rows of a table. */
    static String[] withVariants(String... after) {
        List<String> rows = new java.util.ArrayList<>();
        rows.add("Grad-CAM");
        rows.addAll(List.of(VARIANTS));
        rows.addAll(List.of(after));
        return rows.toArray(String[]::new);
    }

    /** {@code a} then {@code b}. */
    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@link #withVariants()} with {@code prefix} before each: the rows of a control or comparison block. */
    static String[] prefixed(String prefix, String... after) {
        return java.util.Arrays.stream(withVariants(after)).map(r -> prefix + r).toArray(String[]::new);
    }

    private EvaluationSupport() {
    }

    /** The maps of an explanation as one value per pixel (guided maps: summed |value| over channels). */
    static Map<String, float[]> maps(Explanation e) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("Grad-CAM", e.maps().get(Method.GRADCAM).data());
        for (Method v : VARIANT_METHODS) {
            m.put(v.title(), e.maps().get(v).data());
        }
        m.put("Guided Grad-CAM", collapse(e.maps().get(Method.GUIDED_GRADCAM)));
        m.put("Guided Backprop", collapse(e.maps().get(Method.GUIDED_BACKPROP)));
        return m;
    }

    /** Sum of absolute values over channels. */
    public static float[] collapse(MapImage m) {
        int plane = m.width() * m.height();
        float[] out = new float[plane];
        for (int c = 0; c < m.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                out[i] += Math.abs(m.data()[c * plane + i]);
            }
        }
        return out;
    }

    static int classIndex(LoadedModel model, String label) {
        for (int i = 0; i < model.labels().size(); i++) {
            if (model.labels().get(i).equalsIgnoreCase(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException("The model " + model.dir() + " has no class '" + label + "' (labels: "
                + model.labels() + ")");
    }

    static boolean[] mask(ByteProcessor bp) {
        byte[] px = (byte[]) bp.getPixels();
        boolean[] m = new boolean[px.length];
        for (int i = 0; i < px.length; i++) {
            m[i] = px[i] != 0;
        }
        return m;
    }

    static boolean[] and(boolean[] a, boolean[] b) {
        boolean[] o = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] && b[i];
        }
        return o;
    }

    static float[] toFloat(boolean[] m) {
        float[] f = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            f[i] = m[i] ? 1 : 0;
        }
        return f;
    }

    static float[] normalise(float[] m) {
        float max = 0;
        for (float v : m) {
            max = Math.max(max, v);
        }
        float[] o = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            o[i] = max > 0 ? m[i] / max : 0;
        }
        return o;
    }

    /** The image in gray (so that the overlaid map's colours stand out). */
    static InputImage gray(InputImage im) {
        int n = im.width() * im.height();
        float[] d = new float[3 * n];
        for (int i = 0; i < n; i++) {
            float v = im.channels() == 3 ? (im.data()[i] + im.data()[n + i] + im.data()[2 * n + i]) / 3 : im.data()[i];
            d[i] = v;
            d[n + i] = v;
            d[2 * n + i] = v;
        }
        return new InputImage(im.width(), im.height(), 3, d, im.kind());
    }

    /** The (first) position of the map's maximum, {x, y}. */
    static double[] argmax(float[] m, int w) {
        int best = 0;
        for (int i = 1; i < m.length; i++) {
            if (m[i] > m[best]) {
                best = i;
            }
        }
        return new double[] {best % w, best / w};
    }

    static String fmt(double v, int decimals) {
        return Stat.f(v, decimals);
    }

    static void log(String s) {
        System.err.println("evaluate: " + s);
    }
}
