package sc.fiji.gradcam.api.io;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import sc.fiji.gradcam.api.Explanation;

/**
 * {@code predictions.csv}: a row per explained plane and target, and one per file (or plane) that was not explained,
 * written as they come. The CLI and the Fiji batch keep the columns their users rely on ({@link #CLI}, {@link #BATCH}),
 * drawn from one set of {@link Column}s that are formatted the same way (probabilities {@code %.6g}).
 */
public final class PredictionsCsv implements PredictionRows {

    /** The columns; the header of each is its name in lower case. */
    public enum Column {
        /** the image path as given. */
        IMAGE,
        /** the image's file name. */
        FILE,
        /** 1-based plane (z × t position). */
        PLANE,
        PREDICTED_INDEX, PREDICTED_LABEL, PREDICTED_PROBABILITY, TARGET_INDEX, TARGET_LABEL, TARGET_PROBABILITY,
        SCORE, LAYER,
        /** the unnormalised Grad-CAM maximum (empty without Grad-CAM). */
        RAW_MAX,
        /** empty, or why the file was not explained. */
        ERROR,
        /** {@code ok}, {@code empty map} or {@code skipped: <why>}. */
        STATUS;

        public String header() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The CLI's {@code explain} columns ({@code plane} last: it came with {@code --planes all}). */
    public static final List<Column> CLI = List.of(Column.IMAGE, Column.PREDICTED_INDEX, Column.PREDICTED_LABEL,
            Column.PREDICTED_PROBABILITY, Column.TARGET_INDEX, Column.TARGET_LABEL, Column.RAW_MAX, Column.ERROR,
            Column.PLANE);

    /** The Fiji {@code Grad-CAM Batch...} columns. */
    public static final List<Column> BATCH = List.of(Column.FILE, Column.PLANE, Column.PREDICTED_INDEX,
            Column.PREDICTED_LABEL, Column.PREDICTED_PROBABILITY, Column.TARGET_INDEX, Column.TARGET_LABEL,
            Column.TARGET_PROBABILITY, Column.SCORE, Column.LAYER, Column.STATUS);

    private final List<Column> columns;
    private final Writer out;

    /** Creates (or replaces) {@code file} and writes the header. */
    PredictionsCsv(Path file, List<Column> columns) throws IOException {
        this(file, columns, false);
    }

    /**
     * With {@code append}, adds rows to an existing file of these columns (a resumed run; the header is written only
     * when the file is new or empty); else creates or replaces it.
     */
    PredictionsCsv(Path file, List<Column> columns, boolean append) throws IOException {
        this.columns = List.copyOf(columns);
        boolean fresh = !append || !Files.exists(file) || Files.size(file) == 0;
        this.out = append ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND) : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        if (fresh) {
            line(header(columns));
        }
    }

    /** The header line of these columns. */
    public static String header(List<Column> columns) {
        return columns.stream().map(Column::header).collect(Collectors.joining(","));
    }

    /** The row of an explained plane ({@code plane} 1-based). */
    void row(Path image, int plane, Explanation e) throws IOException {
        row(image, cells(columns, image, plane, e));
    }

    /** The row of a file, or of one of its planes ({@code plane} 1-based; 0: the file), that was not explained. */
    void failed(Path image, int plane, String reason) throws IOException {
        row(image, failedCells(columns, image, plane, reason));
    }

    @Override
    public void row(Path image, List<String> cells) throws IOException {
        line(format(cells));
    }

    /** A CSV line of these cells (RFC 4180 quoting where needed, no line break), as every row is written. */
    public static String format(List<String> cells) {
        return cells.stream().map(Csv::cell).collect(Collectors.joining(","));
    }

    /** The cells of an explained plane ({@code plane} 1-based) in these columns. */
    public static List<String> cells(List<Column> columns, Path image, int plane, Explanation e) {
        return columns.stream().map(c -> cell(c, image, plane, e)).toList();
    }

    /** The cells of a file, or of one of its planes ({@code plane} 1-based; 0: the file), that was not explained. */
    public static List<String> failedCells(List<Column> columns, Path image, int plane, String reason) {
        String why = reason == null ? "unknown error" : reason;
        return columns.stream().map(c -> switch (c) {
            case IMAGE, FILE -> name(c, image);
            case PLANE -> plane > 0 ? String.valueOf(plane) : "";
            case ERROR -> why;
            case STATUS -> "skipped: " + why;
            default -> "";
        }).toList();
    }

    private static String cell(Column c, Path image, int plane, Explanation e) {
        return switch (c) {
            case IMAGE, FILE -> name(c, image);
            case PLANE -> String.valueOf(plane);
            case PREDICTED_INDEX -> String.valueOf(e.predicted().index());
            case PREDICTED_LABEL -> e.predicted().label();
            case PREDICTED_PROBABILITY -> number(e.predicted().probability());
            case TARGET_INDEX -> String.valueOf(e.target().index());
            case TARGET_LABEL -> e.target().label();
            case TARGET_PROBABILITY -> number(e.target().probability());
            case SCORE -> e.score().id();
            case LAYER -> e.layer() == null ? "" : e.layer().name();
            case RAW_MAX -> e.gradcamRaw() == null ? "" : number(e.rawMax());
            case ERROR -> "";
            case STATUS -> e.note() == null ? "ok" : "empty map";
        };
    }

    private static String name(Column c, Path image) {
        return c == Column.IMAGE ? image.toString() : image.getFileName().toString();
    }

    /** A probability or score as every CSV writes it ({@code %.6g}). */
    public static String number(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private void line(String s) throws IOException {
        out.write(s);
        out.write('\n');
    }

    /** Makes the rows so far visible to readers of the file. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
