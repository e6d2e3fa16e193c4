package sc.fiji.gradcam.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr (done/total, rate, time left); silent when not on a terminal or quiet. */
final class ProgressBar {

    private final PrintStream err;
    private final int total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream err, int total, boolean quiet) {
        this.err = err;
        this.total = total;
        this.enabled = !quiet && System.console() != null && total > 1;
    }

    void update(int done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long left = rate > 0 ? Math.round((total - done) / rate) : 0;
        int width = 30;
        int filled = (int) Math.round(width * (double) done / total);
        err.printf("\r[%s%s] %d/%d  %.1f img/s  %d:%02d left ", "#".repeat(filled), " ".repeat(width - filled), done,
                total, rate, left / 60, left % 60);
        if (done >= total) {
            err.println();
        }
        err.flush();
    }
}
