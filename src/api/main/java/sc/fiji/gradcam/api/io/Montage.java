package sc.fiji.gradcam.api.io;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapSource;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.Heatmap;
import sc.fiji.gradcam.api.image.InputImage;

/** A picture with one row per image: image | Grad-CAM overlay | Guided Grad-CAM, with captions. */
public final class Montage {

    private static final int CELL = 160;
    private static final int CAPTION = 36;
    private final ColorMap lut;
    private final double opacity;
    private final List<BufferedImage[]> rows = new ArrayList<>();
    private final List<String> captions = new ArrayList<>();

    public Montage(ColorMap lut, double opacity) {
        this.lut = lut;
        this.opacity = opacity;
    }

    /**
     * Adds a row (cells are scaled to 160 px). An image larger than twice that is reduced first, by the mean of
     * k × k blocks read band by band, so that rows of large images cost only their thumbnails.
     */
    public void add(String name, InputImage image, Explanation e) {
        int w = image.width();
        int h = image.height();
        int k = Math.max(1, (int) Math.ceil(Math.max(w, h) / (2.0 * CELL)));
        Heatmap.Display base = Heatmap.Display.of(image);
        BufferedImage[] cells = new BufferedImage[3];
        cells[0] = reduced(w, h, k, (y0, y1, out) -> {
            for (int j = 0; j < out.length && y0 * w + j < y1 * w; j++) {
                out[j] = base.rgb(y0 * w + j);
            }
        });
        MapSource cam = e.source(Method.GRADCAM);
        cells[1] = cam == null ? null
                : reduced(w, h, k, (y0, y1, out) -> Heatmap.blendRows(base, cam, y0, y1, lut, opacity, out));
        MapSource ggc = e.source(Method.GUIDED_GRADCAM);
        if (ggc != null) {
            double max = ggc.maxAbs();
            cells[2] = reduced(w, h, k, (y0, y1, out) -> Heatmap.signedRows(ggc, max, y0, y1, out));
        }
        rows.add(cells);
        captions.add(String.format(Locale.ROOT, "%s (%.2f)%s\n%s", e.predicted().label(),
                e.predicted().probability(), e.target().index() == e.predicted().index() ? ""
                        : " — map for " + e.target().label(), name));
    }

    /** The painted image reduced by the mean of k × k blocks (k = 1: as painted). */
    private static BufferedImage reduced(int w, int h, int k, MapFiles.RgbRows paint) {
        int tw = (w + k - 1) / k;
        int th = (h + k - 1) / k;
        int[] px = new int[tw * th];
        int[] band = new int[k * w];
        for (int ty = 0; ty < th; ty++) {
            int y0 = ty * k;
            int y1 = Math.min(h, y0 + k);
            paint.rows(y0, y1, band);
            for (int tx = 0; tx < tw; tx++) {
                int x1 = Math.min(w, (tx + 1) * k);
                long r = 0;
                long g = 0;
                long b = 0;
                int count = 0;
                for (int y = 0; y < y1 - y0; y++) {
                    for (int x = tx * k; x < x1; x++) {
                        int p = band[y * w + x];
                        r += p >> 16 & 255;
                        g += p >> 8 & 255;
                        b += p & 255;
                        count++;
                    }
                }
                px[ty * tw + tx] = (int) Math.round((double) r / count) << 16
                        | (int) Math.round((double) g / count) << 8 | (int) Math.round((double) b / count);
            }
        }
        return rgb(px, tw, th);
    }

    public void write(Path file) throws IOException {
        int width = 3 * CELL + 4 * 4;
        int height = Math.max(1, rows.size()) * (CELL + CAPTION) + 30;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        String[] heads = {"image", "Grad-CAM overlay", "Guided Grad-CAM"};
        for (int c = 0; c < 3; c++) {
            g.drawString(heads[c], 4 + c * (CELL + 4), 20);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int r = 0; r < rows.size(); r++) {
            int y = 30 + r * (CELL + CAPTION);
            for (int c = 0; c < 3; c++) {
                BufferedImage cell = rows.get(r)[c];
                if (cell != null) {
                    double s = Math.min((double) CELL / cell.getWidth(), (double) CELL / cell.getHeight());
                    int cw = (int) Math.round(cell.getWidth() * s);
                    int ch = (int) Math.round(cell.getHeight() * s);
                    g.drawImage(cell, 4 + c * (CELL + 4) + (CELL - cw) / 2, y + (CELL - ch) / 2, cw, ch, null);
                }
            }
            g.setColor(Color.BLACK);
            String[] lines = captions.get(r).split("\n");
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.drawString(lines[0], 4, y + CELL + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(Color.DARK_GRAY);
            g.drawString(fit(g, lines[1], width - 8), 4, y + CELL + 28);
        }
        g.dispose();
        MapFiles.writePng(out, file);
    }

    private static String fit(Graphics2D g, String text, int width) {
        if (g.getFontMetrics().stringWidth(text) <= width) {
            return text;
        }
        String t = text;
        while (t.length() > 4 && g.getFontMetrics().stringWidth("…" + t) > width) {
            t = t.substring(1);
        }
        return "…" + t;
    }

    private static BufferedImage rgb(int[] px, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, px, 0, w);
        return img;
    }
}
