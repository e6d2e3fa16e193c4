package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.support.Shared;

/** A real SavedModel (CARE) in a 0.5 package built at test time: verify, tampering, resolve, the 0.4 packages. */
class BioimageioCarePackageTest {

    @TempDir
    Path tmp;

    private PackageCache cache() {
        return new PackageCache(tmp.resolve("cache"), PackageCache.Limits.DEFAULT);
    }

    @Test
    void verifyPassesOnTheHonestPackage() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        BioimageioPackage pkg = BioimageioPackage.open(zip, cache());
        assertTrue(pkg.root().startsWith(tmp.resolve("cache")));
        PackageVerification v = PackageVerifier.verify(pkg);
        assertEquals("0.5.3", v.formatVersion());
        assertEquals(1, v.outputs().size());
        PackageVerification.OutputCheck c = v.outputs().get(0);
        assertEquals("restored", c.id());
        assertEquals(List.of(1L, 256L, 256L, 1L), java.util.Arrays.stream(c.shape()).boxed().toList());
        assertEquals(0, c.mismatches());
        assertTrue(c.maxAbsDiff() < 1e-5, "max |diff| " + c.maxAbsDiff());
        assertEquals(1e-4, c.relativeTolerance());
        assertEquals(1e-5, c.absoluteTolerance());
        assertTrue(v.passed());
        // the weights unpacked into their own hash-named folder of the same cache
        assertTrue(Path.of(v.savedModel()).startsWith(tmp.resolve("cache")));
        assertTrue(Files.exists(Path.of(v.savedModel()).resolve("saved_model.pb")));
        // the same package given as its folder and as its description file
        assertTrue(PackageVerifier.verify(BioimageioPackage.open(tmp.resolve("care"), cache())).passed());
        assertTrue(PackageVerifier.verify(BioimageioPackage.open(tmp.resolve("care/bioimageio.yaml"), cache()))
                .passed());
    }

    @Test
    void verifyFailsOnATamperedTestOutput() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.TAMPERED_OUTPUT);
        PackageVerification v = PackageVerifier.verify(BioimageioPackage.open(zip, cache()));
        PackageVerification.OutputCheck c = v.outputs().get(0);
        assertFalse(v.passed());
        assertFalse(c.passed());
        // every third element was moved by 0.05
        assertEquals((256 * 256 + 2) / 3, c.mismatches());
        assertEquals(0.05, c.maxAbsDiff(), 1e-4);
        assertEquals(0, c.allowed());
    }

    @Test
    void refusesWeightsWhoseChecksumDoesNotMatch() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.WRONG_WEIGHTS_SHA);
        BioimageioPackage pkg = BioimageioPackage.open(zip, cache());
        ModelException e = assertThrows(ModelException.class, () -> PackageVerifier.verify(pkg));
        assertTrue(e.getMessage().contains("tf_weights.zip has SHA-256") && e.getMessage().contains("Fix:")
                && !e.getMessage().contains("\n"), e.getMessage());
        // the weights were not unpacked: only the package's own folder is in the cache
        try (var s = Files.list(tmp.resolve("cache"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void resolvesToTheWeightsFolderAndTheSignatureKeys() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        BioimageioPackage.Resolved r = BioimageioPackage.open(zip, cache()).resolved();
        assertTrue(Files.exists(r.savedModelDir().resolve("saved_model.pb")));
        assertEquals("nhwc", r.layout());
        assertEquals("scale_range", r.preprocessing().get(0).id());
        assertTrue(r.postprocessing().isEmpty());
        assertTrue(r.notes().isEmpty(), r.notes().toString());
        try (var f = sc.fiji.gradcam.model.SavedModelFolder.open(r.savedModelDir())) {
            var sig = sc.fiji.gradcam.model.SavedModelFolder.signature(f.metaGraph(List.of("serve")), null);
            assertEquals(CarePackage.INPUT_TENSOR, sig.inputs().stream().filter(t -> t.key().equals(r.input()))
                    .findFirst().orElseThrow().tensor());
            assertEquals(CarePackage.OUTPUT_TENSOR, sig.outputs().stream().filter(t -> t.key().equals(r.output()))
                    .findFirst().orElseThrow().tensor());
        }
        // the package's scale_range on an image as the plugin holds it: numpy's numbers (percentiles 0 and 116)
        Npy.Array raw = Npy.read(Shared.root().resolve("bioimageio/bsubtilis_widefield_test_input.npy"));
        float[] pre = r.preprocess(raw.values(), 256, 256, 1);
        assertEquals(0.22413792910225924, pre[100 * 256 + 7], 1e-6);
        assertEquals(0.020674343588610183, BioimageioNpyTest.sum(pre) / pre.length, 1e-6);
        ModelOptions o = r.applyTo(ModelOptions.defaults());
        assertEquals(r.input(), o.input());
        assertEquals(r.output(), o.output());
        assertEquals("nhwc", o.layout());
        // what the user chose wins
        assertEquals("mine", r.applyTo(ModelOptions.defaults().withOutput("mine")).output());
        assertTrue(BioimageioPackage.isPackage(zip));
        assertTrue(BioimageioPackage.isPackage(tmp.resolve("care")));
        assertTrue(BioimageioPackage.isPackage(tmp.resolve("care/bioimageio.yaml")));
        assertFalse(BioimageioPackage.isPackage(Shared.model("care_denoise2d_mito")));
        assertFalse(BioimageioPackage.isPackage(Shared.root().resolve("models/care_denoise2d_mito/TF_SavedModel.zip")));
    }

    @Test
    void theReal04DescriptionsSayTheirWeightsAreMissing() {
        for (String name : List.of("bsubtilis_unet_v0_4.bioimageio.yaml", "stardist_example_v0_4.bioimageio.yaml")) {
            Path f = Shared.root().resolve("bioimageio").resolve(name);
            ModelException e = assertThrows(ModelException.class,
                    () -> PackageVerifier.verify(BioimageioPackage.open(f, cache())));
            assertTrue(e.getMessage().contains("has no tensorflow_saved_model_bundle weights")
                    && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
