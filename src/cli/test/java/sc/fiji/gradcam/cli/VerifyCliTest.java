package sc.fiji.gradcam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.bioimageio.CarePackage;
import sc.fiji.gradcam.support.Shared;

/** {@code gradcam verify}: table, JSON, exit codes 0 / 1 / 2 on packages built around the real CARE model. */
class VerifyCliTest {

    @TempDir
    Path tmp;

    @Test
    void passesWithExitZeroAndJson() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.NONE);
        String cache = tmp.resolve("cache").toString();
        CliTest.Run r = CliTest.run("verify", "--model", zip.toString(), "--cache", cache, "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("passed").getAsBoolean());
        assertEquals("0.5.3", o.get("format_version").getAsString());
        JsonObject out = o.getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertEquals("restored", out.get("id").getAsString());
        assertEquals(0, out.get("mismatches").getAsLong());
        assertTrue(out.get("max_abs_diff").getAsDouble() < 1e-5);
        assertEquals(4, out.getAsJsonArray("shape").size());
        CliTest.Run table = CliTest.run("verify", "--model", tmp.resolve("care/bioimageio.yaml").toString(),
                "--cache", cache);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("restored") && table.out().contains("PASS"), table.out());
    }

    @Test
    void failsWithExitOneOnATamperedOutput() throws Exception {
        Path zip = CarePackage.build(tmp, CarePackage.Flaw.TAMPERED_OUTPUT);
        CliTest.Run r = CliTest.run("verify", "--model", zip.toString(), "--cache", tmp.resolve("cache").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains("FAIL"), r.out());
        assertTrue(r.out().contains(String.valueOf((256 * 256 + 2) / 3)), r.out());
    }

    @Test
    void refusesBadPackagesWithExitTwoAndOneLine() throws Exception {
        Path evil = tmp.resolve("evil.zip");
        try (OutputStream o = Files.newOutputStream(evil); ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry("rdf.yaml"));
            z.write("type: model\n".getBytes());
            z.putNextEntry(new ZipEntry("../../escaped.txt"));
            z.write("x".getBytes());
        }
        Path cache = tmp.resolve("sub/cache");
        CliTest.Run r = CliTest.run("verify", "--model", evil.toString(), "--cache", cache.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
        assertTrue(r.err().contains("outside its folder") && r.err().contains("Fix:"), r.err());
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
        assertFalse(Files.exists(tmp.resolve("sub/escaped.txt")));
        // a real 0.4 description whose weights are not there
        CliTest.Run w = CliTest.run("verify", "--model", Shared.root().resolve(
                "bioimageio/stardist_example_v0_4.bioimageio.yaml").toString(), "--cache", cache.toString());
        assertEquals(2, w.code(), w.err());
        assertTrue(w.err().contains("TF_SavedModel.zip"), w.err());
        CliTest.Run missing = CliTest.run("verify", "--model", tmp.resolve("nothing.yaml").toString());
        assertEquals(2, missing.code());
    }
}
