package sc.fiji.gradcam.api.io;

import ij.ImagePlus;
import ij.io.FileSaver;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.util.Vector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Writes 32-bit TIFFs and RGB PNGs into temporary files moved into place when complete. */
public final class MapFiles {

    private MapFiles() {}

    /** A TIFF of the image (a stack, with its dimensions, LUTs and calibration, when it has several slices). */
    public static void writeTiff(ImagePlus imp, Path file) throws IOException {
        Path tmp = temp(file);
        boolean ok = imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(tmp.toString())
                : new FileSaver(imp).saveAsTiff(tmp.toString());
        if (!ok) {
            Files.deleteIfExists(tmp);
            throw new IOException("could not write " + file);
        }
        moveIntoPlace(tmp, file);
    }

    public static void writePng(int[] rgb, int width, int height, Path file) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, rgb, 0, width);
        writePng(img, file);
    }

    /** Fills rows {@code y0 ≤ y < y1} of an RGB image: {@code out[(y - y0) * width + x]}, packed RGB. */
    @FunctionalInterface
    public interface RgbRows {
        void rows(int y0, int y1, int[] out);
    }

    /**
     * An RGB PNG whose rows are painted when the encoder reads them, a band of about a million pixels at a time: a
     * 20000 × 20000 overlay is written without holding its 1.6 GB of pixels.
     */
    public static void writePng(int width, int height, RgbRows rows, Path file) throws IOException {
        writePng(new BandedRgbImage(width, height, rows), file);
    }

    public static void writePng(RenderedImage img, Path file) throws IOException {
        Path tmp = temp(file);
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer");
        }
        moveIntoPlace(tmp, file);
    }

    /** An RGB image of rows painted band by band, read row by row by the PNG encoder. */
    private static final class BandedRgbImage implements RenderedImage {
        private static final ColorModel RGB = new DirectColorModel(24, 0xff0000, 0xff00, 0xff);
        private final int width;
        private final int height;
        private final RgbRows rows;
        private final int band;
        private final int[] pixels;
        private int bandStart = -1;

        BandedRgbImage(int width, int height, RgbRows rows) {
            this.width = width;
            this.height = height;
            this.rows = rows;
            this.band = Math.max(1, Math.min(height, (1 << 20) / width));
            this.pixels = new int[band * width];
        }

        @Override
        public synchronized Raster getData(Rectangle r) {
            WritableRaster out = Raster.createWritableRaster(RGB.createCompatibleSampleModel(r.width, r.height),
                    new Point(r.x, r.y));
            int[] row = new int[r.width];
            for (int y = r.y; y < r.y + r.height; y++) {
                if (bandStart < 0 || y < bandStart || y >= bandStart + band) {
                    bandStart = y - y % band;
                    rows.rows(bandStart, Math.min(height, bandStart + band), pixels);
                }
                System.arraycopy(pixels, (y - bandStart) * width + r.x, row, 0, r.width);
                out.setDataElements(r.x, y, r.width, 1, row);
            }
            return out;
        }

        @Override
        public Raster getData() {
            return getData(new Rectangle(0, 0, width, height));
        }

        @Override
        public Raster getTile(int tileX, int tileY) {
            return getData(new Rectangle(0, tileY, width, 1));
        }

        @Override
        public WritableRaster copyData(WritableRaster raster) {
            Rectangle r = raster == null ? new Rectangle(0, 0, width, height) : raster.getBounds();
            WritableRaster out = raster != null ? raster
                    : Raster.createWritableRaster(RGB.createCompatibleSampleModel(width, height), null);
            out.setRect(getData(r));
            return out;
        }

        @Override
        public Vector<RenderedImage> getSources() {
            return null;
        }

        @Override
        public Object getProperty(String name) {
            return java.awt.Image.UndefinedProperty;
        }

        @Override
        public String[] getPropertyNames() {
            return null;
        }

        @Override
        public ColorModel getColorModel() {
            return RGB;
        }

        @Override
        public SampleModel getSampleModel() {
            return RGB.createCompatibleSampleModel(width, 1);
        }

        @Override
        public int getWidth() {
            return width;
        }

        @Override
        public int getHeight() {
            return height;
        }

        @Override
        public int getMinX() {
            return 0;
        }

        @Override
        public int getMinY() {
            return 0;
        }

        @Override
        public int getNumXTiles() {
            return 1;
        }

        @Override
        public int getNumYTiles() {
            return height;
        }

        @Override
        public int getMinTileX() {
            return 0;
        }

        @Override
        public int getMinTileY() {
            return 0;
        }

        @Override
        public int getTileWidth() {
            return width;
        }

        @Override
        public int getTileHeight() {
            return 1;
        }

        @Override
        public int getTileGridXOffset() {
            return 0;
        }

        @Override
        public int getTileGridYOffset() {
            return 0;
        }
    }

    /**
     * Renames a complete temporary file to its final name in one step, so that a killed run never leaves a
     * half-written file under the final name (a leftover {@code .NAME.part} is replaced by the next write).
     */
    public static void moveIntoPlace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The temporary name a file is written under until complete: {@code .NAME.part} beside it. */
    public static Path temp(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".part");
    }
}
