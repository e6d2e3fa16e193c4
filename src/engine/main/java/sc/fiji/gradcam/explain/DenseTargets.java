package sc.fiji.gradcam.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import sc.fiji.gradcam.api.Prediction;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.TargetRegion;
import sc.fiji.gradcam.api.image.Geometry;

/**
 * The target of one image for a dense output ({@code [y, x, channels]} per image, channels last, after the model's
 * activation): which output pixels each channel is summed or averaged over, the channel ranking, and the region
 * weights fed to the score graph ({@link sc.fiji.gradcam.graph.ClassScore}).
 *
 * <p>Regions are given in image pixels and mapped through the model's geometry as the maps come back: output pixel
 * (u, v) has its centre at model position {@code ((u + ½) · modelWidth / width − ½, …)}, which {@link Geometry} places
 * in the image; it belongs to the region when the image pixel under it does. Output pixels over the padding of a
 * padded input are in no region. The automatic region of channel k is the model's own foreground: where k wins
 * (several channels), where it exceeds 0.5 (one sigmoid channel), everywhere (one channel without an activation:
 * a restoration or density model, whose sum is its total).
 */
final class DenseTargets {

    /**
     * One image's target.
     *
     * @param channel the explained channel
     * @param weights the region weights {@code [height, width, channels]} (÷ the region's size for a mean)
     * @param region what was summed, for outputs
     * @param ranking channels by their aggregated value over their own region, highest first
     */
    record Target(int channel, float[] weights, TargetRegion region, List<Prediction> ranking) {}

    private DenseTargets() {}

