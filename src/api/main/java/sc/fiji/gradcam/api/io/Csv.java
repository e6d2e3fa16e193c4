package sc.fiji.gradcam.api.io;

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
}
