package sc.fiji.gradcam.api.io;

import ij.ImagePlus;
import ij.io.FileSaver;
import java.awt.image.BufferedImage;
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

    public static void writePng(BufferedImage img, Path file) throws IOException {
        Path tmp = temp(file);
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException("no PNG writer");
        }
        moveIntoPlace(tmp, file);
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
