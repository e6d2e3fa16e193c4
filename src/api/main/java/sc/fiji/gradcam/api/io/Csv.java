package sc.fiji.gradcam.api.io;

import java.util.ArrayList;
import java.util.List;

/** CSV cells (RFC 4180 quoting) shared by the CLI's and the Fiji batch's predictions files. */
public final class Csv {

    private Csv() {}

    /** The value as a CSV cell: quoted when it holds a comma, a quote or a line break. */
    public static String cell(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /**
     * The cells of one CSV line, the inverse of {@link #cell} (RFC 4180 quoting: a quoted cell may hold commas and
     * doubled quotes). Used to read back the predictions files of a resumed run.
     */
    public static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
