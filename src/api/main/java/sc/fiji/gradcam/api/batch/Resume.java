package sc.fiji.gradcam.api.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import sc.fiji.gradcam.api.io.Csv;
import sc.fiji.gradcam.api.io.ExplanationWriter;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.api.io.PredictionsCsv.Column;

/**
 * Continuing a killed or partial run: an image is complete when {@code predictions.csv} has its rows, none of them an
 * error, and every planned output file exists. {@code predictions.csv} is rewritten (atomically) to hold only the
 * complete images' rows (a half-written last line is dropped), so that when the rest are done every image appears in
 * it exactly once. Leftover temporary files ({@code .NAME.part}) of the killed run are removed.
 */
final class Resume {

    private Resume() {}

    static Set<Path> keepComplete(BatchOptions o, List<Path> files) throws IOException {
        removeLeftovers(o.out());
        Path csv = o.out().resolve(ExplanationWriter.PREDICTIONS);
        if (!Files.isRegularFile(csv)) {
            return Set.of();
        }
        List<String> lines = completeLines(csv);
        String header = PredictionsCsv.header(o.columns());
        if (lines.isEmpty()) {
            return Set.of();
        }
        if (!lines.get(0).equals(header)) {
            throw new IllegalArgumentException(csv + " has other columns (" + lines.get(0) + ") than this run writes ("
                    + header + "). Fix: resume with the front end that started the run, or choose another output "
                    + "folder.");
        }
        int key = o.columns().contains(Column.IMAGE) ? o.columns().indexOf(Column.IMAGE)
                : o.columns().indexOf(Column.FILE);
        int error = o.columns().contains(Column.ERROR) ? o.columns().indexOf(Column.ERROR)
                : o.columns().indexOf(Column.STATUS);
        Map<String, List<String>> rows = new HashMap<>();
        Set<String> bad = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = Csv.split(line);
            if (key < 0 || key >= cells.size()) {
                continue;
            }
            String k = cells.get(key);
            rows.computeIfAbsent(k, x -> new ArrayList<>()).add(line);
            String e = error >= 0 && error < cells.size() ? cells.get(error) : "";
            if (o.columns().get(error) == Column.ERROR ? !e.isEmpty() : e.startsWith("skipped")) {
                bad.add(k);
            }
        }
        Set<Path> kept = new LinkedHashSet<>();
        List<String> keptLines = new ArrayList<>(List.of(header));
        for (Path f : files) {
            String k = o.columns().get(key) == Column.IMAGE ? f.toString() : f.getFileName().toString();
            if (rows.containsKey(k) && !bad.contains(k) && BatchRunner.complete(BatchRunner.planned(o, f))) {
                kept.add(f);
                keptLines.addAll(rows.get(k));
            }
        }
        BatchRunner.replace(csv, keptLines);
        return kept;
    }

    /** The file's lines, without a last line that a killed run left without its line break. */
    static List<String> completeLines(Path csv) throws IOException {
        String text = Files.readString(csv, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return List.of();
        }
        return new ArrayList<>(text.substring(0, end).lines().toList());
    }

    private static void removeLeftovers(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().endsWith(".part")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
