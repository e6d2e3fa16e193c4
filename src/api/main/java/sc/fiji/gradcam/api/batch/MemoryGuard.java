package sc.fiji.gradcam.api.batch;

import ij.ImagePlus;
import java.util.Locale;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Method;

/**
 * Says, before an image is explained, whether its image-size maps can fit in this JVM's heap, so that an image too
 * large is one error row with the reason and the fix instead of an {@link OutOfMemoryError} in the middle of a run.
 * The estimate counts 4-byte floats: the input planes, each CAM-like map (one channel), each gradient map (three
 * channels), per explained plane and target, and their copies in the written TIFFs.
 */
final class MemoryGuard {

    /** Of the heap's maximum, what one image may take. */
    static final double SHARE = 0.8;

    private MemoryGuard() {}

    /** Null when the image fits, else one line naming its size, the memory it needs, and the fix. */
    static String check(ImagePlus imp, int planes, ExplainRequest request) {
        long need = bytes((long) imp.getWidth() * imp.getHeight(), planes, request);
        long max = Runtime.getRuntime().maxMemory();
        if (need <= SHARE * max) {
            return null;
        }
        return String.format(Locale.ROOT, "the image is %d×%d (%d plane%s): its maps need about %.1f GB, more than "
                + "the %.1f GB this Java may use. Fix: give Java more memory (GRADCAM_JAVA_OPTS=-Xmx%dg for the "
                + "command line, Edit › Options › Memory in Fiji), explain fewer methods, or explain a downscaled copy",
                imp.getWidth(), imp.getHeight(), planes, planes == 1 ? "" : "s", need / 1e9, max / 1e9,
                (long) Math.ceil(need / SHARE / 1e9) + 1);
    }

    /** The estimated peak bytes of explaining {@code pixels} × {@code planes}. */
    static long bytes(long pixels, int planes, ExplainRequest request) {
        long floats = 3; // the input planes (up to 3 channels)
        for (Method m : request.methods()) {
            floats += m.camLike() ? 1 : 3;
        }
        floats += request.methods().contains(Method.GUIDED_GRADCAM) ? 3 : 0; // guided backprop inside Guided Grad-CAM
        return pixels * planes * floats * 4 * (long) Math.max(1, request.targets().size()) * 2;
    }

    static String outOfMemory(String during) {
        Runtime r = Runtime.getRuntime();
        return String.format(Locale.ROOT, "ran out of memory %s (this Java may use %.1f GB). Fix: give Java more "
                + "memory (GRADCAM_JAVA_OPTS=-Xmx… / Edit › Options › Memory), explain fewer methods, or a downscaled "
                + "copy", during, r.maxMemory() / 1e9);
    }
}
