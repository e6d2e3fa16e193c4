package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.support.Shared;

/** Reading the two real 0.4 descriptions in ../shared/bioimageio and hand-written 0.5 ones. */
class BioimageioDescriptionTest {

    static Path shared(String name) {
        return Shared.root().resolve("bioimageio").resolve(name);
    }

    @Test
    void readsTheBsubtilisUnet04() {
        ModelDescription d = DescriptionReader.read(shared("bsubtilis_unet_v0_4.bioimageio.yaml"));
        assertEquals("0.4.8", d.formatVersion());
        assertFalse(d.isV05());
        assertTrue(d.name().startsWith("B. Sutilist bacteria segmentation"));
        TensorDescription in = d.inputs().get(0);
        assertEquals("input", in.id());
        assertEquals("bxyc", in.letters());
        assertEquals(List.of("batch", "x", "y", "channel"), in.axisIds());
        assertEquals(256, in.validLength("y", 300));
        assertEquals("float32", in.dataType());
        assertEquals(List.of(new Axis.Fixed(1), new Axis.Fixed(256), new Axis.Fixed(256), new Axis.Fixed(1)),
                in.axes().stream().map(Axis::size).toList());
        Processing p = in.processing().get(0);
        assertEquals("scale_range", p.id());
        assertEquals("per_sample", p.kwargs().get("mode"));
        assertEquals("xyc", p.kwargs().get("axes"));
        assertEquals(99.8, ((Number) p.kwargs().get("max_percentile")).doubleValue());
        assertEquals("test_input.npy", in.testTensor());
        TensorDescription out = d.outputs().get(0);
        assertEquals("test_output.npy", out.testTensor());
        // channels = 1 * 3 + 2 * 0 from the input's channel axis
        Axis.Reference c = (Axis.Reference) out.axes().get(3).size();
        assertEquals("input", c.tensorId());
        assertEquals("channel", c.axisId());
        assertEquals(3, c.of(1));
        assertEquals(256, ((Axis.Reference) out.axes().get(1).size()).of(256));
        assertEquals("tf-weights.zip", d.weights().source());
        assertEquals("40333b1333594edff9b0cc4243da5304addcacf2e77a5b12f062f102f6005c56", d.weights().sha256());
        assertEquals("2.6.2", d.weights().tensorflowVersion());
        assertEquals(List.of("keras_hdf5", "tensorflow_saved_model_bundle"), d.weightFormats());
        assertEquals(Tolerance.DEFAULT, d.tolerance("output"));
        assertEquals(true, d.deepImageJ().get("allow_tiling"));
    }

    @Test
    void readsTheStardist04WithMinStepAndHalo() {
        ModelDescription d = DescriptionReader.read(shared("stardist_example_v0_4.bioimageio.yaml"));
        assertEquals("0.4.0", d.formatVersion());
        TensorDescription in = d.inputs().get(0);
        assertEquals("byxc", in.letters());
        assertEquals(new Axis.Fixed(1), in.axes().get(0).size());
        Axis.Parametrized y = (Axis.Parametrized) in.axes().get(1).size();
        assertEquals(new Axis.Parametrized(80, 16), y);
        assertTrue(y.allows(512));
        assertFalse(y.allows(500));
        assertEquals(512, y.atLeast(500));
        assertEquals(80, y.atLeast(3));
        assertEquals("yx", in.processing().get(0).kwargs().get("axes"));
        // an image of 500 x 301 is padded to 512 x 304 (80 + k * 16)
        assertEquals(512, in.validLength("y", 500));
        assertEquals(304, in.validLength("x", 301));
        assertEquals(80, in.validLength("x", 20));
        assertEquals(1, in.validLength("batch", 4));
        TensorDescription out = d.outputs().get(0);
        assertArrayEquals(new long[] {0, 32, 32, 0}, out.halo());
        // 33 channels: 1 * 0 + 2 * 16.5
        assertEquals(33, ((Axis.Reference) out.axes().get(3).size()).of(1));
        assertEquals(512, ((Axis.Reference) out.axes().get(2).size()).of(512));
        assertEquals("test_output0.npy", out.testTensor());
        assertEquals("TF_SavedModel.zip", d.weights().source());
        assertEquals("1.15", d.weights().tensorflowVersion());
        assertEquals(0.3, ((Number) Yaml.optMap(Yaml.optMap(d.config(), "stardist", ""), "thresholds", "")
                .get("nms")).doubleValue());
    }

