package sc.fiji.gradcam.api;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The pixels of a dense output ({@code [batch, y, x, channels]}) whose values the target adds up — or averages
 * ({@link Aggregate}) — for the explained channel, given in the <em>image's</em> pixel coordinates and mapped through
 * the model's resize, crop or pad exactly as the maps come back. pytorch-grad-cam's {@code SemanticSegmentationTarget}
 * and Captum's "sum over a segment" are this target.
 *
 * <ul>
 *   <li>{@link Kind#AUTO}: the model's own foreground for the channel: where it wins (several channels) or exceeds 0.5
 *       (one sigmoid channel); the whole output for one channel without an activation (a restoration or density
 *       model: the sum is its total, e.g. the count);
 *   <li>{@link Kind#WHOLE}: every output pixel;
 *   <li>{@link Kind#RECTANGLE}: {@code x, y, width, height} in image pixels ({@code --region x,y,w,h}, an ROI's
 *       bounds);
 *   <li>{@link Kind#MASK}: the non-zero pixels of an image-size mask ({@code --mask FILE}, an ROI's shape).
 * </ul>
 *
 * @param kind which of the above
 * @param x left edge (rectangle)
 * @param y top edge (rectangle)
 * @param width rectangle width, or the mask's width
 * @param height rectangle height, or the mask's height
 * @param mask the mask, {@code mask[y * width + x]} (null unless {@link Kind#MASK})
 * @param name what the region is called in outputs (an ROI's name, a mask file's name), or null
 */
public record Region(Kind kind, int x, int y, int width, int height, boolean[] mask, String name, Path source) {

    /** A region without a file behind it. */
    public Region(Kind kind, int x, int y, int width, int height, boolean[] mask, String name) {
        this(kind, x, y, width, height, mask, name, null);
    }

    /**
     * A mask file (the same for every image) or a folder of masks, one per image, named like the image
     * ({@code NAME.tif}, {@code NAME.png}, or {@code NAME_mask.*}); the batch reads each image's mask
     * ({@link sc.fiji.gradcam.api.io.MaskFiles}).
     */
    public static Region maskFiles(Path fileOrFolder) {
        return new Region(Kind.MASK_FILES, 0, 0, 0, 0, null, fileOrFolder.getFileName().toString(), fileOrFolder);
    }

    /** {@code MASK_FILES}: a mask file, or a folder of masks named like the images, read per image by the batch. */
    public enum Kind { AUTO, WHOLE, RECTANGLE, MASK, MASK_FILES }

    /** How the values in the region become one score. */
    public enum Aggregate {
        /** Σ over the region (pytorch-grad-cam's {@code SemanticSegmentationTarget}); default. */
        SUM,
        /** Σ over the region ÷ its pixel count. */
        MEAN;

        public String id() {
            return name().toLowerCase();
        }

        /** {@code sum} or {@code mean} (empty: sum). */
        public static Aggregate parse(String s) {
            String t = s == null ? "" : s.trim().toLowerCase();
            if (t.isEmpty() || t.equals("sum")) {
                return SUM;
            }
            if (t.equals("mean") || t.equals("average")) {
                return MEAN;
            }
            throw new IllegalArgumentException("Unknown aggregate '" + s + "'. Valid: sum, mean.");
        }
    }

    public Region {
        if (kind == Kind.RECTANGLE && (width <= 0 || height <= 0)) {
            throw new IllegalArgumentException("The region " + x + "," + y + "," + width + "," + height
                    + " is empty. Fix: give it as x,y,width,height with a positive width and height.");
        }
        if (kind == Kind.MASK && (mask == null || mask.length != (long) width * height)) {
            throw new IllegalArgumentException("A mask region needs width × height values.");
        }
    }

    public static Region auto() {
        return new Region(Kind.AUTO, 0, 0, 0, 0, null, null);
    }

    public static Region whole() {
        return new Region(Kind.WHOLE, 0, 0, 0, 0, null, null);
    }

    public static Region rectangle(int x, int y, int width, int height, String name) {
        return new Region(Kind.RECTANGLE, x, y, width, height, null, name);
    }

    /** The non-zero pixels of a {@code width × height} mask, {@code mask[y * width + x]}. */
    public static Region mask(boolean[] mask, int width, int height, String name) {
        return new Region(Kind.MASK, 0, 0, width, height, mask, name);
    }

    /** Parses {@code auto}, {@code all} / {@code whole}, or {@code x,y,width,height}. */
    public static Region parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase();
        if (t.isEmpty() || t.equals("auto")) {
            return auto();
        }
        if (t.equals("all") || t.equals("whole") || t.equals("image")) {
            return whole();
        }
        String[] p = t.split("\\s*,\\s*");
        if (p.length == 4) {
            try {
                return rectangle(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                        Integer.parseInt(p[3]), null);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("Invalid region '" + s + "'. Fix: write x,y,width,height in image pixels "
                + "(e.g. 10,20,64,64), auto (the model's foreground for the class) or all.");
    }

    /** Whether image pixel (px, py) of an image of {@code w × h} belongs to the region (AUTO: every pixel). */
    public boolean contains(int px, int py) {
        return switch (kind) {
            case AUTO, WHOLE -> true;
            case RECTANGLE -> px >= x && px < x + width && py >= y && py < y + height;
            case MASK -> px >= 0 && py >= 0 && px < width && py < height && mask[py * width + px];
            case MASK_FILES -> throw new IllegalStateException("mask files are read per image before explaining");
        };
    }

    /** The region in words, e.g. {@code x=10 y=20 64×64}, {@code mask 'nuclei.tif'}, {@code auto}. */
    public String describe() {
        String what = switch (kind) {
            case AUTO -> "auto";
            case WHOLE -> "all";
            case RECTANGLE -> x + "," + y + "," + width + "," + height;
            case MASK, MASK_FILES -> "mask";
        };
        return name == null ? what : what + " '" + name + "'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Region r && r.kind == kind && r.x == x && r.y == y && r.width == width
                && r.height == height && Arrays.equals(r.mask, mask) && java.util.Objects.equals(r.name, name)
                && java.util.Objects.equals(r.source, source);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, x, y, width, height, Arrays.hashCode(mask), name);
    }

    @Override
    public String toString() {
        return describe();
    }
}
