package sc.fiji.gradcam.training;

import java.util.Random;

/**
 * Per-batch augmentation of square HWC images in [0, 1]: random horizontal flip, random rotation by
 * a multiple of 90 degrees, a small translation, and a small brightness and per-channel colour gain. A black background
 * stays black (the jitter is multiplicative).
 */
public final class Augmenter {

    private final int size;
    private final int channels;
    private final float brightness;
    private final float colour;
    private final int maxShift;

    /**
     * @param brightness maximum relative brightness change, e.g. 0.1 for +/-10 %
     * @param colour     maximum relative change of each channel on top of that, e.g. 0.05
     * @param maxShift   maximum translation in pixels (uncovered pixels become 0, i.e. black)
     */
    public Augmenter(int size, int channels, float brightness, float colour, int maxShift) {
        this.maxShift = maxShift;
        this.size = size;
        this.channels = channels;
        this.brightness = brightness;
        this.colour = colour;
    }

    /** Writes an augmented copy of {@code src} into {@code dst} at {@code offset}. */
    public void augment(float[] src, float[] dst, int offset, Random random) {
        boolean flip = random.nextBoolean();
        int turns = random.nextInt(4);
        float gain = 1 + brightness * (2 * random.nextFloat() - 1);
        float[] gains = new float[channels];
        for (int c = 0; c < channels; c++) {
            gains[c] = gain * (1 + colour * (2 * random.nextFloat() - 1));
        }
        int shiftX = random.nextInt(2 * maxShift + 1) - maxShift;
        int shiftY = random.nextInt(2 * maxShift + 1) - maxShift;
        int last = size - 1;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // source pixel of output (x, y): undo the rotation, then the flip
                int sx = x - shiftX;
                int sy = y - shiftY;
                int d = offset + (y * size + x) * channels;
                if (sx < 0 || sy < 0 || sx > last || sy > last) {
                    java.util.Arrays.fill(dst, d, d + channels, 0f);
                    continue;
                }
                for (int t = 0; t < turns; t++) {
                    int tmp = sx;
                    sx = sy;
                    sy = last - tmp;
                }
                if (flip) {
                    sx = last - sx;
                }
                int s = (sy * size + sx) * channels;
                for (int c = 0; c < channels; c++) {
                    dst[d + c] = Math.min(1f, src[s + c] * gains[c]);
                }
            }
        }
    }
}
