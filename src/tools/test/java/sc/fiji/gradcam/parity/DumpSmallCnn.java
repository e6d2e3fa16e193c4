package sc.fiji.gradcam.parity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.bioimageio.Npy;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.training.SavedModelExport;

/**
 * Writes a SavedModel exported by the trainer ({@code SmallCnn}: the bundled
 * {@code models/malaria-cells}, say) as a parity net folder: {@code net.properties} (architecture read off the graph)
 * and {@code weights/*.npy} in TensorFlow's layout, as {@code scripts/compare-pytorch-grad-cam --model DIR} needs it to
 * rebuild the network in PyTorch. Usage: {@code DumpSmallCnn MODEL_DIR OUT_DIR}.
 */
public final class DumpSmallCnn {

    private DumpSmallCnn() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DumpSmallCnn MODEL_DIR OUT_DIR");
        }
        TensorFlowRuntime.engine();
        Path out = Path.of(args[1]);
        Files.createDirectories(out.resolve("weights"));
        try (SavedModelBundle bundle = SavedModelBundle.load(args[0], SavedModelExport.TAG)) {
            List<String> widths = new ArrayList<>();
            List<String> convs = new ArrayList<>();
            for (int b = 1; bundle.graph().operation("block" + b + "/kernel") != null
                    || bundle.graph().operation("block" + b + "/conv1/kernel") != null; b++) {
                boolean one = bundle.graph().operation("block" + b + "/kernel") != null;
                long width = 0;
                int j = 1;
                for (; one ? j == 1 : bundle.graph().operation("block" + b + "/conv" + j + "/kernel") != null; j++) {
                    String scope = one ? "block" + b : "block" + b + "/conv" + j;
                    width = dump(bundle, scope + "/kernel", out)[3];
                    dump(bundle, scope + "/bias", out);
                }
                widths.add(Long.toString(width));
                convs.add(Integer.toString(j - 1));
            }
            if (widths.isEmpty()) {
                throw new IllegalArgumentException(args[0] + ": no block1/kernel or block1/conv1/kernel (not a SmallCnn)");
            }
            long[] dense = dump(bundle, "dense/kernel", out);
            dump(bundle, "dense/bias", out);
            long last = Long.parseLong(widths.get(widths.size() - 1));
            boolean gmp = bundle.graph().operation("gmp") != null;
            boolean gap = bundle.graph().operation("gap") != null;
            String head = gap && gmp ? "avg-max" : gap ? "avg" : "max";
            if (!head.equals("avg-max") && dense[0] != last || head.equals("avg-max") && dense[0] != 2 * last) {
                throw new IllegalArgumentException("dense/kernel " + dense[0] + " rows for a " + head + " head on " + last);
            }
            GraphOperation image = bundle.graph().operation(SavedModelExport.INPUT);
            long size = image.output(0).shape().get(1);
            Files.writeString(out.resolve("net.properties"), "# " + args[0] + " (DumpSmallCnn)\nsize=" + size
                    + "\nwidths=" + String.join(",", widths) + "\nconvs=" + String.join(",", convs) + "\nclasses=" + dense[1] + "\nhead=" + head + "\n",
                    StandardCharsets.UTF_8);
        }
    }

    /** Writes variable {@code name} (its value fetched from the session) and returns its shape. */
    private static long[] dump(SavedModelBundle bundle, String name, Path out) throws IOException {
        try (var r = bundle.session().runner().fetch(name).run()) {
            Tensor t = r.get(0);
            if (!(t instanceof TFloat32 f)) {
                throw new IllegalArgumentException(name + " is not float32");
            }
            long[] shape = f.shape().asArray();
            float[] values = new float[Math.toIntExact(f.shape().size())];
            f.asRawTensor().data().asFloats().read(values);
            int[] s = new int[shape.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.toIntExact(shape[i]);
            }
            Npy.writeFloat32(out.resolve("weights").resolve(name.replace("/", "__") + ".npy"), s, values);
            return shape;
        }
    }
}