    static final String V05 = """
            type: model
            format_version: 0.5.3
            name: tiny 0.5
            inputs:
              - id: raw
                axes:
                  - type: batch
                  - type: space
                    id: y
                    size: {min: 16, step: 8}
                  - type: space
                    id: x
                    size: {min: 16, step: 8}
                  - type: channel
                    channel_names: [mito]
                data: {type: float32}
                test_tensor: {source: in.npy, sha256: abc}
                preprocessing:
                  - id: scale_range
                    kwargs: {axes: [y, x], min_percentile: 1, max_percentile: 99.8}
            outputs:
              - id: restored
                axes:
                  - type: batch
                  - type: space
                    id: y
                    size: {tensor_id: raw, axis_id: y}
                    halo: 8
                  - type: space
                    id: x
                    size: {tensor_id: raw, axis_id: x, offset: -2}
                    scale: 2.0
                  - type: channel
                    channel_names: [a, b]
                test_tensor: {source: out.npy, sha256: def}
                postprocessing:
                  - id: clip
                    kwargs: {min: 0, max: 1}
            weights:
              tensorflow_saved_model_bundle:
                source: weights.zip
                sha256: 0123
                tensorflow_version: "2.8"
            config:
              bioimageio:
                reproducibility_tolerance:
                  - relative_tolerance: 0.01
                    absolute_tolerance: 0.002
                    mismatched_elements_per_million: 5
                    output_ids: [other]
                  - relative_tolerance: 0.02
            """;

    @Test
    void readsA05DescriptionWithAxisObjects(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bioimageio.yaml");
        Files.writeString(f, V05);
        ModelDescription d = DescriptionReader.read(f);
        assertTrue(d.isV05());
        TensorDescription in = d.inputs().get(0);
        assertEquals(List.of("batch", "y", "x", "channel"), in.axisIds());
        assertEquals("byxc", in.letters());
        assertEquals(new Axis.Any(), in.axes().get(0).size());
        assertEquals(new Axis.Parametrized(16, 8), in.axes().get(1).size());
        assertEquals(new Axis.Fixed(1), in.axes().get(3).size());
        assertEquals("in.npy", in.testTensor());
        assertEquals("abc", in.testTensorSha256());
        assertEquals(List.of("y", "x"), in.processing().get(0).kwargs().get("axes"));
        TensorDescription out = d.outputs().get(0);
        assertArrayEquals(new long[] {0, 8, 0, 0}, out.halo());
        assertEquals(64, ((Axis.Reference) out.axes().get(1).size()).of(64));
        // x: 64 * (1 / 2) - 2
        assertEquals(30, ((Axis.Reference) out.axes().get(2).size()).of(64));
        assertEquals(new Axis.Fixed(2), out.axes().get(3).size());
        assertEquals("clip", out.processing().get(0).id());
        assertEquals("weights.zip", d.weights().source());
        assertEquals("2.8", d.weights().tensorflowVersion());
        // the first entry is for another output; the second applies, with the spec's defaults for the rest
        Tolerance t = d.tolerance("restored");
        assertEquals(0.02, t.relative());
        assertEquals(1e-3, t.absolute());
        assertEquals(100, t.mismatchedPerMillion());
        assertEquals(0.002, d.tolerance("other").absolute());
    }

    @Test
    void refusesWhatIsNotAModelDescription(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rdf.yaml");
        Files.writeString(f, "type: dataset\nformat_version: 0.3.0\nname: x\n");
        assertTrue(assertThrows(ModelException.class, () -> DescriptionReader.read(f)).getMessage()
                .contains("not a model"));
        Files.writeString(f, "type: model\nformat_version: 0.3.6\nname: x\n");
        assertTrue(assertThrows(ModelException.class, () -> DescriptionReader.read(f)).getMessage()
                .contains("reads 0.4 and 0.5"));
        Files.writeString(f, "type: model\nformat_version: 0.4.9\ninputs: [\n");
        ModelException e = assertThrows(ModelException.class, () -> DescriptionReader.read(f));
        assertTrue(e.getMessage().contains("not valid YAML") && !e.getMessage().contains("\n"), e.getMessage());
        // a dangerous tag stays a plain value or is refused; it never constructs a Java object
        Files.writeString(f, "type: model\nformat_version: 0.4.9\nname: !!javax.script.ScriptEngineManager [x]\n");
        assertThrows(ModelException.class, () -> DescriptionReader.read(f));
    }

    @Test
    void refusesAliasBombsAndDuplicateKeys() {
        StringBuilder b = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            b.append((char) ('a' + i)).append(": &").append((char) ('a' + i)).append(" [");
            for (int k = 0; k < 9; k++) {
                b.append(k == 0 ? "" : ", ").append('*').append((char) ('a' + i - 1));
            }
            b.append("]\n");
        }
        assertThrows(ModelException.class, () -> Yaml.load(b.toString(), "bomb.yaml"));
        assertThrows(ModelException.class, () -> Yaml.load("name: a\nname: b\n", "dup.yaml"));
        Map<String, Object> ok = Yaml.load("x: .inf\ny: 1e-6\nz: -.inf\n", "ok.yaml");
        assertEquals(Double.POSITIVE_INFINITY, Yaml.num(ok.get("x"), "x"));
        assertEquals(1e-6, Yaml.num(ok.get("y"), "y"));
        assertNull(Yaml.str(ok, "missing"));
    }
}
