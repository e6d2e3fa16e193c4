package sc.fiji.gradcam.api;

import java.util.ArrayList;
import java.util.List;
import sc.fiji.gradcam.api.image.InputImage;

/**
 * A classifier over an image larger than its input: windows of {@code window × window} image pixels every
 * {@code stride} pixels (the last row and column flush with the image's edges), each explained on its own, give a
 * class-probability map and a stitched Grad-CAM — the slide-level heatmap of pathology. Each image pixel holds the
 * mean over the windows that cover it: of the target class's probability, and of the windows' unnormalised Grad-CAM
 * (each window's map × its raw maximum, so that windows keep their relative strength); the stitched map is then divided
 * by its maximum. The target class is the same for every window: the one asked for, or ({@code auto}) the class that
 * is top-1 in most windows. Windows go through the explainer in batches, as views of the image (nothing is copied);
 * 16-bit and float windows are scaled by their own percentiles, like separate images.
 */
public final class SlidingWindow {

    /**
     * The result.
     *
     * @param target the class explained in every window
     * @param probability the target's mean window probability per image pixel
     * @param gradcam the stitched Grad-CAM, in [0, 1] (null when Grad-CAM was not asked for)
     * @param windows one entry per window: its corner and the target's probability there
     * @param window the window side in image pixels
     * @param stride the step between windows
     */
    public record Result(Prediction target, MapImage probability, MapImage gradcam, List<Window> windows, int window,
            int stride) {}

    /** One window: its top-left corner and the target class's probability in it. */
    public record Window(int x, int y, double probability) {}

    private SlidingWindow() {}

    /** The window corners along an axis of {@code length}: every {@code stride}, the last flush with the end. */
    static List<Integer> corners(int length, int window, int stride) {
        List<Integer> out = new ArrayList<>();
        if (length <= window) {
            out.add(0);
            return out;
        }
        for (int x = 0; x + window <= length; x += stride) {
            out.add(x);
        }
        if (out.get(out.size() - 1) + window < length) {
            out.add(length - window);
        }
        return out;
    }

    /**
     * Runs the windows of {@code image}. {@code request}'s first target is the class ({@code auto}: the most frequent
     * top-1); Grad-CAM is stitched when the request has it.
     *
     * @throws IllegalArgumentException for a window or stride below 1, or a window larger than the image
     */
    public static Result run(ModelExplainer explainer, InputImage image, ExplainRequest request, int window,
            int stride) {
        if (window < 1 || stride < 1) {
            throw new IllegalArgumentException("The window (" + window + ") and stride (" + stride + ") must be at "
                    + "least 1 pixel. Fix: e.g. --window 96 --stride 48.");
        }
        if (window > image.width() || window > image.height()) {
            throw new IllegalArgumentException("The window (" + window + " px) is larger than the image ("
                    + image.width() + "×" + image.height() + "). Fix: explain the image itself, or a smaller window.");
        }
        List<int[]> corners = new ArrayList<>();
        for (int y : corners(image.height(), window, stride)) {
            for (int x : corners(image.width(), window, stride)) {
                corners.add(new int[] {x, y});
            }
        }
        String target = request.targets().isEmpty() ? "auto" : request.targets().get(0);
        if (target.isBlank() || target.equalsIgnoreCase("auto") || target.equalsIgnoreCase("top1")) {
            // the class that wins most windows (predictions only)
            int[] votes = new int[Math.max(1, explainer.info().classes())];
            forEach(explainer, image, corners, window, request.withMethods(java.util.EnumSet.noneOf(Method.class))
                    .withTargets(List.of("auto")), (k, e) -> votes[e.predicted().index()]++);
            int best = 0;
            for (int c = 1; c < votes.length; c++) {
                if (votes[c] > votes[best]) {
                    best = c;
                }
            }
            target = String.valueOf(best);
        }
        boolean cam = request.methods().contains(Method.GRADCAM);
        ExplainRequest each = request.withTargets(List.of(target)).withMethods(cam
                ? java.util.EnumSet.of(Method.GRADCAM) : java.util.EnumSet.noneOf(Method.class));
        int w = image.width();
        int h = image.height();
        float[] prob = new float[w * h];
        float[] map = cam ? new float[w * h] : null;
        float[] count = new float[w * h];
        List<Window> windows = new ArrayList<>();
        Prediction[] chosen = new Prediction[1];
        forEach(explainer, image, corners, window, each, (k, e) -> {
            int x0 = corners.get(k)[0];
            int y0 = corners.get(k)[1];
            chosen[0] = e.target();
            double p = e.target().probability();
            windows.add(new Window(x0, y0, p));
            MapImage m = cam ? e.maps().get(Method.GRADCAM) : null;
            double scale = cam ? e.rawMax() : 0;
            for (int y = 0; y < window; y++) {
                for (int x = 0; x < window; x++) {
                    int i = (y0 + y) * w + x0 + x;
                    prob[i] += (float) p;
                    count[i] += 1;
                    if (m != null) {
                        map[i] += (float) (m.data()[y * window + x] * scale);
                    }
                }
            }
        });
        float max = 0;
        for (int i = 0; i < prob.length; i++) {
            prob[i] /= count[i];
            if (map != null) {
                map[i] /= count[i];
                max = Math.max(max, map[i]);
            }
        }
        if (map != null && max > 0) {
            for (int i = 0; i < map.length; i++) {
                map[i] /= max;
            }
        }
        return new Result(chosen[0], new MapImage(w, h, 1, prob), map == null ? null : new MapImage(w, h, 1, map),
                List.copyOf(windows), window, stride);
    }

    private interface Each {
        void accept(int index, Explanation e);
    }

    private static void forEach(ModelExplainer explainer, InputImage image, List<int[]> corners, int window,
            ExplainRequest request, Each each) {
        int c = image.channels();
        int w = image.width();
        for (int start = 0; start < corners.size(); start += ModelExplainer.MAX_BATCH) {
            List<InputImage> views = new ArrayList<>();
            int end = Math.min(corners.size(), start + ModelExplainer.MAX_BATCH);
            for (int k = start; k < end; k++) {
                int x0 = corners.get(k)[0];
                int y0 = corners.get(k)[1];
                views.add(InputImage.view(window, window, c, image.kind(),
                        (ch, index) -> image.at(ch, (y0 + index / window) * w + x0 + index % window)));
            }
            List<List<Explanation>> out = explainer.explain(views, request);
            for (int k = start; k < end; k++) {
                each.accept(k, out.get(k - start).get(0));
            }
        }
    }
}
