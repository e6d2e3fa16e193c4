package sc.fiji.gradcam.parity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parity test's results: per net, method and comparison the worst agreement over the image/class pairs, and how
 * many maps the peer has with the other sign; written as markdown to {@code target/parity/} (docs/parity.md quotes it).
 */
final class ParityTable {

    private static final Map<String, Row> TABLE = new TreeMap<>();
    /** Per net and method: maps at feature resolution, and how many of them the peer has with the other sign. */
    private static final Map<String, int[]> SIGNS = new TreeMap<>();

    private ParityTable() {}

    /** One line of the results table: the worst agreement over the image/class pairs of a method and comparison. */
    record Row(int pairs, double minPearson, double maxRel, boolean asserted) {
        Row add(Agreement a) {
            return new Row(pairs + 1, Math.min(minPearson, a.pearson()), Math.max(maxRel, a.relDiff()), asserted);
        }
    }

    /** Adds one comparison; {@code asserted}: the test requires it to agree (else it is only reported). */
    static synchronized void record(String net, String method, String what, Agreement a, boolean asserted) {
        TABLE.merge(net + "\t" + method + "\t" + what, new Row(1, a.pearson(), a.relDiff(), asserted),
                (old, x) -> old.add(a));
    }

    /** Counts one map at feature resolution, and whether the peer has it with this project's sign. */
    static synchronized void count(String net, String method, boolean sameSign) {
        int[] n = SIGNS.computeIfAbsent(net + "\t" + method, k -> new int[2]);
        n[0]++;
        n[1] += sameSign ? 0 : 1;
    }

    /** Writes the table to {@code target/parity/parity-results.md} ({@code -Dparity.nets}: with their names) and prints it. */
    static synchronized void write() throws IOException {
        StringBuilder s = new StringBuilder("| net | method | compared | pairs | 1 − min Pearson | max \\|diff\\| / peer max | |\n"
                + "|---|---|---|---|---|---|---|\n");
        TABLE.forEach((key, r) -> {
            String[] k = key.split("\t");
            s.append(String.format(java.util.Locale.ROOT, "| %s | %s | %s | %d | %.1e | %.1e | %s |%n", k[0], k[1], k[2],
                    r.pairs(), 1 - r.minPearson(), r.maxRel(), r.asserted() ? "asserted" : "reported"));
        });
        s.append("\nMaps at feature resolution where the peer's map has the other sign (Eigen sign rule, Ablation-CAM's"
                + " |y_c|):\n\n| net | method | maps | other sign |\n|---|---|---|---|\n");
        SIGNS.forEach((key, n) -> {
            if (n[1] > 0) {
                String[] k = key.split("\t");
                s.append("| ").append(k[0]).append(" | ").append(k[1]).append(" | ").append(n[0]).append(" | ")
                        .append(n[1]).append(" |\n");
            }
        });
        String nets = System.getProperty("parity.nets");
        Path out = Path.of("target", "parity", nets == null ? "parity-results.md" : "parity-results-" + nets + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, s, StandardCharsets.UTF_8);
        System.out.print(s);
    }
}
