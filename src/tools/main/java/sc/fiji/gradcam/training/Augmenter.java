package sc.fiji.gradcam.training;

import java.util.Random;

/**
 * Per-image augmentation of square HWC model inputs in [0, 1] (as prepared by the explainer's
 * preprocessing): a random horizontal flip, a rotation by any angle (or by a multiple of 90 degrees),
 * a small zoom and aspect change, a small translation, all resampled bilinearly about the image centre, then a
 * brightness gain, a per-channel colour gain and a gamma change. A black background stays black (the
 * geometry fills uncovered pixels with 0 and the colour changes are multiplicative or a power).
 *
 * @param brightness maximum relative brightness change, e.g. 0.15 for +/-15 %
 * @param colour     maximum relative change of each channel on top of that, e.g. 0.1
 * @param gamma      maximum relative change of the gamma exponent, e.g. 0.2 for exponents in [0.8, 1.2]
 * @param maxShift   maximum translation in pixels
 * @param anyAngle   rotate by a uniformly random angle (else by a random multiple of 90 degrees)
 * @param zoom       maximum relative scale change, e.g. 0.1 for 0.9x to 1.1x
 * @param aspect     maximum relative change of the aspect ratio on top of the zoom
 * @param saturation maximum relative change of the saturation (distance from the pixel's grey), RGB only
 * @param hue        maximum hue rotation about the grey axis in degrees, RGB only (grey and black are kept)
 */
public record Augmenter(int size, int channels, float brightness, float colour, float gamma, int maxShift,
        boolean anyAngle, float zoom, float aspect, float saturation, float hue) {

    /** Without saturation and hue jitter. */
    public Augmenter(int size, int channels, float brightness, float colour, float gamma, int maxShift,
            boolean anyAngle, float zoom, float aspect) {
        this(size, channels, brightness, colour, gamma, maxShift, anyAngle, zoom, aspect, 0f, 0f);
    }

    /** Writes an augmented copy of {@code src} into {@code dst} at {@code offset}. */
    public void augment(float[] src, float[] dst, int offset, Random random) {
        boolean flip = random.nextBoolean();
        double angle = anyAngle ? random.nextDouble() * 2 * Math.PI : random.nextInt(4) * Math.PI / 2;
        double scale = 1 + zoom * (2 * random.nextDouble() - 1);
        double stretch = 1 + aspect * (2 * random.nextDouble() - 1);
        double sxScale = scale * Math.sqrt(stretch);
        double syScale = scale / Math.sqrt(stretch);
        double shiftX = maxShift * (2 * random.nextDouble() - 1);
        double shiftY = maxShift * (2 * random.nextDouble() - 1);
        float gain = 1 + brightness * (2 * random.nextFloat() - 1);
        float[] gains = new float[channels];
        for (int c = 0; c < channels; c++) {
            gains[c] = gain * (1 + colour * (2 * random.nextFloat() - 1));
        }
        float exponent = 1 + gamma * (2 * random.nextFloat() - 1);
        boolean stain = channels == 3 && (saturation > 0 || hue > 0);
        float[] m = null;
        if (stain) {
            // hue rotation about the grey axis (Rodrigues) combined with a saturation scale about grey
            double s = 1 + saturation * (2 * random.nextDouble() - 1);
            double a = Math.toRadians(hue * (2 * random.nextDouble() - 1));
            double c = Math.cos(a) * s;
            double d = Math.sin(a) * s / Math.sqrt(3);
            double t = (1 - c) / 3;
            m = new float[] {(float) (c + t), (float) (t - d), (float) (t + d),
                (float) (t + d), (float) (c + t), (float) (t - d),
                (float) (t - d), (float) (t + d), (float) (c + t)};
        }
        boolean exact = !anyAngle && zoom == 0 && aspect == 0;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double centre = (size - 1) / 2.0;
        float[] pixel = new float[channels];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // source position of output pixel (x, y): undo the shift, the zoom, the rotation, then the flip
                double u = (x - shiftX - centre) / sxScale;
                double v = (y - shiftY - centre) / syScale;
                double sx = cos * u + sin * v + centre;
                double sy = -sin * u + cos * v + centre;
                if (flip) {
                    sx = 2 * centre - sx;
                }
                if (exact) {
                    sx = Math.rint(sx);
                    sy = Math.rint(sy);
                }
                sample(src, sx, sy, pixel);
                int d = offset + (y * size + x) * channels;
                for (int c = 0; c < channels; c++) {
                    float value = pixel[c] * gains[c];
                    dst[d + c] = Math.min(1f, exponent == 1f || value <= 0 ? value : (float) Math.pow(value, exponent));
                }
                if (stain) {
                    float r = dst[d];
                    float g = dst[d + 1];
                    float b = dst[d + 2];
                    for (int c = 0; c < 3; c++) {
                        float mixed = m[3 * c] * r + m[3 * c + 1] * g + m[3 * c + 2] * b;
                        dst[d + c] = Math.max(0f, Math.min(1f, mixed));
                    }
                }
            }
        }
    }

    /** Bilinear sample at (x, y); pixels outside the image count as 0. */
    private void sample(float[] src, double x, double y, float[] out) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        java.util.Arrays.fill(out, 0f);
        for (int j = 0; j <= 1; j++) {
            int yy = y0 + j;
            double wy = j == 0 ? 1 - fy : fy;
            if (yy < 0 || yy >= size || wy == 0) {
                continue;
            }
            for (int i = 0; i <= 1; i++) {
                int xx = x0 + i;
                double w = wy * (i == 0 ? 1 - fx : fx);
                if (xx < 0 || xx >= size || w == 0) {
                    continue;
                }
                int s = (yy * size + xx) * channels;
                for (int c = 0; c < channels; c++) {
                    out[c] += (float) (w * src[s + c]);
                }
            }
        }
    }
}
