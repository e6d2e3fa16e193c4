package sc.fiji.gradcam.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import sc.fiji.gradcam.api.image.ColorMap;
import sc.fiji.gradcam.api.image.InputImage;

/** Preview tiles for checking masks and maps by eye (Java2D). */
public final class Montages {

    private Montages() {}

    /** One tile: an RGB image, optionally a map blended over it, mask outlines and a marked point. */
    public record Tile(InputImage image, float[] map, boolean[] outline, boolean[] outline2, double[] point,
            String caption) {}

    public static final Color MASK = new Color(255, 255, 0);
    public static final Color MASK2 = new Color(0, 255, 255);

    /** Tiles of {@code cell} × {@code cell} px in rows of {@code columns}, each with a caption below. */
    public static BufferedImage montage(List<Tile> tiles, int columns, int cell, String title) {
        int rows = (tiles.size() + columns - 1) / columns;
        int caption = 16;
        int top = title == null ? 0 : 24;
        BufferedImage out = new BufferedImage(columns * (cell + 6) + 6, top + rows * (cell + caption + 6) + 6,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        if (title != null) {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, 6, 17);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t < tiles.size(); t++) {
            int x0 = 6 + (t % columns) * (cell + 6);
            int y0 = top + 6 + (t / columns) * (cell + caption + 6);
            Tile tile = tiles.get(t);
            BufferedImage img = render(tile);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            double s = Math.min((double) cell / img.getWidth(), (double) cell / img.getHeight());
            int dw = (int) Math.round(img.getWidth() * s);
            int dh = (int) Math.round(img.getHeight() * s);
            g.drawImage(img, x0, y0, dw, dh, null);
            if (tile.point() != null) {
                int px = (int) Math.round(x0 + (tile.point()[0] + 0.5) * s);
                int py = (int) Math.round(y0 + (tile.point()[1] + 0.5) * s);
                g.setStroke(new BasicStroke(2f));
                g.setColor(Color.WHITE);
                g.drawLine(px - 7, py, px + 7, py);
                g.drawLine(px, py - 7, px, py + 7);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1f));
                g.drawLine(px - 6, py, px + 6, py);
                g.drawLine(px, py - 6, px, py + 6);
            }
            g.setColor(Color.BLACK);
            if (tile.caption() != null) {
                g.drawString(tile.caption(), x0, y0 + cell + 12);
            }
        }
        g.dispose();
        return out;
    }

    private static BufferedImage render(Tile t) {
        InputImage im = t.image();
        int w = im.width();
        int h = im.height();
        int n = w * h;
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        boolean overlay = t.map() != null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                double r = channel(im, 0, i, n);
                double gr = channel(im, 1, i, n);
                double bl = channel(im, 2, i, n);
                if (overlay) {
                    int c = ColorMap.JET.rgb(t.map()[i]);
                    r = 0.5 * r + 0.5 * (c >> 16 & 255);
                    gr = 0.5 * gr + 0.5 * (c >> 8 & 255);
                    bl = 0.5 * bl + 0.5 * (c & 255);
                }
                int rgb = ((int) r << 16) | ((int) gr << 8) | (int) bl;
                if (edge(t.outline(), i, x, y, w, h)) {
                    rgb = MASK.getRGB() & 0xffffff;
                } else if (edge(t.outline2(), i, x, y, w, h)) {
                    rgb = MASK2.getRGB() & 0xffffff;
                }
                b.setRGB(x, y, rgb);
            }
        }
        return b;
    }

    private static double channel(InputImage im, int c, int i, int n) {
        int cc = im.channels() == 3 ? c : 0;
        return Math.max(0, Math.min(255, im.data()[cc * n + i]));
    }

    /** A mask pixel with a 4-neighbour outside the mask. */
    private static boolean edge(boolean[] m, int i, int x, int y, int w, int h) {
        if (m == null || !m[i]) {
            return false;
        }
        return x == 0 || y == 0 || x == w - 1 || y == h - 1 || !m[i - 1] || !m[i + 1] || !m[i - w] || !m[i + w];
    }
}
