package sc.fiji.gradcam.training;

import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sc.fiji.gradcam.api.image.Preprocessing;

/**
 * Synthetic scenes for class-discrimination checks: a textured, noisy background with filled shapes
 * of two classes, {@code ring} (an annulus) and {@code cross} (a randomly rotated plus sign), each
 * with a ground-truth mask. Colours are drawn
 * from the same distribution for both classes, so only the outline tells them apart.
 *
 * <p>Run as a program it writes two-object scenes: {@code NAME.png} (RGB) and one 8-bit mask per
 * object, {@code NAME.mask-ring.png} and {@code NAME.mask-cross.png} (255 inside, 0 outside).
 */
@Command(name = "make-synthetic-images", mixinStandardHelpOptions = true,
        description = "Writes two-object synthetic images (a ring and a cross) with ground-truth masks.")
public final class SyntheticShapes implements Callable<Integer> {

    public static final List<String> CLASSES = List.of("ring", "cross");
    public static final int RING = 0;
    public static final int CROSS = 1;

    /** An RGB scene and one mask per object, keyed by class name. */
    public record Scene(ColorProcessor image, Map<String, ByteProcessor> masks) {}

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--count", defaultValue = "3", description = "number of two-object images")
    int count;

    @Option(names = "--size", defaultValue = "128", description = "width and height in pixels")
    int size = 128;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticShapes()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        Random random = new Random(seed);
        for (int i = 1; i <= count; i++) {
            Scene scene = render(size, List.of(RING, CROSS), random);
            String name = String.format("shapes-%02d", i);
            ImageIO.write(scene.image().getBufferedImage(), "png", out.resolve(name + ".png").toFile());
            for (Map.Entry<String, ByteProcessor> m : scene.masks().entrySet()) {
                ImageIO.write(m.getValue().getBufferedImage(), "png",
                        out.resolve(name + ".mask-" + m.getKey() + ".png").toFile());
            }
            System.out.println("wrote " + out.resolve(name + ".png"));
        }
        return 0;
    }

    /** Single-shape examples of random class, prepared as the explainer prepares images, for training. */
    public static List<LabeledImage> singleShapeExamples(int n, int canvas, Preprocessing preprocessing, long seed) {
        Random random = new Random(seed);
        List<LabeledImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(CLASSES.size());
            Scene scene = render(canvas, List.of(label), random);
            out.add(new LabeledImage(CLASSES.get(label) + "-" + i, "seed" + seed + "-" + i, label,
                    ImageFolderDataset.prepare(new ij.ImagePlus("scene", scene.image()), preprocessing)));
        }
        return out;
    }

    /** Renders one scene of {@code size x size} with one shape per entry of {@code classes}, not overlapping. */
    public static Scene render(int size, List<Integer> classes, Random random) {
        float[][] rgb = background(size, random);
        Map<String, ByteProcessor> masks = new LinkedHashMap<>();
        List<double[]> placed = new ArrayList<>();
        for (int cls : classes) {
            double radius = size * (0.11 + 0.08 * random.nextDouble());
            double[] centre = place(size, radius, placed, random);
            placed.add(new double[] {centre[0], centre[1], radius});
            ByteProcessor mask = shapeMask(size, cls, centre[0], centre[1], radius, random.nextDouble() * Math.PI / 2);
            paint(rgb, mask, random);
            masks.put(CLASSES.get(cls), mask);
        }
        return new Scene(toProcessor(rgb, size), masks);
    }

    /** A random centre keeping the shape inside the image and 6 px away from the others. */
    private static double[] place(int size, double radius, List<double[]> placed, Random random) {
        double margin = radius + 2;
        for (int attempt = 0; attempt < 1000; attempt++) {
            double x = margin + random.nextDouble() * (size - 2 * margin);
            double y = margin + random.nextDouble() * (size - 2 * margin);
            boolean free = true;
            for (double[] p : placed) {
                free &= Math.hypot(x - p[0], y - p[1]) > radius + p[2] + 6;
            }
            if (free) {
                return new double[] {x, y};
            }
        }
        throw new IllegalStateException("Cannot place " + (placed.size() + 1) + " shapes in " + size + " px");
    }

    private static ByteProcessor shapeMask(int size, int cls, double cx, double cy, double radius, double angle) {
        ByteProcessor mask = new ByteProcessor(size, size);
        double arm = radius * 0.3; // half width of the cross's bars
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double u = Math.abs(cos * dx + sin * dy);
                double v = Math.abs(-sin * dx + cos * dy);
                double d2 = dx * dx + dy * dy;
                boolean inside = cls == RING
                        ? d2 <= radius * radius && d2 >= 0.36 * radius * radius
                        : u <= radius && v <= radius && (u <= arm || v <= arm);
                if (inside) {
                    mask.set(x, y, 255);
                }
            }
        }
        return mask;
    }

    /** Smooth random waves in a random mid-range colour plus pixel noise, values in [0, 1]. */
    private static float[][] background(int size, Random random) {
        float[][] rgb = new float[3][size * size];
        float[] base = {0.3f + 0.3f * random.nextFloat(), 0.3f + 0.3f * random.nextFloat(), 0.3f + 0.3f * random.nextFloat()};
        int waves = 4;
        double[][] w = new double[waves][4];
        for (double[] wave : w) {
            wave[0] = (random.nextDouble() - 0.5) * 0.5; // kx, rad/px
            wave[1] = (random.nextDouble() - 0.5) * 0.5; // ky
            wave[2] = random.nextDouble() * 2 * Math.PI;
            wave[3] = 0.04 + 0.06 * random.nextDouble();
        }
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double texture = 0;
                for (double[] wave : w) {
                    texture += wave[3] * Math.sin(wave[0] * x + wave[1] * y + wave[2]);
                }
                for (int c = 0; c < 3; c++) {
                    rgb[c][y * size + x] = (float) (base[c] + texture + 0.06 * random.nextGaussian());
                }
            }
        }
        return rgb;
    }

    /** Fills the mask with a colour that is clearly lighter or darker than the background there. */
    private static void paint(float[][] rgb, ByteProcessor mask, Random random) {
        boolean lighter = random.nextBoolean();
        float[] colour = new float[3];
        for (int c = 0; c < 3; c++) {
            colour[c] = lighter ? 0.75f + 0.2f * random.nextFloat() : 0.05f + 0.2f * random.nextFloat();
        }
        byte[] m = (byte[]) mask.getPixels();
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0) {
                for (int c = 0; c < 3; c++) {
                    rgb[c][i] = (float) (colour[c] + 0.05 * random.nextGaussian());
                }
            }
        }
    }

    private static ColorProcessor toProcessor(float[][] rgb, int size) {
        int[] pixels = new int[size * size];
        for (int i = 0; i < pixels.length; i++) {
            int r = Math.round(255 * Math.max(0, Math.min(1, rgb[0][i])));
            int g = Math.round(255 * Math.max(0, Math.min(1, rgb[1][i])));
            int b = Math.round(255 * Math.max(0, Math.min(1, rgb[2][i])));
            pixels[i] = 0xff000000 | (r << 16) | (g << 8) | b;
        }
        return new ColorProcessor(size, size, pixels);
    }
}
