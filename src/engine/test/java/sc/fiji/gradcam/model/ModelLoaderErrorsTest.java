package sc.fiji.gradcam.model;

import sc.fiji.gradcam.api.ModelException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.support.SharedModels;
import sc.fiji.gradcam.support.TinyModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModel;
import sc.fiji.gradcam.testmodels.TestModelSpec;
import sc.fiji.gradcam.testmodels.TestModels;

/**
 * Bad model folders give a {@link ModelException} whose message names the problem and the fix, and loading
 * never changes the user's files (checksums before and after).
 */
class ModelLoaderErrorsTest {

    @TempDir
    static Path tmp;
    static TestModel good;

    @BeforeAll
    static void build() {
        good = TestModels.buildIn(TestModelSpec.of(Architecture.GAP, SaveStyle.FUNCTION_CALL).withInput(8, 8, 1), tmp);
    }

    /** Loads and expects a ModelException naming {@code problem} with a fix; checks the folder is unchanged. */
    static ModelException fails(Path path, ModelOptions options, String... problem) throws IOException {
        TreeMap<String, String> before = checksums(path);
        ModelException e = assertThrows(ModelException.class, () -> ModelLoader.load(path, options).close());
        for (String p : problem) {
            assertTrue(e.getMessage().toLowerCase().contains(p.toLowerCase()), e.getMessage() + " lacks " + p);
        }
        assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
        assertEquals(before, checksums(path), "the model folder was modified");
        return e;
    }

    static TreeMap<String, String> checksums(Path path) throws IOException {
        TreeMap<String, String> sums = new TreeMap<>();
        if (!Files.exists(path)) {
            return sums;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                sums.put(path.relativize(p).toString() + " " + Files.getLastModifiedTime(p),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return sums;
    }

    static Path copyOfGood(String name) throws IOException {
        Path dst = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(good.dir())) {
            for (Path p : s.toList()) {
                Path t = dst.resolve(good.dir().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return dst;
    }

    @Test
    void missingFolder() throws IOException {
        fails(tmp.resolve("nowhere"), ModelOptions.defaults(), "does not exist");
    }

    @Test
    void aFileIsNotAFolder() throws IOException {
        Path h5 = Files.write(tmp.resolve("model.h5"), new byte[] {1, 2, 3});
        ModelException e = fails(h5, ModelOptions.defaults(), "not a SavedModel folder", "export");
        assertTrue(e.getMessage().contains("model.h5"));
    }

    @Test
    void folderWithoutSavedModelPb() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(dir.resolve("readme.txt"), "nothing here");
        fails(dir, ModelOptions.defaults(), "no saved_model.pb", "saved_model.pb");
    }

    @Test
    void corruptProtobuf() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corrupt"));
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        Files.write(dir.resolve("saved_model.pb"), junk);
        fails(dir, ModelOptions.defaults(), "saved_model.pb");
    }

    @Test
    void truncatedProtobuf() throws IOException {
        Path dir = copyOfGood("truncated");
        byte[] pb = Files.readAllBytes(dir.resolve("saved_model.pb"));
        Files.write(dir.resolve("saved_model.pb"), java.util.Arrays.copyOf(pb, pb.length / 2));
        fails(dir, ModelOptions.defaults(), "saved_model.pb");
    }

    @Test
    void missingVariablesFolder() throws IOException {
        Path dir = copyOfGood("novars");
        try (Stream<Path> s = Files.walk(dir.resolve("variables"))) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        fails(dir, ModelOptions.defaults(), "variables");
    }

    @Test
    void missingVariablesData() throws IOException {
        Path dir = copyOfGood("nodata");
        try (Stream<Path> s = Files.list(dir.resolve("variables"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("variables.data")).toList()) {
                Files.delete(p);
            }
        }
        fails(dir, ModelOptions.defaults(), "variables");
    }

    @Test
    void unknownTag() throws IOException {
        ModelException e = fails(good.dir(), ModelOptions.defaults().withTags(List.of("train")), "[train]", "[[serve]]");
        assertTrue(e.getMessage().contains("tag"));
    }

    @Test
    void unknownSignature() throws IOException {
        fails(good.dir(), ModelOptions.defaults().withSignature("predict"), "'predict'", "serving_default");
    }

    @Test
    void unknownInputAndOutputKeys() throws IOException {
        fails(good.dir(), ModelOptions.defaults().withInput("pixels"), "'pixels'", "image");
        fails(good.dir(), ModelOptions.defaults().withOutput("scores"), "'scores'", "probabilities");
    }

    /** A softmax over a [batch, 1] output is 1 for every image: refused, with the binary heads that work. */
    @Test
    void softmaxOverOneUnitIsRefused() throws IOException {
        Path tiny = TinyModels.redVersusGreen(tmp.resolve("softmax-one-unit"), "Softmax");
        fails(tiny, ModelOptions.defaults(), "softmax over a single unit", "[batch, 1]", "sigmoid");
        Path built = TestModels.buildIn(TestModelSpec.of(Architecture.GAP, SaveStyle.KERAS3_EXPORT).withInput(8, 8, 1)
                .withClasses(1).withSoftmax(true), tmp).dir();
        fails(built, ModelOptions.defaults(), "softmax over a single unit", "output_0", "sigmoid");
    }

    @Test
    void inputOfRankTwoIsNotAnImage() throws IOException {
        Path dir = TinyModels.write(tmp.resolve("vector"), new long[] {-1, 4}, new long[] {-1, 2},
                (Ops tf, Operand<TFloat32> x) -> tf.linalg.matMul(x, tf.constant(new float[4][2])));
        fails(dir, ModelOptions.defaults(), "not an image", "rank 4");
    }

    @Test
    void goodModelsLoadWithoutChangingTheirFiles() throws IOException {
        TreeMap<String, String> before = checksums(good.dir());
        try (LoadedModel m = ModelLoader.load(good.dir())) {
            assertEquals(5, m.classes());
        }
        assertEquals(before, checksums(good.dir()));
        for (String name : SharedModels.ALL) {
            Path dir = SharedModels.model(name);
            TreeMap<String, String> sums = checksums(dir);
            SharedModels.loaded(name).catalog();
            assertEquals(sums, checksums(dir), name + " was modified");
        }
    }
}
