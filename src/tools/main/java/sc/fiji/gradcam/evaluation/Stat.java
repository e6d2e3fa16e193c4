package sc.fiji.gradcam.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A running sample: mean and a normal-approximation 95 % confidence half-width; NaN values are skipped. */
public final class Stat {

    private final List<Double> values = new ArrayList<>();

    public Stat add(double v) {
        if (!Double.isNaN(v)) {
            values.add(v);
        }
        return this;
    }

    public int n() {
        return values.size();
    }

    public double mean() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return values.isEmpty() ? Double.NaN : s / values.size();
    }

    public double sd() {
        int n = values.size();
        if (n < 2) {
            return 0;
        }
        double m = mean();
        double s = 0;
        for (double v : values) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (n - 1));
    }

    /** 1.96 × standard error. */
    public double ci95() {
        return values.size() < 2 ? 0 : 1.96 * sd() / Math.sqrt(values.size());
    }

    /** {@code mean ± ci} with {@code decimals} decimals. */
    public String format(int decimals) {
        if (values.isEmpty()) {
            return "–";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", mean(), ci95());
    }

    public static String f(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
