package sc.fiji.gradcam.training;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line text progress bar ({@code label [#####.....] 50% 1200/2400  35 it/s  ETA 0:34}) redrawn in place
 * with {@code \r} at most every {@code 0.5 s}, ended by a newline when {@link #done} is called. Meant for
 * standard error, so the log on standard output stays clean.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 500_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw = Long.MIN_VALUE;
    private long done;

    public ProgressBar(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
    }

    /** Advances by {@code n} units and redraws if the last drawing is old enough. */
    public synchronized void step(long n) {
        done = Math.min(total, done + n);
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || done == total) {
            lastDraw = now;
            out.print("\r" + line(done, total, (now - start) / 1e9, label));
            out.flush();
        }
    }

    /** Draws the final state and ends the line. */
    public synchronized void done() {
        out.print("\r" + line(done, total, (System.nanoTime() - start) / 1e9, label) + "\n");
        out.flush();
    }

    /** The text of the bar after {@code done} of {@code total} units in {@code seconds}. */
    static String line(long done, long total, double seconds, String label) {
        int filled = (int) (WIDTH * done / total);
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? clock((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %d/%d  %.0f/s  ETA %s  ", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * done / total, done, total, rate, eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
