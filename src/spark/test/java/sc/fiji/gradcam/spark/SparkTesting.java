package sc.fiji.gradcam.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import sc.fiji.gradcam.api.io.Csv;

/** What the Spark tests share: the project's model and images, a quiet session, the job from command-line options. */
final class SparkTesting {

    private SparkTesting() {}

    static Path root() {
        return Path.of(System.getProperty("gradcam.basedir", "../..")).toAbsolutePath().normalize();
    }

    static Path model() {
        return root().resolve("models/malaria-cells");
    }

    static Path images() {
        return root().resolve("test-images");
    }

    /** A session on {@code master} without the UI, with few shuffle partitions (the tables are small). */
    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("gradcam-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "localhost")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    /** The job of these gradcam-spark options. */
    static SparkJob.Job job(String... args) {
        return CommandLine.populateCommand(new GradcamSpark(), args).job();
    }

    /** The CSV's lines after the header, by image (the first cell), each line's cells. */
    static Map<String, List<List<String>>> rowsByImage(Path csv, int cells) throws IOException {
        Map<String, List<List<String>>> rows = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            List<String> c = Csv.split(line);
            rows.computeIfAbsent(c.get(0), k -> new ArrayList<>()).add(c.subList(0, Math.min(cells, c.size())));
        }
        return rows;
    }

    /** The per-image output files of a folder (maps and overlays), by name. */
    static List<Path> imageFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".tif") || n.endsWith(".png");
            }).sorted().toList();
        }
    }
}
