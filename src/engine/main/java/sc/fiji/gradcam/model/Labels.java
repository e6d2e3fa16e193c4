package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Class names, one per line in index order ({@code labels.txt} or {@code synset.txt}). */
public final class Labels {

    /** File names looked for in the model folder, in this order. */
    public static final List<String> FILES = List.of("labels.txt", "synset.txt");

    private Labels() {}

    /** Teachable Machine writes {@code "0 Eyes open"}: drop a leading number equal to the line's index. */
    static String withoutIndex(String line, int index) {
        String prefix = index + " ";
        return line.startsWith(prefix) && line.length() > prefix.length() ? line.substring(prefix.length()).strip() : line;
    }

    /** Reads {@code file}, or the first of {@link #FILES} in {@code dir}; an empty list when there is none. */
    public static List<String> read(Path dir, Path file) {
        Path chosen = file;
        if (chosen == null) {
            for (String name : FILES) {
                if (Files.isRegularFile(dir.resolve(name))) {
                    chosen = dir.resolve(name);
                    break;
                }
            }
        }
        if (chosen == null) {
            return List.of();
        }
        try {
            List<String> labels = new ArrayList<>();
            for (String line : Files.readAllLines(chosen, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (!l.isEmpty()) {
                    labels.add(withoutIndex(l, labels.size()));
                }
            }
            return List.copyOf(labels);
        } catch (IOException e) {
            throw new ModelException("The labels file " + chosen + " cannot be read: " + e.getMessage() + ".",
                    "check the file, or give another with --labels.");
        }
    }

    /**
     * The two class names of a single-unit binary classifier, by Keras's {@code flow_from_directory} /
     * {@code image_dataset_from_directory} convention: two names are [negative (index 0), positive (index 1)] as
     * they are; one name is the positive class X and the negative becomes {@code not X}; other lists are returned
     * unchanged (the loader warns about them).
     */
    public static List<String> ofSingleUnit(List<String> names) {
        return names.size() == 1 ? List.of("not " + names.get(0), names.get(0)) : names;
    }
}
