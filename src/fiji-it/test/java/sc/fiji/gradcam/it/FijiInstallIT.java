package sc.fiji.gradcam.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import sc.fiji.gradcam.fiji.engine.ChildFirstClassLoader;

/**
 * A Fiji.app laid out from Maven Central (Fiji's own jars at pom-scijava 45.0.0's versions, StarDist/CSBDeep's
 * TensorFlow 1.15 in jars/ and jars/linux64/), with target/fiji/ copied in as the README says. Fiji's launcher puts
 * jars/*.jar and jars/*&#47;*.jar on one flat class path in no set order, so each order gets a fresh JVM that runs
 * {@link FijiSmoke}: TF 1.15 round trip, Grad-CAM twice on the default model and once on a third-party model, TF
 * 1.15 again.
 */
class FijiInstallIT {

    enum Order { FIJI_FIRST, PLUGIN_FIRST, SORTED_BY_NAME }

    static final Path BASE = Paths.get(System.getProperty("fiji.base"));
    static final Path OVERLAY = Paths.get(System.getProperty("fiji.overlay"));
    static final Path ROOT = Paths.get(System.getProperty("gradcam.basedir"));
    static final Path SHARED = Paths.get(System.getProperty("gradcam.shared"));
    static final Path WORK = Paths.get(System.getProperty("it.work"));
    static final Path SMOKE = Paths.get(System.getProperty("smoke.classes"));
    static final Path APP = WORK.resolve("Fiji.app");
    static final Path IMAGE = ROOT.resolve("test-images/Parasitized_C100P61ThinF_IMG_20150918_145042_cell_166.png");
    static final Path THIRD_PARTY = SHARED.resolve("models/potato_leaf/model");

    /** Which protobuf the Fiji has: pom-scijava 45's, or the 3.5 that TF 1.15's proto classes were generated for. */
    enum Protobuf { FIJI_4_32, STARDIST_3_5 }

    static final Path APP3 = WORK.resolve("Fiji-protobuf3.app");
    static final Map<Protobuf, String> BASELINE = new java.util.EnumMap<>(Protobuf.class);

    @BeforeAll
    static void layOut() throws IOException {
        assertTrue(Files.isDirectory(OVERLAY.resolve("jars")), "no " + OVERLAY + ": mvn package lays it out");
        delete(WORK);
        copyTree(BASE.resolve("jars"), APP.resolve("jars"), p -> true);
        copyTree(OVERLAY, APP, p -> true);
        // the same Fiji with StarDist's protobuf instead of Fiji's (the engine keeps its own in lib/gradcam)
        copyTree(APP, APP3, p -> !(p.getParent().equals(APP.resolve("jars"))
                && p.getFileName().toString().startsWith("protobuf-java")));
        copyTree(BASE.resolve("protobuf3"), APP3.resolve("jars"), p -> true);
    }

    static Path app(Protobuf protobuf) {
        return protobuf == Protobuf.FIJI_4_32 ? APP : APP3;
    }

