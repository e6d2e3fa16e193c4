package sc.fiji.gradcam.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.api.Precision;

/**
 * The {@link Precision#BF16} mode: grappler's oneDNN automatic mixed precision
 * ({@code RewriterConfig.auto_mixed_precision_onednn_bfloat16 = ON}) in the config of the session that runs the model
 * and every gradient graph built on it. TensorFlow's meta-optimizer adds that rewrite only when oneDNN is on
 * ({@code IsMKLEnabled()}: on by default in the Linux x86-64 natives on CPUs with AVX512_VNNI / AVX512_BF16 / AMX, off
 * with {@code TF_ENABLE_ONEDNN_OPTS=0}); then, for each new fetch set, it paints Conv2D, its input and filter gradients,
 * depthwise convolutions and their gradients, MatMul and BatchMatMul bfloat16 and lets the element-wise ops between
 * them follow; the feeds, the fetched tensors and Exp / Mean / softmax cross entropy stay float32 (casts at the
 * borders). Without the CPU's bfloat16 instructions oneDNN would emulate them, slower than float32, so the mode
 * refuses to run there.
 */
public final class Bfloat16 {

    /** /proc/cpuinfo flags that give oneDNN native bfloat16 dot products. */
    static final Set<String> FLAGS = Set.of("avx512_bf16", "amx_bf16");

    /**
     * Said on every bf16 load: measured on an AMD EPYC (Zen 5, avx512_bf16) with TF 2.16's natives, the rewritten
     * graphs' bfloat16 convolutions gave wrong outputs that change from run to run (a 0.94 cell 1.0 or 0.0, a 0.9999
     * potato leaf another class), also with one thread and with oneDNN capped below its bf16 ISA; with Conv2D kept
     * float32 the outputs matched float32's. docs/benchmark.md, "bfloat16".
     */
    public static final String WARNING = "precision bf16 is experimental: with these TensorFlow 2.16 natives its "
            + "bfloat16 convolutions gave wrong, run-to-run different outputs where it was measured "
            + "(docs/benchmark.md, bfloat16); compare with --precision float32 before trusting its maps.";

    /**
     * The opt-in that lets bf16 run at all, as a system property ({@code -Dgradcam.bf16=experimental}) or an
     * environment variable ({@code GRADCAM_BF16=experimental}): its maps were wrong where it was measured, so a user
     * who picks {@code precision=bf16} in a dialog gets the reason and this opt-in instead of wrong maps.
     */
    public static final String OPT_IN_PROPERTY = "gradcam.bf16";
    public static final String OPT_IN_ENV = "GRADCAM_BF16";
    public static final String OPT_IN_VALUE = "experimental";

    static final String NOT_OPTED_IN = "Precision bf16 is experimental: with these TensorFlow 2.16 natives its "
            + "bfloat16 convolutions gave wrong, run-to-run different outputs where it was measured "
            + "(docs/benchmark.md, bfloat16).";
    static final String OPT_IN_FIX = "use precision float32 (the default), or opt in to measure it with -D"
            + OPT_IN_PROPERTY + "=" + OPT_IN_VALUE + " (or " + OPT_IN_ENV + "=" + OPT_IN_VALUE + ").";

    private static volatile String problem;
    private static volatile boolean checked;

    private Bfloat16() {}

    /** Throws {@link ModelException} (problem and fix, one line) when this machine cannot run bfloat16. */
    public static void check() {
        checkMachine();
        if (!optedIn(System.getProperty(OPT_IN_PROPERTY), System.getenv(OPT_IN_ENV))) {
            throw new ModelException(NOT_OPTED_IN, OPT_IN_FIX);
        }
    }

