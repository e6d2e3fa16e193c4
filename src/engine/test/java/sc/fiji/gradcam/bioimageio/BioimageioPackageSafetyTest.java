package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ModelException;

/**
 * Hostile package zips: each is refused with one line naming the problem and the fix, and nothing is written
 * anywhere, the cache included.
 */
class BioimageioPackageSafetyTest {

    @TempDir
    Path tmp;

    private static Set<String> tree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return new TreeSet<>(s.map(p -> dir.relativize(p).toString()).toList());
        }
    }

    /**
     * Unpacks {@code zip} (in {@code tmp/a/b/c/work/in}) into the cache {@code tmp/a/b/c/work/cache} and returns the
     * refusal; checks that nothing was written anywhere below {@code tmp} (three folders above the cache, far enough
     * for the climbing entries below) and that the cache holds nothing.
     */
    private String refused(byte[] zip, PackageCache.Limits limits) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("a/b/c/work"));
        Path in = Files.createDirectories(work.resolve("in"));
        Path file = in.resolve("package.zip");
        Files.write(file, zip);
        Path cacheDir = work.resolve("cache");
        Set<String> before = tree(tmp);
        before.removeIf(n -> n.startsWith("a/b/c/work/cache"));
        ModelException e = assertThrows(ModelException.class,
                () -> new PackageCache(cacheDir, limits).unpack(file));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.contains("Fix:"), m);
        Set<String> after = tree(tmp);
        after.removeIf(n -> n.startsWith("a/b/c/work/cache"));
        assertEquals(before, after, "files were written outside the cache");
        if (Files.exists(cacheDir)) {
            assertEquals(Set.of(""), tree(cacheDir), "the cache kept something of a refused zip");
        }
        return m;
    }

    private String refused(byte[] zip) throws Exception {
        return refused(zip, PackageCache.Limits.DEFAULT);
    }

    @Test
    void unpacksAnHonestZipOnceAtomically() throws Exception {
        Path file = tmp.resolve("ok.zip");
        Files.write(file, new RawZip().add("rdf.yaml", "type: model\n").add("sub/a.txt", "a").bytes());
        PackageCache cache = new PackageCache(tmp.resolve("cache"), PackageCache.Limits.DEFAULT);
        Path dir = cache.unpack(file);
        assertEquals(tmp.resolve("cache").resolve(PackageCache.sha256(file)), dir);
        assertEquals("a", Files.readString(dir.resolve("sub/a.txt")));
        // only the hash-named folder: no temporary folder left
        try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
            assertEquals(List.of(dir), s.toList());
        }
        Files.writeString(dir.resolve("marker"), "kept");
        assertEquals(dir, cache.unpack(file));
        assertTrue(Files.exists(dir.resolve("marker")), "a complete folder is reused, not unpacked again");
    }

    @Test
    void refusesEntriesThatClimbOut() throws Exception {
        String m = refused(new RawZip().add("rdf.yaml", "x").add("../../../x", "evil").bytes());
        assertTrue(m.contains("outside its folder") && m.contains("../../../x"), m);
        refused(new RawZip().add("a/../../../x", "evil").bytes());
        refused(new RawZip().add("a\\..\\..\\x", "evil").bytes());
    }

    @Test
    void refusesAbsolutePathsAndDriveLetters() throws Exception {
        String abs = tmp.resolve("abs-x").toAbsolutePath().toString();
        String m = refused(new RawZip().add(abs, "evil").bytes());
        assertTrue(m.contains("absolute"), m);
        assertFalse(Files.exists(Path.of(abs)));
        refused(new RawZip().add("C:/x", "evil").bytes());
        refused(new RawZip().add("C:\\x", "evil").bytes());
        refused(new RawZip().add("\\x", "evil").bytes());
    }

    @Test
    void refusesSymbolicLinks() throws Exception {
        byte[] target = "../../../../etc/passwd".getBytes(StandardCharsets.UTF_8);
        String m = refused(new RawZip().add(new RawZip.Entry("link", target, false, -1, 0120777)).bytes());
        assertTrue(m.contains("symbolic link"), m);
    }

    @Test
    void refusesABombByDeclaredSize() throws Exception {
        // 3 GB declared in a zip of a few hundred bytes: refused before anything is unpacked
        String m = refused(new RawZip().add(new RawZip.Entry("big.bin", new byte[100], true, 3_000_000_000L, 0))
                .bytes());
        assertTrue(m.contains("declares 3000000000 bytes") && m.contains("zip bomb"), m);
    }

    @Test
    void refusesABombWhoseHeadersLie() throws Exception {
        // 20 MB of zeros deflate to ~20 KB; both headers claim 100 bytes: caught while streaming
        byte[] zeros = new byte[20 << 20];
        String m = refused(new RawZip().add(new RawZip.Entry("bomb.bin", zeros, true, 100, 0)).bytes());
        assertTrue(m.contains("more bytes than its header declares"), m);
        // honest headers, but beyond 100 x the zip and the floor (small here)
        m = refused(new RawZip().add(new RawZip.Entry("bomb.bin", zeros, true, -1, 0)).bytes(),
                new PackageCache.Limits(100, 1 << 20));
        assertTrue(m.contains("zip bomb"), m);
    }

    @Test
    void refusesDuplicateNames() throws Exception {
        String m = refused(new RawZip().add("rdf.yaml", "a").add("rdf.yaml", "b").bytes());
        assertTrue(m.contains("two entries"), m);
    }

    @Test
    void refusesAChecksumMismatch() throws Exception {
        Path f = tmp.resolve("w.zip");
        Files.writeString(f, "weights");
        ModelException e = assertThrows(ModelException.class, () -> PackageCache.checkSha256(f,
                "0".repeat(64), "The weights file"));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("Fix:")
                && !e.getMessage().contains("\n"), e.getMessage());
        PackageCache.checkSha256(f, PackageCache.sha256(f).toUpperCase(), "The weights file");
    }

    @Test
    void refusesDescribedFilesOutsideThePackage() throws Exception {
        Path pkg = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(tmp.resolve("secret.npy"), "x");
        Files.writeString(pkg.resolve("rdf.yaml"), BioimageioDescriptionTest.V05
                .replace("source: in.npy", "source: ../secret.npy"));
        BioimageioPackage p = BioimageioPackage.open(pkg, new PackageCache(tmp.resolve("cache"),
                PackageCache.Limits.DEFAULT));
        ModelException e = assertThrows(ModelException.class, () -> p.testTensor(p.description().inputs().get(0)));
        assertTrue(e.getMessage().contains("outside the package"), e.getMessage());
        ModelException w = assertThrows(ModelException.class, p::savedModelDir);
        assertTrue(w.getMessage().contains("has no tensorflow_saved_model_bundle weights weights.zip"),
                w.getMessage());
    }
}
