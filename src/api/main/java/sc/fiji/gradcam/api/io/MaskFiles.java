package sc.fiji.gradcam.api.io;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import sc.fiji.gradcam.api.Region;

/**
 * Region masks from files: a mask file (the same for every image), or a folder of masks named like the images —
 * {@code NAME.tif}, {@code NAME.tiff}, {@code NAME.png}, or the same with {@code _mask} after the name. A mask's
 * non-zero pixels are the region (its first plane; an ImageJ binary mask, a label image's foreground, a 0/1 PNG).
 */
public final class MaskFiles {

    private static final List<String> SUFFIXES = List.of("", "_mask");
    private static final List<String> EXTENSIONS = List.of(".tif", ".tiff", ".png");

    private MaskFiles() {}

    /**
     * The region for {@code image}: {@code region} itself unless it is {@link Region.Kind#MASK_FILES}, else the mask
     * read for that image.
     *
     * @throws IllegalArgumentException naming the missing or unreadable mask and the fix
     */
    public static Region regionFor(Region region, Path image) {
        if (region.kind() != Region.Kind.MASK_FILES) {
            return region;
        }
        Path source = region.source();
        Path file = Files.isDirectory(source) ? find(source, image) : source;
        return read(file);
    }

    /** Checks before a run that a mask file or folder exists. */
    public static void check(Region region) {
        if (region.kind() == Region.Kind.MASK_FILES && !Files.exists(region.source())) {
            throw new IllegalArgumentException("--mask " + region.source() + " does not exist. Fix: give a mask image "
                    + "or a folder of masks named like the images.");
        }
    }

    private static Path find(Path folder, Path image) {
        String base = ImageFiles.baseName(image);
        for (String s : SUFFIXES) {
            for (String e : EXTENSIONS) {
                Path p = folder.resolve(base + s + e);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("No mask for " + image.getFileName() + " in " + folder + ". Fix: add "
                + base + ".tif (or .png, or " + base + "_mask.tif) there.");
    }

    /** The non-zero pixels of a mask image. */
    public static Region read(Path file) {
        ImagePlus imp;
        try {
            imp = ImageFiles.open(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("The mask " + file + " cannot be read: " + e.getMessage()
                    + ". Fix: give a TIFF or PNG mask.", e);
        }
        ImageProcessor ip = imp.getStack().getProcessor(1);
        int w = ip.getWidth();
        int h = ip.getHeight();
        boolean[] m = new boolean[w * h];
        boolean any = false;
        for (int i = 0; i < m.length; i++) {
            m[i] = ip.getf(i) != 0;
            any |= m[i];
        }
        if (!any) {
            throw new IllegalArgumentException("The mask " + file + " has no non-zero pixel. Fix: draw the region in "
                    + "white (non-zero) on black.");
        }
        return Region.mask(m, w, h, file.getFileName().toString());
    }
}
