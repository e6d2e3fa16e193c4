package sc.fiji.gradcam.api.batch;

import ij.ImagePlus;
import java.util.Locale;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * Says, after an image is read and before it is explained, whether explaining it can fit in this JVM's heap, so that
 * an image too large is one error row with the reason and the fix instead of an {@link OutOfMemoryError} in the
 * middle of a run. Explaining holds the image itself (read-only views, no float copy), maps at model or feature
 * resolution, and when writing one image-size 32-bit slice at a time (every other output is written band by band):
 * the estimate is the image's own bytes plus one float slice plus bands.
 */
final class MemoryGuard {

    /** Of the heap's maximum, what one image may take. */
    static final double SHARE = 0.8;

    /** Bands, model-resolution maps and the model's own buffers. */
    static final long OVERHEAD = 64L << 20;

    private MemoryGuard() {}

    /** Null when the image fits, else one line naming its size, the memory it needs, and the fix. */
    static String check(ImagePlus imp, ExplainRequest request) {
        long need = bytes(imp, request);
        long max = Runtime.getRuntime().maxMemory();
        if (need <= SHARE * max) {
            return null;
        }
        int planes = ImagePlusImages.planes(imp);
        return String.format(Locale.ROOT, "the image is %d×%d (%d plane%s): explaining it needs about %.1f GB, more "
                + "than the %.1f GB this Java may use. Fix: give Java more memory (GRADCAM_JAVA_OPTS=-Xmx%dg for the "
                + "command line, Edit › Options › Memory in Fiji) or explain a downscaled copy",
                imp.getWidth(), imp.getHeight(), planes, planes == 1 ? "" : "s", need / 1e9, max / 1e9,
                (long) Math.ceil(need / SHARE / 1e9) + 1);
    }

    /** The estimated peak bytes of explaining the image: itself, one 32-bit slice, and bands. */
    static long bytes(ImagePlus imp, ExplainRequest request) {
        long pixels = (long) imp.getWidth() * imp.getHeight();
        boolean any = !request.methods().isEmpty();
        return imageBytes(imp) + (any ? pixels * 4 : 0) + OVERHEAD;
    }

    /** The bytes an open image holds. */
    static long imageBytes(ImagePlus imp) {
        int bytesPerPixel = switch (imp.getBitDepth()) {
            case 8 -> 1;
            case 16 -> 2;
            default -> 4;
        };
        return (long) imp.getWidth() * imp.getHeight() * imp.getStackSize() * bytesPerPixel;
    }

    /** The image bytes a chunk may hold open before it is explained: an eighth of the heap. */
    static long chunkBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    static String outOfMemory(String during) {
        Runtime r = Runtime.getRuntime();
        return String.format(Locale.ROOT, "ran out of memory %s (this Java may use %.1f GB). Fix: give Java more "
                + "memory (GRADCAM_JAVA_OPTS=-Xmx… / Edit › Options › Memory) or explain a downscaled copy", during,
                r.maxMemory() / 1e9);
    }
}