    /**
     * The target of one image.
     *
     * @param out the image's output after the activation, {@code out[(v * width + u) * channels + k]}
     * @param activation {@code Softmax}, {@code Sigmoid} or empty
     * @param requested the channel asked for, or -1 for automatic (the best-ranked channel that is not background)
     * @param g where the model input sits in the image
     * @param imageWidth the image's width (output pixels outside the image are in no region)
     */
    static Target of(float[] out, int height, int width, int channels, String activation, Region region,
            Region.Aggregate aggregate, int requested, Geometry g, int imageWidth, int imageHeight,
            IntFunction<String> label, boolean regression) {
        if (regression) {
            // a 1 × 1 "map": every value is its own target, the automatic one the first
            float[] weights = new float[channels];
            java.util.Arrays.fill(weights, 1f);
            List<Prediction> ranking = new ArrayList<>();
            for (int k = 0; k < channels; k++) {
                ranking.add(new Prediction(k, label.apply(k), out[k]));
            }
            int channel = requested >= 0 ? requested : 0;
            return new Target(channel, weights, new TargetRegion(region, aggregate, 1, 1, 1, out[channel],
                    "the regression value"), ranking);
        }
        int plane = height * width;
        // which output pixels lie over the image, and the image pixel under each
        int[] px = new int[width];
        int[] py = new int[height];
        for (int u = 0; u < width; u++) {
            px[u] = (int) Math.round(g.imageX((u + 0.5) * g.modelWidth() / width - 0.5));
        }
        for (int v = 0; v < height; v++) {
            py[v] = (int) Math.round(g.imageY((v + 0.5) * g.modelHeight() / height - 0.5));
        }
        boolean[] inside = new boolean[plane];
        boolean[] given = new boolean[plane];
        int givenCount = 0;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                int i = v * width + u;
                inside[i] = px[u] >= 0 && px[u] < imageWidth && py[v] >= 0 && py[v] < imageHeight;
                given[i] = inside[i] && region.contains(px[u], py[v]);
                givenCount += given[i] ? 1 : 0;
            }
        }
        String note = null;
        boolean explicit = region.kind() == Region.Kind.RECTANGLE || region.kind() == Region.Kind.MASK;
        if (explicit && givenCount == 0) {
            // smaller than an output pixel, or outside: the output pixel nearest to its centre
            int near = nearest(region, px, py, width, height, inside);
            given[near] = true;
            givenCount = 1;
            note = "smaller than one output pixel or outside the image: the nearest output pixel was used";
        }
        float[] weights = new float[plane * channels];
        long[] counts = new long[channels];
        double[] sums = new double[channels];
        boolean sigmoidOne = channels == 1 && activation.equals("Sigmoid");
        boolean everywhere = channels == 1 && !sigmoidOne;
        for (int i = 0; i < plane; i++) {
            int best = 0;
            if (channels > 1) {
                for (int k = 1; k < channels; k++) {
                    if (out[i * channels + k] > out[i * channels + best]) {
                        best = k;
                    }
                }
            }
            for (int k = 0; k < channels; k++) {
                boolean in = switch (region.kind()) {
                    case AUTO -> inside[i] && (everywhere || (sigmoidOne ? out[i] > 0.5f : best == k));
                    case WHOLE -> inside[i];
                    default -> given[i];
                };
                if (in) {
                    weights[i * channels + k] = 1f;
                    counts[k]++;
                    sums[k] += out[i * channels + k];
                }
            }
        }
        boolean[] fellBack = new boolean[channels];
        if (region.kind() == Region.Kind.AUTO) {
            for (int k = 0; k < channels; k++) {
                if (counts[k] == 0) {
                    // the channel wins nowhere: its region is the whole image
                    fellBack[k] = true;
                    for (int i = 0; i < plane; i++) {
                        if (inside[i]) {
                            weights[i * channels + k] = 1f;
                            counts[k]++;
                            sums[k] += out[i * channels + k];
                        }
                    }
                }
            }
        }
        List<Prediction> ranking = new ArrayList<>();
        for (int k = 0; k < channels; k++) {
            ranking.add(new Prediction(k, label.apply(k), counts[k] == 0 ? 0 : sums[k] / counts[k]));
        }
        ranking.sort(Comparator.comparingDouble((Prediction p) -> -p.probability()));
        int channel = requested >= 0 ? requested : automatic(ranking, channels, label);
        if (aggregate == Region.Aggregate.MEAN) {
            for (int k = 0; k < channels; k++) {
                float inv = counts[k] == 0 ? 0f : (float) (1.0 / counts[k]);
                for (int i = 0; i < plane; i++) {
                    weights[i * channels + k] *= inv;
                }
            }
        }
        if (region.kind() == Region.Kind.AUTO) {
            note = fellBack[channel] ? label.apply(channel) + " is the foreground nowhere: the whole image was used"
                    : everywhere ? "the whole output (one channel without an activation)"
                    : sigmoidOne ? "foreground: output > 0.5" : "foreground: where " + label.apply(channel) + " wins";
        }
        double value = aggregate == Region.Aggregate.MEAN ? (counts[channel] == 0 ? 0 : sums[channel] / counts[channel])
                : sums[channel];
        return new Target(channel, weights, new TargetRegion(region, aggregate, counts[channel], width, height, value,
                note), ranking);
    }

    /**
     * The automatic channel: the best-ranked one, except that channel 0 of a several-channel output is taken for the
     * background (the convention of segmentation networks) unless its label says otherwise.
     */
    private static int automatic(List<Prediction> ranking, int channels, IntFunction<String> label) {
        String zero = label.apply(0).trim().toLowerCase();
        boolean background = channels > 1 && (zero.startsWith("channel ") || zero.startsWith("class ")
                || zero.matches("(background|bg|back|none|other)s?"));
        for (Prediction p : ranking) {
            if (!(background && p.index() == 0)) {
                return p.index();
            }
        }
        return ranking.get(0).index();
    }

    private static int nearest(Region r, int[] px, int[] py, int width, int height, boolean[] inside) {
        double cx;
        double cy;
        if (r.kind() == Region.Kind.RECTANGLE) {
            cx = r.x() + (r.width() - 1) / 2.0;
            cy = r.y() + (r.height() - 1) / 2.0;
        } else {
            double sx = 0;
            double sy = 0;
            long n = 0;
            for (int y = 0; y < r.height(); y++) {
                for (int x = 0; x < r.width(); x++) {
                    if (r.mask()[y * r.width() + x]) {
                        sx += x;
                        sy += y;
                        n++;
                    }
                }
            }
            if (n == 0) {
                throw new IllegalArgumentException("The mask has no non-zero pixel. Fix: give a mask whose region "
                        + "pixels are non-zero (e.g. a binary image with the region white).");
            }
            cx = sx / n;
            cy = sy / n;
        }
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                double d = (px[u] - cx) * (px[u] - cx) + (py[v] - cy) * (py[v] - cy);
                if (d < bestD && inside[v * width + u]) {
                    bestD = d;
                    best = v * width + u;
                }
            }
        }
        return best;
    }
}
