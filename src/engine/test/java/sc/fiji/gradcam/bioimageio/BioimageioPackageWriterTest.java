package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.support.Shared;

/** Exporting a SavedModel as a 0.5 package: what verify reads back, the model's own output, same bytes twice. */
public class BioimageioPackageWriterTest {

    @TempDir
    Path tmp;

    public static PackageWriter.Spec careSpec() {
        return new PackageWriter.Spec("CARE mito", "CARE denoising U-Net, exported in a test",
                Map.of("authors", List.of(Map.of("name", "Test Author")), "cite",
                        List.of(Map.of("text", "Weigert et al. 2018", "doi", "10.1038/s41592-018-0216-7"))),
                "BSD-3-Clause", Shared.model("care_denoise2d_mito"), "2.8", "raw", "denoised", "nhwc",
                List.of("mito"), List.of("mito"), 16, 4, 22,
                List.of(new Processing("scale_range", Map.of("axes", List.of("y", "x"), "min_percentile", 1.0,
                        "max_percentile", 99.8))),
                List.of(new Processing("clip", Map.of("min", 0.0, "max", 10.0))),
                new Tolerance(1e-4, 1e-5, 0, List.of(), List.of()));
    }

    @Test
    void writesAPackageThatVerifiesAndReadsBack() throws Exception {
        Npy.Array raw = Npy.read(Shared.root().resolve("bioimageio/bsubtilis_widefield_test_input.npy"));
        NdArray input = raw.withAxes(List.of("batch", "y", "x", "channel"));
        Path zip = PackageWriter.write(careSpec(), input, tmp.resolve("out/care-mito.zip"));
        PackageCache cache = new PackageCache(tmp.resolve("cache"), PackageCache.Limits.DEFAULT);
        BioimageioPackage pkg = BioimageioPackage.open(zip, cache);
        ModelDescription d = pkg.description();
        assertEquals("0.5.3", d.formatVersion());
        assertEquals("CARE mito", d.name());
        TensorDescription in = d.inputs().get(0);
        assertEquals("byxc", in.letters());
        assertEquals(new Axis.Parametrized(16, 4), in.axes().get(1).size());
        assertEquals(new Axis.Fixed(1), in.axes().get(3).size());
        assertArrayEquals(new long[] {0, 22, 22, 0}, d.outputs().get(0).halo());
        assertEquals(1e-4, d.tolerance("denoised").relative());
        assertEquals("Test Author", ((Map<?, ?>) ((List<?>) Yaml.load(java.nio.file.Files.readString(
                pkg.root().resolve("bioimageio.yaml")), "y").get("authors")).get(0)).get("name"));
        PackageVerification v = PackageVerifier.verify(pkg);
        assertTrue(v.passed(), v.toString());

        // the test output is the model's: TF Java run directly on numpy's scale_range (0 / 116), then clip
        float[] x = new float[raw.values().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (raw.values()[i] / (116.0 + 1e-6));
        }
        float[] y = CarePackage.run(Shared.model("care_denoise2d_mito"), x, raw.shape());
        NdArray written = pkg.testTensor(d.outputs().get(0));
        for (int i = 0; i < y.length; i++) {
            assertEquals(Math.min(10, Math.max(0, y[i])), written.data()[i], 1e-6);
        }
        // same model and input: the same bytes
        Path again = PackageWriter.write(careSpec(), input, tmp.resolve("again/care-mito.zip"));
        assertEquals(PackageCache.sha256(zip), PackageCache.sha256(again));
    }
}
