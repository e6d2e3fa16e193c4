package sc.fiji.gradcam.support;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.api.image.ResizeMode;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;

/**
 * The real third-party models in {@code ../shared/models} (read only, never copied), loaded once per test JVM
 * and shared by the test classes (each builds its gradient graphs under its own unique scope).
 */
public final class SharedModels {

    public static final String MNIST = "mnist_tfmodule";
    public static final String POTATO = "potato_leaf";
    public static final String EYES = "tm_eyes_tf1";
    public static final List<String> ALL = List.of(MNIST, POTATO, EYES);

    private static final Map<String, LoadedModel> LOADED = new HashMap<>();

    private SharedModels() {}

    /** {@code ../shared} or the system property {@code gradcam.shared}. */
    public static Path root() {
        return Paths.get(System.getProperty("gradcam.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** The model folder of {@code name}; skips the test when it is missing. */
    public static Path model(String name) {
        Path p = root().resolve("models").resolve(name).resolve("model");
        Assumptions.assumeTrue(Files.isRegularFile(p.resolve("saved_model.pb")), "shared model missing: " + p);
        return p;
    }

    /** The model loaded once per JVM (never closed: the natives are freed at exit). */
    public static synchronized LoadedModel loaded(String name) {
        Path dir = model(name);
        return LOADED.computeIfAbsent(name, n -> ModelLoader.load(dir));
    }

    /** The preprocessing the model was trained with (models/README.md). */
    public static Preprocessing preprocessing(String name) {
        return switch (name) {
            case MNIST -> new Preprocessing(28, 28, 1, ResizeMode.STRETCH, 0, 1, 1, 99.8);
            case POTATO -> new Preprocessing(256, 256, 3, ResizeMode.STRETCH, 0, 255, 1, 99.8);
            case EYES -> new Preprocessing(224, 224, 3, ResizeMode.CROP, -1, 1, 1, 99.8);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The example images of the model, sorted by file name. */
    public static List<Path> imageFiles(String name) {
        Path dir = root().resolve("models").resolve(name).resolve("images");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|jpe?g)")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example images as model inputs (NHWC, one image each). */
    public static List<double[]> modelInputs(String name) {
        List<double[]> out = new ArrayList<>();
        for (Path p : imageFiles(name)) {
            float[] v = Preprocessor.prepare(read(p), preprocessing(name)).values();
            double[] d = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i];
            }
            out.add(d);
        }
        return out;
    }

    /** An 8-bit image file as a planar {@link InputImage} (1 channel for gray files, else RGB). */
    public static InputImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException("unreadable image " + file);
            }
            int w = img.getWidth();
            int h = img.getHeight();
            boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
            int c = gray ? 1 : 3;
            float[] data = new float[w * h * c];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (gray) {
                        data[y * w + x] = img.getRaster().getSample(x, y, 0);
                    } else {
                        int rgb = img.getRGB(x, y);
                        data[y * w + x] = (rgb >> 16) & 0xff;
                        data[w * h + y * w + x] = (rgb >> 8) & 0xff;
                        data[2 * w * h + y * w + x] = rgb & 0xff;
                    }
                }
            }
            return new InputImage(w, h, c, data, PixelKind.UINT8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real CARE denoising U-Net (dense, free input size), read only. */
    public static Path care() {
        return root().resolve("models/care_denoise2d_mito/model");
    }

    /** CARE's example image (256² widefield bacteria, 8-bit). */
    public static InputImage careImage() {
        try {
            return sc.fiji.gradcam.api.io.ImagePlusImages.plane(sc.fiji.gradcam.api.io.ImageFiles.open(root().resolve(
                    "models/care_denoise2d_mito/images/bsubtilis_widefield_sample_input_0.tif")), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
