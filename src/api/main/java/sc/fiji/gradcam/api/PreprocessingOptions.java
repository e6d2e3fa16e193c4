package sc.fiji.gradcam.api;

import java.util.Optional;
import java.util.Properties;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.ResizeMode;

/**
 * User overrides of preprocessing; null fields fall back to the model folder's {@code gradcam.properties}
 * (keys {@code size}, {@code resize}, {@code range}, {@code percentiles}), then to the signature's input
 * size, {@code stretch}, the range the graph asks for ({@link ModelFacts#detectedInputRange()}: uint8 input,
 * Rescaling inside)
 * and {@code 0:1}.
 *
 * @param size {@code WxH}
 * @param resize {@code stretch}, {@code crop} or {@code pad}
 * @param range {@code MIN:MAX}
 * @param percentiles {@code LOW:HIGH} for 16-bit and float images
 */
public record PreprocessingOptions(String size, String resize, String range, String percentiles) {

    public static PreprocessingOptions none() {
        return new PreprocessingOptions(null, null, null, null);
    }

    public PreprocessingOptions withResize(String r) {
        return new PreprocessingOptions(size, r, range, percentiles);
    }

    /**
     * Checks the values given (size, resize, range, percentiles) without a model, so that a bad one stops a run
     * before anything is loaded or written; throws {@link IllegalArgumentException} naming the value and the fix.
     */
    public PreprocessingOptions check() {
        if (first(size) != null) {
            Preprocessing.parseSize(first(size));
        }
        if (first(resize) != null) {
            ResizeMode.parse(first(resize));
        }
        if (first(range) != null) {
            Preprocessing.parseRange(first(range));
        }
        if (first(percentiles) != null) {
            double[] p = Preprocessing.parseRange(first(percentiles));
            if (p[0] < 0 || p[1] > 100) {
                throw new IllegalArgumentException("Invalid percentiles '" + percentiles + "': both must lie in 0..100. "
                        + "Fix: e.g. 1:99.8.");
            }
        }
        return this;
    }

    /** The preprocessing for {@code model}. */
    public Preprocessing resolve(ModelFacts model) {
        InputRange r = inputRange(model);
        return resolve(model.properties(), model.imageShape(), new double[] {r.min(), r.max()});
    }

    /**
     * The input value range for {@code model} and its source: this option, else {@code range=} in
     * {@code gradcam.properties}, else what the graph asks for, else {@code 0:1}.
     */
    public InputRange inputRange(ModelFacts model) {
        String given = first(range);
        if (given != null) {
            double[] r = Preprocessing.parseRange(given);
            return new InputRange(r[0], r[1], InputRange.OPTION, "given as an option");
        }
        String saved = first(model.properties().getProperty("range"));
        if (saved != null) {
            double[] r;
            try {
                r = Preprocessing.parseRange(saved);
            } catch (IllegalArgumentException e) {
                throw new ModelException("range=" + saved + " in " + model.dir().resolve(ModelFacts.PROPERTIES)
                        + " is not a range.", "write it as MIN:MAX, e.g. range=0:1, -1:1 or 0:255.");
            }
            return new InputRange(r[0], r[1], InputRange.PROPERTIES, "range=" + saved + " in gradcam.properties");
        }
        Optional<InputRange> detected = model.detectedInputRange();
        if (detected.isPresent()) {
            return detected.get();
        }
        return new InputRange(0, 1, InputRange.DEFAULT, "no range given and none found in the graph");
    }

    /**
     * The preprocessing for a model with the given {@code gradcam.properties} values and NHWC input shape
     * (-1 for free dimensions); without a graph the range is this option's, the properties' or 0:1. The trainer
     * uses this too (its models say range= in gradcam.properties), so that a model is trained on exactly what
     * the explainer feeds it.
     */
    public Preprocessing resolve(Properties p, long[] shape) {
        return resolve(p, shape, Preprocessing.parseRange(first(range, p.getProperty("range"), "0:1")));
    }

    private Preprocessing resolve(Properties p, long[] shape, double[] r) {
        int[] wh;
        String sizeText = first(size, p.getProperty("size"));
        if (sizeText != null) {
            wh = Preprocessing.parseSize(sizeText);
        } else if (shape[1] > 0 && shape[2] > 0) {
            wh = new int[] {(int) shape[2], (int) shape[1]};
        } else {
            // a free input size (a fully convolutional model): each image at its own size, rounded up to the step
            wh = new int[] {0, 0};
        }
        if (wh[0] > 0 && shape[1] > 0 && shape[2] > 0 && (wh[0] != shape[2] || wh[1] != shape[1])) {
            throw new ModelException("The size " + wh[0] + "x" + wh[1] + " does not fit the model's input "
                    + shape[2] + "x" + shape[1] + ".", "leave the size unset (auto) or use " + shape[2] + "x" + shape[1] + ".");
        }
        int channels = shape[3] > 0 ? (int) shape[3] : Integer.parseInt(p.getProperty("channels.count", "3"));
        ResizeMode mode = ResizeMode.parse(first(resize, p.getProperty("resize"), "stretch"));
        String pct = first(percentiles, p.getProperty("percentiles"));
        double lo = Preprocessing.DEFAULT_LOW_PERCENTILE;
        double hi = Preprocessing.DEFAULT_HIGH_PERCENTILE;
        if (pct != null) {
            double[] lh = Preprocessing.parseRange(pct);
            lo = lh[0];
            hi = lh[1];
        }
        // percentiles for 8-bit gray images too (a BioImage.IO package's scale_range), else they use 0-255
        boolean all8 = Boolean.parseBoolean(p.getProperty("percentiles.8bit", "false").trim());
        // the model applies its own preprocessing to the image (a BioImage.IO package): values pass unchanged
        boolean raw = Boolean.parseBoolean(p.getProperty("preprocessing.own", "false").trim()) && first(range) == null
                && first(percentiles) == null;
        if (wh[0] == 0) {
            String step = p.getProperty("size.step", String.valueOf(Preprocessing.DEFAULT_STEP)).trim();
            int s;
            try {
                s = Integer.parseInt(step);
            } catch (NumberFormatException e) {
                s = -1;
            }
            if (s <= 0) {
                throw new ModelException("size.step=" + step + " in gradcam.properties is not a positive integer.",
                        "write the multiple the model's input size must have, e.g. size.step=16.");
            }
            return new Preprocessing(0, 0, channels, ResizeMode.NONE, raw ? 0 : r[0], raw ? 1 : r[1], lo, hi, s,
                    all8, raw);
        }
        return new Preprocessing(wh[0], wh[1], channels, mode, raw ? 0 : r[0], raw ? 1 : r[1], lo, hi, 1, all8, raw);
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
