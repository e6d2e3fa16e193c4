package sc.fiji.gradcam.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.support.TinyModels;

/**
 * Class names of single-unit binary models, by Keras's directory convention: a two-line labels file is
 * [negative, positive], a one-line file names the positive class ("not X" is the negative), none numbers them.
 */
class SingleUnitLabelsTest {

    @TempDir
    Path tmp;

    private LoadedModel load(String name, String labels) throws IOException {
        Path dir = TinyModels.redVersusGreen(tmp.resolve(name), "Sigmoid");
        if (labels != null) {
            Files.writeString(dir.resolve("labels.txt"), labels);
        }
        return ModelLoader.load(dir);
    }

    @Test
    void twoLinesAreNegativeThenPositive() throws IOException {
        try (LoadedModel m = load("two", "uninfected\nparasitized\n")) {
            assertEquals(1, m.outputUnits());
            assertEquals(2, m.classes());
            assertEquals(List.of("uninfected", "parasitized"), m.labels());
            assertEquals("uninfected", m.label(0));
            assertEquals("parasitized", m.label(1));
            assertEquals(List.of(), m.warnings(), "two names fit a one-unit binary model");
        }
    }

    @Test
    void oneLineNamesThePositiveClass() throws IOException {
        try (LoadedModel m = load("one", "parasitized\n")) {
            assertEquals(List.of("not parasitized", "parasitized"), m.labels());
            assertEquals("not parasitized", m.label(0));
            assertEquals(List.of(), m.warnings());
        }
    }

    @Test
    void withoutLabelsTheClassesAreNumbered() throws IOException {
        try (LoadedModel m = load("none", null)) {
            assertTrue(m.singleUnitBinary());
            assertEquals(List.of(), m.labels());
            assertEquals("class 0", m.label(0));
            assertEquals("class 1", m.label(1));
            assertEquals(List.of(), m.warnings());
        }
    }

    @Test
    void threeLinesAreWarnedAbout() throws IOException {
        try (LoadedModel m = load("three", "a\nb\nc\n")) {
            assertEquals(1, m.warnings().size());
            assertTrue(m.warnings().get(0).contains("3 names") && m.warnings().get(0).contains("one output unit"),
                    m.warnings().get(0));
            assertEquals(2, m.classes());
        }
    }

    @Test
    void labelsOfSingleUnitKeepsTwoAndExpandsOne() {
        assertEquals(List.of("cat", "dog"), Labels.ofSingleUnit(List.of("cat", "dog")));
        assertEquals(List.of("not dog", "dog"), Labels.ofSingleUnit(List.of("dog")));
        assertEquals(List.of(), Labels.ofSingleUnit(List.of()));
    }
}
