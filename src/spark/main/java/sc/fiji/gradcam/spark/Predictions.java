package sc.fiji.gradcam.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import sc.fiji.gradcam.api.io.Csv;
import sc.fiji.gradcam.api.io.PredictionsCsv;
import sc.fiji.gradcam.api.io.PredictionsCsv.Column;

/**
 * The job's predictions table: the CLI's {@code predictions.csv} columns ({@link PredictionsCsv#CLI}, typed in
 * Parquet: indices and planes as int, probabilities and {@code raw_max} as double, empty cells as null), then
 * {@code host} and {@code task} (the Spark task that explained the image: {@code PARTITION.ATTEMPT}), and in Parquet
 * {@code seq}, the row's position among its image's rows (the CLI's order of targets and planes).
 */
final class Predictions {

    static final List<Column> CLI = PredictionsCsv.CLI;
    static final String HOST = "host";
    static final String TASK = "task";
    static final String SEQ = "seq";
    static final String IMAGE = Column.IMAGE.header();
    static final String ERROR = Column.ERROR.header();

    private Predictions() {}

    static DataType type(Column c) {
        return switch (c) {
            case PLANE, PREDICTED_INDEX, TARGET_INDEX -> DataTypes.IntegerType;
            case PREDICTED_PROBABILITY, TARGET_PROBABILITY, RAW_MAX -> DataTypes.DoubleType;
            default -> DataTypes.StringType;
        };
    }

    static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        for (Column c : CLI) {
            fields.add(DataTypes.createStructField(c.header(), type(c), true));
        }
        fields.add(DataTypes.createStructField(HOST, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(TASK, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(SEQ, DataTypes.IntegerType, false));
        return DataTypes.createStructType(fields);
    }

    /** The header of {@code predictions.csv}: the CLI's, then host and task. */
    static String csvHeader() {
        return PredictionsCsv.header(CLI) + "," + HOST + "," + TASK;
    }

    /** The header of a task's journal: the CSV's and seq. */
    static String journalHeader() {
        return csvHeader() + "," + SEQ;
    }

    /** A row of the table from the runner's cells (the CLI's columns, as its CSV writes them). */
    static Row row(List<String> cells, String host, String task, int seq) {
        Object[] v = new Object[CLI.size() + 3];
        for (int i = 0; i < CLI.size(); i++) {
            v[i] = value(CLI.get(i), cells.get(i));
        }
        v[CLI.size()] = host;
        v[CLI.size() + 1] = task;
        v[CLI.size() + 2] = seq;
        return RowFactory.create(v);
    }

    private static Object value(Column c, String cell) {
        if (cell == null || cell.isEmpty()) {
            return null;
        }
        DataType t = type(c);
        if (t == DataTypes.IntegerType) {
            return Integer.valueOf(cell);
        }
        if (t == DataTypes.DoubleType) {
            return Double.valueOf(cell);
        }
        return cell;
    }

    /** The CSV cells of a row (the CLI's formatting: probabilities {@code %.6g}, null as empty), then host and task. */
    static List<String> csvCells(Row r) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < CLI.size(); i++) {
            Object v = r.get(i);
            cells.add(v == null ? "" : v instanceof Double d ? PredictionsCsv.number(d) : v.toString());
        }
        cells.add(r.isNullAt(CLI.size()) ? "" : r.getString(CLI.size()));
        cells.add(r.isNullAt(CLI.size() + 1) ? "" : r.getString(CLI.size() + 1));
        return cells;
    }

    /** A journal line: the CSV cells and seq. */
    static String journalLine(Row r) {
        List<String> cells = csvCells(r);
        cells.add(String.valueOf(r.getInt(CLI.size() + 2)));
        return PredictionsCsv.format(cells);
    }

    /** A row back from a journal line (null when the line is not complete). */
    static Row fromJournal(String line) {
        List<String> cells = Csv.split(line);
        if (cells.size() != CLI.size() + 3) {
            return null;
        }
        try {
            return row(cells.subList(0, CLI.size()), cells.get(CLI.size()), cells.get(CLI.size() + 1),
                    Integer.parseInt(cells.get(CLI.size() + 2)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String image(Row r) {
        return r.getString(0);
    }

    static boolean failed(Row r) {
        int e = CLI.indexOf(Column.ERROR);
        return !r.isNullAt(e) && !r.getString(e).isEmpty();
    }

    static String csvLine(Row r) {
        return csvCells(r).stream().collect(Collectors.collectingAndThen(Collectors.toList(), PredictionsCsv::format));
    }
}
