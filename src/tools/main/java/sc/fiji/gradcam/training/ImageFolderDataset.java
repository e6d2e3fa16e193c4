package sc.fiji.gradcam.training;

import ij.ImagePlus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import sc.fiji.gradcam.api.image.Preprocessing;
import sc.fiji.gradcam.api.image.Preprocessor;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;

/**
 * A folder with one sub-folder of PNG images per class ({@code Parasitized/}, {@code Uninfected/}).
 * Images are grouped by the part of the file name before {@code _IMG_} (the slide prefix of the
 * NIH malaria cells), so that a split never puts one slide on both sides.
 */
public final class ImageFolderDataset {

    private ImageFolderDataset() {}

    /** The slide prefix of a malaria cell file name, or the whole base name if it has none. */
    public static String prefixOf(String fileName) {
        int cut = fileName.indexOf("_IMG_");
        return cut > 0 ? fileName.substring(0, cut) : fileName;
    }

    /** Relative paths ({@code Class/file.png}) of all PNGs, sorted, with their class indices. */
    public static List<String> list(Path root, List<String> classes) {
        List<String> names = new ArrayList<>();
        for (String cls : classes) {
            try (Stream<Path> files = Files.list(root.resolve(cls))) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.toLowerCase().endsWith(".png"))
                        .sorted()
                        .forEach(n -> names.add(cls + "/" + n));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + root.resolve(cls), e);
            }
        }
        return names;
    }

    /**
     * Loads the given relative paths and prepares them exactly as the explainer does ({@link ImageFiles#open},
     * {@link ImagePlusImages#toInput}, {@link Preprocessor#prepare}); the class is the first path element.
     */
    public static List<LabeledImage> load(Path root, List<String> relativePaths, List<String> classes,
            Preprocessing preprocessing) {
        return load(root, relativePaths, classes, preprocessing, null);
    }

    /** As {@link #load(Path, List, List, Preprocessing)}, advancing {@code progress} (null: none) per image. */
    public static List<LabeledImage> load(Path root, List<String> relativePaths, List<String> classes,
            Preprocessing preprocessing, ProgressBar progress) {
        List<LabeledImage> out = new ArrayList<>(relativePaths.size());
        for (String rel : relativePaths) {
            String cls = rel.substring(0, rel.indexOf('/'));
            int label = classes.indexOf(cls);
            if (label < 0) {
                throw new IllegalArgumentException("Unknown class folder in " + rel + "; expected one of " + classes);
            }
            ImagePlus imp;
            try {
                imp = ImageFiles.open(root.resolve(rel));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String file = rel.substring(rel.lastIndexOf('/') + 1);
            out.add(new LabeledImage(rel, prefixOf(file), label, prepare(imp, preprocessing)));
            if (progress != null) {
                progress.step(1);
            }
        }
        return out;
    }

    /** The model input for {@code imp} (its first plane) as the explainer computes it, HWC. */
    public static float[] prepare(ImagePlus imp, Preprocessing preprocessing) {
        return Preprocessor.prepare(ImagePlusImages.toInput(imp, 1), preprocessing).values();
    }
}