    /** As {@link #check()} without the opt-in: whether this machine can run bfloat16 at all. */
    static void checkMachine() {
        if (!checked) {
            problem = problem(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), cpuFlags(),
                    System.getenv("TF_ENABLE_ONEDNN_OPTS"));
            checked = true;
        }
        if (problem != null) {
            throw new ModelException(problem, FIX);
        }
    }

    /** Whether the property or the environment variable says {@value #OPT_IN_VALUE}. */
    static boolean optedIn(String property, String env) {
        return OPT_IN_VALUE.equalsIgnoreCase(property == null ? null : property.trim())
                || OPT_IN_VALUE.equalsIgnoreCase(env == null ? null : env.trim());
    }

    private static final String FIX = "use precision float32 (the default), or run on a Linux x86-64 CPU with "
            + "bfloat16 instructions (avx512_bf16 or amx_bf16 in /proc/cpuinfo: Intel Cooper Lake, Sapphire Rapids "
            + "or later; AMD Zen 4 or later) with TF_ENABLE_ONEDNN_OPTS unset or 1.";

    /**
     * Why bfloat16 cannot run here, or null when it can.
     *
     * @param flags the CPU's feature flags (/proc/cpuinfo), null when they cannot be read
     * @param onednnOpts the value of {@code TF_ENABLE_ONEDNN_OPTS}, null when unset
     */
    static String problem(String os, String arch, Set<String> flags, String onednnOpts) {
        String o = os.toLowerCase(Locale.ROOT);
        String a = arch.toLowerCase(Locale.ROOT);
        if (!o.contains("linux") || !(a.equals("amd64") || a.equals("x86_64"))) {
            return "Precision bf16 needs TensorFlow's oneDNN bfloat16 rewrite, which its natives run only on Linux "
                    + "x86-64; this is " + os + " " + arch + ".";
        }
        if (flags == null) {
            return "Precision bf16 needs a CPU with bfloat16 instructions, and /proc/cpuinfo cannot be read to "
                    + "check.";
        }
        if (flags.stream().noneMatch(FLAGS::contains)) {
            return "Precision bf16 needs a CPU with bfloat16 instructions (avx512_bf16 or amx_bf16); this CPU ("
                    + cpuModel() + ") has neither, so bfloat16 would be emulated and slower than float32.";
        }
        if (onednnOpts != null) {
            String v = onednnOpts.trim().toLowerCase(Locale.ROOT);
            if (v.equals("0") || v.equals("false")) {
                return "Precision bf16 needs TensorFlow's oneDNN optimisations, and TF_ENABLE_ONEDNN_OPTS="
                        + onednnOpts.trim() + " turns them off (the bfloat16 rewrite would silently not run).";
            }
        }
        return null;
    }

    /**
     * The session config for {@code precision}: null for float32 (DJL's and TF Java's own default config, as before
     * the option existed); for bf16, {@code base} (DJL's thread settings) with the rewrite switched on.
     */
    public static ConfigProto sessionConfig(Precision precision, ConfigProto base) {
        if (precision != Precision.BF16) {
            return null;
        }
        ConfigProto b = base == null ? ConfigProto.getDefaultInstance() : base;
        GraphOptions g = b.getGraphOptions();
        RewriterConfig r = g.getRewriteOptions().toBuilder()
                .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON).build();
        return b.toBuilder().setGraphOptions(g.toBuilder().setRewriteOptions(r)).build();
    }

    /** Whether {@code config} (as given to a session) switches the bfloat16 rewrite on. */
    public static boolean rewriteOn(ConfigProto config) {
        return config != null && config.getGraphOptions().getRewriteOptions()
                .getAutoMixedPrecisionOnednnBfloat16() == RewriterConfig.Toggle.ON;
    }

    /** The flags of /proc/cpuinfo's first processor, or null. */
    static Set<String> cpuFlags() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return null;
        }
        try (Stream<String> lines = Files.lines(info)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> new HashSet<>(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                    .map(s -> (Set<String>) s).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown model");
        } catch (IOException | RuntimeException e) {
            return "unknown model";
        }
    }

    /** Whether this machine can run bfloat16 (what {@link #check()} accepts once opted in). */
    public static boolean available() {
        try {
            checkMachine();
            return true;
        } catch (ModelException e) {
            return false;
        }
    }
}
