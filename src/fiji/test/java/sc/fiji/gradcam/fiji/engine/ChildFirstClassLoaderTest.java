package sc.fiji.gradcam.fiji.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.RuntimeUnavailableException;

class ChildFirstClassLoaderTest {

    /** A class outside the parent-first packages, present both in the parent and in the child's jar. */
    public static final class Probe {}

    @TempDir Path dir;

    private Path jar(String resourceText) throws IOException {
        Path jar = dir.resolve("child.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Class<?> c : List.of(Probe.class, Method.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                j.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(j);
                }
            }
            j.putNextEntry(new JarEntry("sc/fiji/gradcam/fiji/engine/probe.txt"));
            j.write(resourceText.getBytes(StandardCharsets.UTF_8));
            j.putNextEntry(new JarEntry("META-INF/services/probe"));
            j.write("child".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    @Test
    void classes_outside_the_shared_packages_come_from_the_child() throws Exception {
        try (ChildFirstClassLoader l = new ChildFirstClassLoader(new URL[] {jar("x").toUri().toURL()},
                getClass().getClassLoader())) {
            Class<?> probe = l.loadClass(Probe.class.getName());
            assertNotSame(Probe.class, probe, "a class the child holds must be the child's own");
            assertSame(l, probe.getClassLoader());
            assertSame(probe, l.loadClass(Probe.class.getName()), "loaded once");
            // the API package is shared: the parent's class, although the child's jar holds a copy
            assertSame(Method.class, l.loadClass(Method.class.getName()));
            // what the child lacks comes from the parent
            assertSame(Test.class, l.loadClass(Test.class.getName()));
            assertSame(String.class, l.loadClass("java.lang.String"));
            assertThrows(ClassNotFoundException.class, () -> l.loadClass("no.such.Type"));
        }
    }

    @Test
    void resources_come_from_the_child_first() throws Exception {
        Files.createDirectories(dir.resolve("parent/sc/fiji/gradcam/fiji/engine"));
        Files.writeString(dir.resolve("parent/sc/fiji/gradcam/fiji/engine/probe.txt"), "parent");
        try (java.net.URLClassLoader parent = new java.net.URLClassLoader(new URL[] {dir.resolve("parent").toUri()
                .toURL()}, getClass().getClassLoader());
                ChildFirstClassLoader l = new ChildFirstClassLoader(new URL[] {jar("child").toUri().toURL()}, parent)) {
            try (InputStream in = l.getResourceAsStream("sc/fiji/gradcam/fiji/engine/probe.txt")) {
                assertEquals("child", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            List<URL> all = Collections.list(l.getResources("sc/fiji/gradcam/fiji/engine/probe.txt"));
            assertEquals(2, all.size());
            assertTrue(all.get(0).toString().contains("child.jar"), all.toString());
            assertTrue(l.getResource("META-INF/services/probe").toString().contains("child.jar"));
        }
    }

    @Test
    void the_parent_first_packages_are_the_shared_ones() {
        for (String shared : List.of("java.lang.String", "sc.fiji.gradcam.api.Method", "org.scijava.Context",
                "net.imglib2.img.Img", "ij.ImagePlus", "org.slf4j.Logger", "ij/IJ_Props.txt")) {
            assertTrue(ChildFirstClassLoader.parentFirst(shared), shared);
        }
        for (String own : List.of("org.tensorflow.Graph", "com.google.protobuf.Message", "org.bytedeco.javacpp.Loader",
                "ai.djl.engine.Engine", "sc.fiji.gradcam.explain.Explainer", "com.google.gson.Gson", "com.sun.jna.Native",
                "org/tensorflow/internal/c_api/linux-x86_64/libjnitensorflow.so", "sc.fiji.gradcam.apix.Y")) {
            assertFalse(ChildFirstClassLoader.parentFirst(own), own);
        }
    }

    @Test
    void a_missing_or_empty_engine_folder_is_one_clear_error() throws IOException {
        RuntimeUnavailableException missing = assertThrows(RuntimeUnavailableException.class,
                () -> EngineLoader.load(dir.resolve("nope"), getClass().getClassLoader()));
        assertTrue(missing.getMessage().contains("does not exist") && missing.getMessage().contains("target/fiji"),
                missing.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        RuntimeUnavailableException empty = assertThrows(RuntimeUnavailableException.class,
                () -> EngineLoader.load(dir.resolve("empty"), getClass().getClassLoader()));
        assertTrue(empty.getMessage().contains("holds no jar"), empty.getMessage());
        RuntimeUnavailableException noEngine = assertThrows(RuntimeUnavailableException.class,
                () -> EngineLoader.load(jarFolder(), ClassLoader.getPlatformClassLoader()));
        assertTrue(noEngine.getMessage().contains("not installed"), noEngine.getMessage());
    }

    @Test
    void on_a_flat_class_path_the_engine_is_found_there_and_kept() {
        EngineLoader.Loaded a = EngineLoader.get();
        assertSame(a, EngineLoader.get(), "one engine per JVM");
        assertTrue(a.folder() == null && a.loader() == EngineLoader.class.getClassLoader(), a.toString());
    }

    private Path jarFolder() throws IOException {
        Path d = Files.createDirectories(dir.resolve("jars-only"));
        Files.copy(jar("x"), d.resolve("child.jar"));
        return d;
    }
}
