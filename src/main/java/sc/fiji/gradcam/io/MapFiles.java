package sc.fiji.gradcam.io;

import ij.ImagePlus;
import ij.io.FileSaver;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import sc.fiji.gradcam.explain.MapImage;

/** Writes maps as 32-bit TIFF and RGB pixels as PNG, into temporary files moved into place when complete. */
public final class MapFiles {

    private MapFiles() {}

    public static void writeTiff(MapImage map, String title, Path file) throws IOException {
        ImagePlus imp = ImagePlusImages.toImagePlus(map, title);
        Path tmp = temp(file);
        boolean ok = imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(tmp.toString())
                : new FileSaver(imp).saveAsTiff(tmp.toString());
        if (!ok) {
            Files.deleteIfExists(tmp);
            throw new IOException("could not write " + file);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path temp(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".part");
    }
}
