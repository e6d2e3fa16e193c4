package sc.fiji.gradcam.evaluation;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Minimal line charts drawn with Java2D: panels side by side, labelled axes, legend, optional bands. */
public final class Plots {

    private Plots() {}

    /** One line: y over x, with an optional band [lo, hi] (same length, or null). */
    public record Series(String label, Color colour, double[] x, double[] y, double[] lo, double[] hi, boolean dashed) {}

    /**
     * One chart. {@code xTicks} labels x = 0, 1, 2… (categorical axis) when not null; otherwise the axis is
     * numeric between xMin and xMax.
     */
    public record Panel(String title, String xLabel, String yLabel, double xMin, double xMax, double yMin,
            double yMax, List<String> xTicks, List<Series> series) {}

    public static final Color[] PALETTE = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x7f7f7f)};

    /** Panels in one row, each {@code pw} × {@code ph} px. */
    public static BufferedImage row(List<Panel> panels, int pw, int ph) {
        BufferedImage img = new BufferedImage(pw * panels.size(), ph, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * pw, 0, pw, ph);
        }
        g.dispose();
        return img;
    }

    private static void draw(Graphics2D g, Panel p, int ox, int oy, int pw, int ph) {
        int left = ox + 70;
        int right = ox + pw - 20;
        int top = oy + 40;
        int legendH = p.series().size() * 17 + 8;
        int bottom = oy + ph - (p.xTicks() != null ? 75 : 55) - legendH;
        Font tick = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 15);
        g.setColor(Color.BLACK);
        g.setFont(title);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(p.title(), ox + (pw - fm.stringWidth(p.title())) / 2, oy + 24);
        // grid and y ticks
        g.setFont(tick);
        fm = g.getFontMetrics();
        double yStep = niceStep(p.yMax() - p.yMin());
        for (double v = Math.ceil(p.yMin() / yStep - 1e-9) * yStep; v <= p.yMax() + 1e-9; v += yStep) {
            int y = sy(v, p, top, bottom);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            String s = fmt(v, yStep);
            g.drawString(s, left - 6 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        if (p.xTicks() != null) {
            for (int i = 0; i < p.xTicks().size(); i++) {
                int x = sx(i, p, left, right);
                g.setColor(new Color(225, 225, 225));
                g.drawLine(x, top, x, bottom);
                g.setColor(Color.BLACK);
                String s = p.xTicks().get(i);
                AffineTransform at = g.getTransform();
                g.rotate(-Math.PI / 6, x, bottom + 14);
                g.drawString(s, x - fm.stringWidth(s) + 4, bottom + 18);
                g.setTransform(at);
            }
        } else {
            double xStep = niceStep(p.xMax() - p.xMin());
            for (double v = Math.ceil(p.xMin() / xStep - 1e-9) * xStep; v <= p.xMax() + 1e-9; v += xStep) {
                int x = sx(v, p, left, right);
                g.setColor(new Color(225, 225, 225));
                g.drawLine(x, top, x, bottom);
                g.setColor(Color.BLACK);
                String s = fmt(v, xStep);
                g.drawString(s, x - fm.stringWidth(s) / 2, bottom + 16);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.setFont(label);
        fm = g.getFontMetrics();
        g.drawString(p.xLabel(), (left + right - fm.stringWidth(p.xLabel())) / 2, oy + ph - 10 - legendH);
        AffineTransform at = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel(), -(top + bottom + fm.stringWidth(p.yLabel())) / 2, ox + 20);
        g.setTransform(at);
        // series
        for (Series s : p.series()) {
            if (s.lo() != null && s.hi() != null) {
                Path2D band = new Path2D.Double();
                for (int i = 0; i < s.x().length; i++) {
                    double x = sx(s.x()[i], p, left, right);
                    double y = sy(s.hi()[i], p, top, bottom);
                    if (i == 0) {
                        band.moveTo(x, y);
                    } else {
                        band.lineTo(x, y);
                    }
                }
                for (int i = s.x().length - 1; i >= 0; i--) {
                    band.lineTo(sx(s.x()[i], p, left, right), sy(s.lo()[i], p, top, bottom));
                }
                band.closePath();
                g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.18f));
                g.setColor(s.colour());
                g.fill(band);
                g.setComposite(AlphaComposite.SrcOver);
            }
            g.setColor(s.colour());
            g.setStroke(s.dashed() ? new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {7f, 5f}, 0f) : new BasicStroke(2.4f));
            Path2D line = new Path2D.Double();
            for (int i = 0; i < s.x().length; i++) {
                double x = sx(s.x()[i], p, left, right);
                double y = sy(s.y()[i], p, top, bottom);
                if (i == 0) {
                    line.moveTo(x, y);
                } else {
                    line.lineTo(x, y);
                }
            }
            g.draw(line);
            if (p.xTicks() != null) {
                for (int i = 0; i < s.x().length; i++) {
                    int x = sx(s.x()[i], p, left, right);
                    int y = sy(s.y()[i], p, top, bottom);
                    g.fillOval(x - 4, y - 4, 8, 8);
                }
            }
            g.setStroke(new BasicStroke(1f));
        }
        // legend below the x-axis label
        g.setFont(tick);
        fm = g.getFontMetrics();
        int lx = left + 10;
        int ly = oy + ph - legendH;
        for (int i = 0; i < p.series().size(); i++) {
            Series s = p.series().get(i);
            int y = ly + i * 17 + 8;
            g.setColor(s.colour());
            g.setStroke(s.dashed() ? new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {5f, 4f}, 0f) : new BasicStroke(2.4f));
            g.drawLine(lx, y, lx + 26, y);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(s.label(), lx + 32, y + fm.getAscent() / 2 - 1);
        }
    }

    private static int sx(double v, Panel p, int left, int right) {
        double lo = p.xTicks() != null ? -0.3 : p.xMin();
        double hi = p.xTicks() != null ? p.xTicks().size() - 0.7 : p.xMax();
        return (int) Math.round(left + (v - lo) / (hi - lo) * (right - left));
    }

    private static int sy(double v, Panel p, int top, int bottom) {
        double c = Math.max(p.yMin(), Math.min(p.yMax(), v));
        return (int) Math.round(bottom - (c - p.yMin()) / (p.yMax() - p.yMin()) * (bottom - top));
    }

    static double niceStep(double range) {
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    }

    private static String fmt(double v, double step) {
        if (Math.abs(v) < 1e-12) {
            return "0";
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    }
}
