package sc.fiji.gradcam.evaluation;

import sc.fiji.gradcam.api.image.BinaryMasks;

import java.util.Arrays;
import sc.fiji.gradcam.api.image.InputImage;

/**
 * A simple colour threshold for Giemsa-stained malaria parasite chromatin in a single-cell crop of the
 * NIH/NLM dataset (RGB, 0–255, cell on a black background).
 *
 * <ol>
 *   <li>Cell: pixels with max(R, G, B) &gt; {@value #BACKGROUND_MAX} (the background is black), largest
 *       component, holes filled. Interior: the cell eroded by {@value #RIM} px, because the cell's rim is
 *       dark and reddish where it blends into the black background.</li>
 *   <li>Chromatin: interior pixels whose green value is at most {@value #DARK} × the cell's median green
 *       (dark: Giemsa chromatin absorbs green strongly), and whose red and blue both exceed green by at least
 *       {@value #PURPLE} (purple/magenta, which excludes gray debris and black specks), in 8-connected
 *       components of at least {@value #MIN_SIZE} px.</li>
 * </ol>
 * Relative to the cell's own median, so it follows the staining differences between slides.
 */
public final class ParasiteSegmentation {

    public static final int BACKGROUND_MAX = 30;
    public static final int RIM = 3;
    public static final double DARK = 0.6;
    public static final int PURPLE = 30;
    public static final int MIN_SIZE = 3;

    /** The cell (foreground) and the chromatin mask, row-major at the image's size. */
    public record Result(int width, int height, boolean[] cell, boolean[] parasite, double medianGreen) {

        public boolean found() {
            return Metrics.fraction(parasite) > 0;
        }
    }

    private ParasiteSegmentation() {}

    public static Result segment(InputImage rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("Needs an RGB image, got " + rgb.channels() + " channels");
        }
        int w = rgb.width();
        int h = rgb.height();
        int n = w * h;
        float[] d = rgb.data();
        boolean[] fg = new boolean[n];
        for (int i = 0; i < n; i++) {
            fg[i] = Math.max(d[i], Math.max(d[n + i], d[2 * n + i])) > BACKGROUND_MAX;
        }
        boolean[] cell = BinaryMasks.fillHoles(BinaryMasks.largest(fg, w, h), w, h);
        boolean[] interior = BinaryMasks.erode(cell, w, h, RIM);
        float[] greens = new float[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (interior[i]) {
                greens[k++] = d[n + i];
            }
        }
        if (k == 0) {
            return new Result(w, h, cell, new boolean[n], Double.NaN);
        }
        float[] g = Arrays.copyOf(greens, k);
        Arrays.sort(g);
        double median = g[k / 2];
        boolean[] parasite = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (!interior[i]) {
                continue;
            }
            float r = d[i];
            float gr = d[n + i];
            float b = d[2 * n + i];
            parasite[i] = gr <= DARK * median && r - gr >= PURPLE && b - gr >= PURPLE;
        }
        return new Result(w, h, cell, BinaryMasks.removeSmall(parasite, w, h, MIN_SIZE), median);
    }
}
