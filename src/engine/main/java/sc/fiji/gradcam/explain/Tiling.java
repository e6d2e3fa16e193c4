package sc.fiji.gradcam.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import sc.fiji.gradcam.api.image.Preprocessing;

/**
 * How a dense model with a free input size meets an image larger than one tile: square cores of {@code core} pixels
 * (model input coordinates), each run with {@code 2 · halo} more input on every side and a target restricted to the
 * core plus {@code halo}. With a halo at least the receptive field's radius, every map is then exact on each core:
 * the outputs the core's gradients need all lie in the core ± halo, and each of those sees its whole receptive field
 * inside the tile. Maps are stitched from the cores, so the result equals the untiled one ({@code TiledDenseTest}).
 *
 * @param core core side in model input pixels (a multiple of the size step)
 * @param halo halo in model input pixels (a multiple of the size step)
 */
record Tiling(int core, int halo, int fixedWidth, int fixedHeight) {

    /** Tiles of any size (a model with a free input size). */
    Tiling(int core, int halo) {
        this(core, halo, 0, 0);
    }

    /**
     * Tiles of exactly the model's fixed input size: cores of {@code size − 4 · halo}, each tile's extent shifted inward
     * at the image's edges so that it stays {@code width × height}.
     */
    static Tiling fixed(Properties p, int width, int height, int step) {
        int h = up(parse(p, "halo", DEFAULT_HALO), Math.max(1, step));
        int core = Math.min(width, height) - 4 * h;
        if (core < Math.max(1, step)) {
            throw new IllegalArgumentException("The model's input (" + width + "×" + height + ") is too small for "
                    + "tiles with a halo of " + h + " pixels (the cores would be empty). Fix: set a smaller halo= in "
                    + "gradcam.properties, or resize=stretch to resize the image to the input instead.");
        }
        return new Tiling(core / Math.max(1, step) * Math.max(1, step), h, width, height);
    }

    /** Default core side: images up to this size (after rounding to the step) go in whole. */
    static final int DEFAULT_TILE = 1024;
    /** Default halo: the receptive-field radius of a U-Net of depth 2–3 (CSBDeep's CARE uses 22). */
    static final int DEFAULT_HALO = 32;

    /** One tile: its core and its extent, {@code [x0, x1) × [y0, y1)} in model input pixels. */
    record Tile(int cx0, int cy0, int cx1, int cy1, int ex0, int ey0, int ex1, int ey1) {
        int width() {
            return ex1 - ex0;
        }

        int height() {
            return ey1 - ey0;
        }
    }

    /** {@code tile=} and {@code halo=} of gradcam.properties, rounded up to the preprocessing's step. */
    static Tiling of(Properties p, Preprocessing pre) {
        int step = Math.max(1, pre.step());
        int t = parse(p, "tile", DEFAULT_TILE);
        int h = parse(p, "halo", DEFAULT_HALO);
        return new Tiling(up(t, step), up(h, step));
    }

    private static int parse(Properties p, String key, int fallback) {
        String v = p.getProperty(key, "").trim();
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new sc.fiji.gradcam.api.ModelException(key + "=" + v + " in gradcam.properties is not a non-negative "
                + "integer.", "write the " + (key.equals("tile") ? "tile side" : "halo") + " in pixels, e.g. " + key
                + "=" + fallback + ".");
    }

    private static int up(int n, int step) {
        return Math.max(step, (n + step - 1) / step * step);
    }

    /** Whether a model input of {@code width × height} needs more than one tile. */
    boolean needed(int width, int height) {
        return fixedWidth > 0 ? width > fixedWidth || height > fixedHeight : width > core || height > core;
    }

    /** The tiles of a model input of {@code width × height}, row by row. */
    List<Tile> tiles(int width, int height) {
        List<Tile> out = new ArrayList<>();
        for (int y = 0; y < height; y += core) {
            for (int x = 0; x < width; x += core) {
                int x1 = Math.min(width, x + core);
                int y1 = Math.min(height, y + core);
                if (fixedWidth > 0) {
                    // exactly the model's size, as centred on the core as the image allows
                    int ex0 = Math.max(0, Math.min(width - fixedWidth, x - 2 * halo));
                    int ey0 = Math.max(0, Math.min(height - fixedHeight, y - 2 * halo));
                    out.add(new Tile(x, y, x1, y1, ex0, ey0, ex0 + fixedWidth, ey0 + fixedHeight));
                } else {
                    out.add(new Tile(x, y, x1, y1, Math.max(0, x - 2 * halo), Math.max(0, y - 2 * halo),
                            Math.min(width, x1 + 2 * halo), Math.min(height, y1 + 2 * halo)));
                }
            }
        }
        return out;
    }

    /** Copies {@code [x0, x1) × [y0, y1)} of an NHWC plane of width {@code w} and {@code c} channels. */
    static float[] crop(float[] v, int w, int c, int x0, int y0, int x1, int y1) {
        int cw = x1 - x0;
        float[] out = new float[cw * (y1 - y0) * c];
        for (int y = y0; y < y1; y++) {
            System.arraycopy(v, (y * w + x0) * c, out, ((y - y0) * cw) * c, cw * c);
        }
        return out;
    }

    /**
     * Pastes the part {@code [x0, x1) × [y0, y1)} (coordinates of the destination, of width {@code w}) of a tile whose
     * top-left corner is at {@code (ox, oy)} and whose width is {@code tw}.
     */
    static void paste(float[] tile, int tw, int ox, int oy, float[] dst, int w, int c, int x0, int y0, int x1,
            int y1) {
        for (int y = y0; y < y1; y++) {
            System.arraycopy(tile, ((y - oy) * tw + (x0 - ox)) * c, dst, (y * w + x0) * c, (x1 - x0) * c);
        }
    }
}