    /** What TF 1.15's MetaGraphDef does in this Fiji without the plugin (its jars are not on the class path). */
    static synchronized String baseline(Protobuf protobuf) throws Exception {
        if (!BASELINE.containsKey(protobuf)) {
            Path app = app(protobuf);
            List<Path> cp = new ArrayList<>(classPath(app, Order.FIJI_FIRST));
            cp.removeAll(pluginJars(app));
            String out = smoke(app, cp, List.of(), "--baseline");
            assertTrue(out.contains("SMOKE OK"), out);
            BASELINE.put(protobuf, line(out, "tf 1.15 MetaGraphDef before: "));
        }
        return BASELINE.get(protobuf);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> fijis() {
        return Stream.of(Protobuf.values()).flatMap(p -> Stream.of(Order.values()).map(o ->
                org.junit.jupiter.params.provider.Arguments.of(p, o)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @org.junit.jupiter.params.provider.MethodSource("fijis")
    void grad_cam_and_stardist_tensorflow_coexist(Protobuf protobuf, Order order) throws Exception {
        Path app = app(protobuf);
        String without = baseline(protobuf);
        if (protobuf == Protobuf.STARDIST_3_5) {
            assertEquals("ok", without, "TF 1.15's MetaGraphDef must parse with the protobuf it was generated for");
        }
        // Fiji's launcher sets imagej.dir; without it the plugin finds Fiji.app from its jar's location
        List<String> props = order == Order.FIJI_FIRST ? List.of("-Dimagej.dir=" + app) : List.of();
        String out = smoke(app, classPath(app, order), props, IMAGE.toString(), THIRD_PARTY.toString());
        assertTrue(out.contains("SMOKE OK"), out);
        assertTrue(out.contains("tf 1.15 round trip before: ok") && out.contains("tf 1.15 round trip after: ok"), out);
        assertTrue(out.contains("default model, run 2: Parasitized"), out);
        assertTrue(out.contains("third-party model potato_leaf: Potato"), out);
        assertTrue(out.contains("engine: DJL 0.36.0 TensorFlow 2.16"), out);
        // StarDist's protobuf use is exactly what it is without the plugin, before and after Grad-CAM ran
        assertEquals(without, line(out, "tf 1.15 MetaGraphDef before: "), out);
        String after = line(out, "tf 1.15 MetaGraphDef after: ");
        assertEquals(without.equals("ok"), after.equals("ok"), out);
    }

    static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no '" + prefix + "' in\n" + out));
    }

    @Test
    void missing_natives_are_one_clear_error() throws Exception {
        Path app = WORK.resolve("Fiji-no-natives.app");
        copyTree(APP, app, p -> !p.getFileName().toString().startsWith("tensorflow-core-native"));
        String out = smoke(app, classPath(app, Order.SORTED_BY_NAME), List.of(), IMAGE.toString());
        assertTrue(out.contains("SMOKE FAILED"), out);
        assertTrue(out.contains("No TensorFlow natives for this platform"), out);
        assertTrue(out.contains("-Dtf.native.classifier="), out);
        assertFalse(out.contains("UnsatisfiedLinkError"), out);
        assertTrue(out.contains("tf 1.15 round trip before: ok"), out);
    }

    @Test
    void plugin_jars_are_engine_free_and_duplicate_nothing_fiji_ships() throws IOException {
        List<Path> plugin = pluginJars(APP);
        assertEquals(Set.of("gradcam-api", "gradcam-fiji"), plugin.stream().map(p -> p.getFileName().toString()
                .replaceAll("-\\d.*", "")).collect(Collectors.toSet()), "jars/ of the overlay: " + plugin);
        Set<String> ours = classes(plugin);
        for (String c : ours) {
            assertTrue(c.startsWith("sc/fiji/gradcam/"), "not the plugin's own class in jars/: " + c);
        }
        Set<String> fiji = classes(jars(BASE.resolve("jars")));
        fiji.addAll(classes(jars(BASE.resolve("jars/linux64"))));
        Set<String> both = new TreeSet<>(ours);
        both.retainAll(fiji);
        assertTrue(both.isEmpty(), "classes both in the plugin's jars and Fiji's: " + both);
    }

    @Test
    void engine_folder_shares_no_class_with_the_plugin_jars() throws IOException {
        Set<String> engine = classes(jars(APP.resolve("lib/gradcam")));
        Set<String> ours = classes(pluginJars(APP));
        Set<String> both = new TreeSet<>(engine);
        both.retainAll(ours);
        assertTrue(both.isEmpty(), "classes both in lib/gradcam and the plugin's jars: " + both);
        List<String> parentFirst = engine.stream().filter(c -> c.endsWith(".class"))
                .filter(ChildFirstClassLoader::parentFirst).limit(5).toList();
        assertTrue(parentFirst.isEmpty(), "engine classes that could never load (parent-first): " + parentFirst);
        assertTrue(engine.contains("org/tensorflow/Graph.class") && engine.contains("com/google/protobuf/Message.class")
                && engine.contains("org/bytedeco/javacpp/Loader.class") && engine.contains(
                        "sc/fiji/gradcam/explain/Explainer.class"), "the engine folder lacks the engine");
        Set<String> fiji = classes(jars(BASE.resolve("jars")));
        Set<String> shadowed = new TreeSet<>(engine);
        shadowed.retainAll(fiji);
        System.out.println("Classes in both lib/gradcam and Fiji's jars (isolated by the child-first loader): "
                + shadowed.size());
    }

    @Test
    void report_install_size() throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        sizes.put("jars/ (gradcam-api, gradcam-fiji)", size(pluginJars(APP)));
        List<Path> engine = jars(APP.resolve("lib/gradcam"));
        sizes.put("lib/gradcam/ without natives", size(engine.stream().filter(p -> !p.getFileName().toString()
                .startsWith("tensorflow-core-native")).toList()));
        for (Path natives : engine.stream().filter(p -> p.getFileName().toString().startsWith("tensorflow-core-native"))
                .toList()) {
            sizes.put("lib/gradcam/" + natives.getFileName(), Files.size(natives));
        }
        sizes.put("lib/gradcam/models/", size(walk(APP.resolve("lib/gradcam/models"))));
        StringBuilder b = new StringBuilder("Install size (target/fiji):\n");
        sizes.forEach((k, v) -> b.append(String.format("  %-60s %8.1f MB%n", k, v / 1e6)));
        System.out.print(b);
        Files.writeString(WORK.resolve("install-size.txt"), b.toString());
        assertTrue(sizes.get("jars/ (gradcam-api, gradcam-fiji)") < 2_000_000, b.toString());
    }

    // --- helpers

    static String smoke(Path app, List<Path> classPath, List<String> props, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true",
                // a fresh Fiji: no SciJava preferences (the last model chosen) from an earlier run
                "-Djava.util.prefs.userRoot=" + Files.createTempDirectory(WORK, "prefs")));
        cmd.addAll(props);
        List<Path> cp = new ArrayList<>(classPath);
        cp.add(SMOKE);
        cmd.addAll(List.of("-cp", cp.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
                FijiSmoke.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true);
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out");
        System.out.println("---- " + app.getFileName() + " " + props + "\n" + out);
        return out;
    }

    /** The class path Fiji's launcher builds (jars/*.jar and jars/*&#47;*.jar) in the given order. */
    static List<Path> classPath(Path app, Order order) throws IOException {
        List<Path> all = new ArrayList<>(jars(app.resolve("jars")));
        try (Stream<Path> subs = Files.list(app.resolve("jars"))) {
            for (Path sub : subs.filter(Files::isDirectory).sorted().toList()) {
                all.addAll(jars(sub));
            }
        }
        List<Path> plugin = pluginJars(app);
        List<Path> fiji = all.stream().filter(p -> !plugin.contains(p)).toList();
        List<Path> cp = new ArrayList<>();
        switch (order) {
            case FIJI_FIRST -> { cp.addAll(fiji); cp.addAll(plugin); }
            case PLUGIN_FIRST -> { cp.addAll(plugin); cp.addAll(fiji); }
            default -> { cp.addAll(all); cp.sort(Comparator.comparing(p -> p.getFileName().toString())); }
        }
        return cp;
    }

    static List<Path> pluginJars(Path app) throws IOException {
        return jars(app.resolve("jars")).stream().filter(p -> p.getFileName().toString().startsWith("gradcam-")).toList();
    }

    static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    static Set<String> classes(List<Path> jars) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path j : jars) {
            try (ZipFile z = new ZipFile(j.toFile())) {
                z.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/")
                        && !n.endsWith("module-info.class")).forEach(names::add);
            }
        }
        return names;
    }

    static long size(List<Path> files) throws IOException {
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        return total;
    }

    static List<Path> walk(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** Copies a tree, hard-linking files where the file system allows (the natives are 150 MB). */
    static void copyTree(Path from, Path to, java.util.function.Predicate<Path> keep) throws IOException {
        for (Path f : walk(from)) {
            if (!keep.test(f)) {
                continue;
            }
            Path target = to.resolve(from.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            try {
                Files.createLink(target, f);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(f, target);
            }
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
