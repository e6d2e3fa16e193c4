package sc.fiji.gradcam.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.Precision;

/** When bf16 is refused (one line, problem and fix) and what it puts in the session config. */
class Bfloat16Test {

    private static final Set<String> ZEN4 = Set.of("avx2", "avx512f", "avx512_vnni", "avx512_bf16");
    private static final Set<String> SKYLAKE = Set.of("avx2", "avx512f", "avx512bw");

    @Test
    void acceptsLinuxX86WithBf16Instructions() {
        assertNull(Bfloat16.problem("Linux", "amd64", ZEN4, null));
        assertNull(Bfloat16.problem("Linux", "amd64", Set.of("avx512f", "amx_bf16", "amx_tile"), "1"));
        assertNull(Bfloat16.problem("Linux", "x86_64", ZEN4, "true"));
    }

    @Test
    void refusesACpuWithoutBf16NamingTheFlagsAndTheFix() {
        String p = Bfloat16.problem("Linux", "amd64", SKYLAKE, null);
        assertTrue(p.contains("avx512_bf16") && p.contains("amx_bf16") && p.contains("neither"), p);
        assertTrue(Bfloat16.problem("Linux", "amd64", null, null).contains("/proc/cpuinfo"));
        assertTrue(Bfloat16.problem("Mac OS X", "aarch64", ZEN4, null).contains("Linux x86-64"));
        assertTrue(Bfloat16.problem("Windows 11", "amd64", ZEN4, null).contains("Linux x86-64"));
    }

    @Test
    void refusesOneDnnSwitchedOff() {
        String p = Bfloat16.problem("Linux", "amd64", ZEN4, "0");
        assertTrue(p.contains("TF_ENABLE_ONEDNN_OPTS=0"), p);
        assertTrue(Bfloat16.problem("Linux", "amd64", ZEN4, "False").contains("TF_ENABLE_ONEDNN_OPTS"));
    }

    /** Read independently of {@link Bfloat16}: a check that wrongly refused this machine would fail here. */
    @Test
    void theCheckAgreesWithThisMachinesCpuinfo() throws Exception {
        Path info = Path.of("/proc/cpuinfo");
        boolean linuxX86 = System.getProperty("os.name").toLowerCase().contains("linux")
                && Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        String flags = Files.isReadable(info) ? Files.readString(info) : "";
        String env = System.getenv("TF_ENABLE_ONEDNN_OPTS");
        boolean off = env != null && Set.of("0", "false").contains(env.trim().toLowerCase());
        boolean expected = linuxX86 && !off && (flags.contains(" avx512_bf16") || flags.contains(" amx_bf16"));
        assertEquals(expected, Bfloat16.available());
        if (expected) {
            Bfloat16.checkMachine();
            String previous = System.clearProperty(Bfloat16.OPT_IN_PROPERTY);
            try {
                if (System.getenv(Bfloat16.OPT_IN_ENV) == null) {
                    ModelException e = assertThrows(ModelException.class, Bfloat16::check);
                    assertTrue(e.getMessage().startsWith("Precision bf16 is experimental"), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), "one line");
                }
                System.setProperty(Bfloat16.OPT_IN_PROPERTY, "experimental");
                Bfloat16.check();
            } finally {
                if (previous == null) {
                    System.clearProperty(Bfloat16.OPT_IN_PROPERTY);
                } else {
                    System.setProperty(Bfloat16.OPT_IN_PROPERTY, previous);
                }
            }
        } else {
            ModelException e = assertThrows(ModelException.class, Bfloat16::check);
            assertTrue(e.getMessage().startsWith("Precision bf16 needs"), e.getMessage());
            assertTrue(e.getMessage().contains("Fix: use precision float32"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void theOptInIsThePropertyOrTheEnvironmentSayingExperimental() {
        assertTrue(Bfloat16.optedIn("experimental", null));
        assertTrue(Bfloat16.optedIn(null, " Experimental "));
        assertFalse(Bfloat16.optedIn(null, null));
        assertFalse(Bfloat16.optedIn("true", "1"));
    }

    @Test
    void float32KeepsTheLoadersDefaultAndBf16AddsTheRewriteToDjlsConfig() {
        ConfigProto djl = ConfigProto.newBuilder().setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1)
                .build();
        assertNull(Bfloat16.sessionConfig(Precision.FLOAT32, djl));
        ConfigProto c = Bfloat16.sessionConfig(Precision.BF16, djl);
        assertEquals(RewriterConfig.Toggle.ON, c.getGraphOptions().getRewriteOptions()
                .getAutoMixedPrecisionOnednnBfloat16());
        assertEquals(2, c.getIntraOpParallelismThreads());
        assertEquals(1, c.getInterOpParallelismThreads());
        assertTrue(Bfloat16.rewriteOn(c));
        assertFalse(Bfloat16.rewriteOn(djl));
        assertFalse(Bfloat16.rewriteOn(null));
        assertTrue(Bfloat16.rewriteOn(Bfloat16.sessionConfig(Precision.BF16, null)));
    }

    @Test
    void precisionParsesItsSpellingsAndRefusesOthers() {
        assertEquals(Precision.FLOAT32, Precision.parse(null));
        assertEquals(Precision.FLOAT32, Precision.parse(" Float32 "));
        assertEquals(Precision.BF16, Precision.parse("bf16"));
        assertEquals(Precision.BF16, Precision.parse("bfloat16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
        assertEquals("Unknown precision 'fp16'. Valid: float32, bf16.", e.getMessage());
    }
}
