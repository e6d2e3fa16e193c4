package sc.fiji.gradcam.fiji;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/** Shared models and images, and running a command headlessly. */
final class Fixtures {

    private Fixtures() {}

    static Path shared() {
        return Path.of(System.getProperty("gradcam.shared", "../shared")).toAbsolutePath().normalize();
    }

    static File mnistModel() {
        return shared().resolve("models/mnist_tfmodule/model").toFile();
    }

    static File potatoModel() {
        return shared().resolve("models/potato_leaf/model").toFile();
    }

    /** An MNIST test digit; the file names end in {@code _labelN}. */
    static ImagePlus mnist(int i) {
        File dir = shared().resolve("models/mnist_tfmodule/images").toFile();
        File f = Arrays.stream(dir.listFiles((d, n) -> n.startsWith(String.format("t10k_%04d", i)))).findFirst()
                .orElseThrow();
        return IJ.openImage(f.getPath());
    }

    /** Runs a command through CommandService, with pre- and postprocessing, and returns its module. */
    static Module run(Context context, Class<? extends org.scijava.command.Command> command, Object... keyValues) throws Exception {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        var future = context.service(CommandService.class).run(command, true, inputs);
        if (future == null) {
            throw new AssertionError("CommandService.run returned no module for " + command.getSimpleName());
        }
        return future.get();
    }

    /**
     * Runs a menu command (an {@link ExplanationDialog}, a DynamicCommand) the way Fiji's menus and macros do:
     * through ModuleService, with pre- and postprocessing, and returns its module.
     */
    static Module runDialog(Context context, Class<? extends ExplanationDialog> dialog, Object... keyValues)
            throws Exception {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        var info = context.service(CommandService.class).getCommand(dialog);
        return context.service(ModuleService.class).run(info, true, inputs).get();
    }

    static File malariaModel() {
        return Path.of(System.getProperty("gradcam.basedir", ".")).resolve("models/malaria-cells").toFile();
    }

    /** A held-out malaria cell from test-images/ (RGB). */
    static ImagePlus malariaCell() {
        return IJ.openImage(Path.of(System.getProperty("gradcam.basedir", ".")).resolve("test-images")
                .resolve("Parasitized_C100P61ThinF_IMG_20150918_145042_cell_166.png").toString());
    }

    /** Checksum of every pixel of every slice. */
    static long checksum(ImagePlus imp) {
        CRC32 crc = new CRC32();
        for (int s = 1; s <= imp.getStackSize(); s++) {
            var ip = imp.getStack().getProcessor(s);
            for (int i = 0; i < ip.getPixelCount(); i++) {
                int v = Float.floatToIntBits(ip.getf(i)) * 31 + ip.get(i);
                crc.update(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
            }
        }
        return crc.getValue();
    }

    static boolean canceled(Module m) {
        return ((org.scijava.Cancelable) m).isCanceled();
    }

    static String reason(Module m) {
        return ((org.scijava.Cancelable) m).getCancelReason();
    }
}
