package sc.fiji.gradcam.parity;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.bioimageio.Npy;
import sc.fiji.gradcam.training.SmallCnn;

/**
 * One network's peer fixture, as {@code scripts/compare-pytorch-grad-cam} writes it under
 * {@code src/tools/test/resources/parity/NET/}: the architecture ({@code net.properties}), its weights in TensorFlow's
 * layout ({@code weights/*.npy}, '/' written as '__'), and the peer's outputs on the two images of
 * {@code parity/images.npy} (see {@code scripts/lib/parity_pytorch_grad_cam.py} for each array's axes).
 */
final class PeerFixture {

    /** An array as read: its shape and values in C order. */
    record Array(int[] shape, float[] values) {
        /** The contiguous sub-array at the leading indices {@code lead}. */
        double[] slice(int... lead) {
            int size = 1;
            for (int d = lead.length; d < shape.length; d++) {
                size *= shape[d];
            }
            int offset = 0;
            for (int d = 0; d < lead.length; d++) {
                if (lead[d] < 0 || lead[d] >= shape[d]) {
                    throw new IndexOutOfBoundsException("index " + lead[d] + " of axis " + d + " of " + Arrays.toString(shape));
                }
                offset = offset * shape[d] + lead[d];
            }
            offset *= size;
            double[] out = new double[size];
            for (int i = 0; i < size; i++) {
                out[i] = values[offset + i];
            }
            return out;
        }

        float at(int... index) {
            return (float) slice(index)[0];
        }
    }

    final String name;
    final Path dir;
    final SmallCnn net;
    final Map<String, float[]> weights;
    final Array logits;

    private PeerFixture(String name, Path dir, SmallCnn net, Map<String, float[]> weights, Array logits) {
        this.name = name;
        this.dir = dir;
        this.net = net;
        this.weights = weights;
        this.logits = logits;
    }

    /** The fixture folder on the test class path ({@code target/test-classes/parity}), or {@code -Dparity.root}. */
    static Path root() {
        String dir = System.getProperty("parity.root");
        if (dir != null) {
            return Path.of(dir);
        }
        try {
            return Path.of(PeerFixture.class.getResource("/parity/images.npy").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no parity fixture on the test class path: run scripts/compare-pytorch-grad-cam", e);
        }
    }

    static PeerFixture load(String name) {
        Path dir = root().resolve(name);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("net.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] widths = Arrays.stream(p.getProperty("widths").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] convs = Arrays.stream(p.getProperty("convs", "").split(",")).filter(c -> !c.isBlank())
                .mapToInt(Integer::parseInt).toArray();
        SmallCnn net = new SmallCnn(Integer.parseInt(p.getProperty("size")), 3, widths, convs,
                Integer.parseInt(p.getProperty("classes")), SmallCnn.Head.parse(p.getProperty("head")),
                Integer.parseInt(p.getProperty("fc", "0")));
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (SmallCnn.Param param : net.params()) {
            Npy.Array a = Npy.read(dir.resolve("weights").resolve(param.name().replace("/", "__") + ".npy"));
            if (!Arrays.equals(a.shape(), Arrays.stream(param.shape()).mapToInt(Math::toIntExact).toArray())) {
                throw new IllegalStateException(param.name() + ": fixture shape " + Arrays.toString(a.shape()));
            }
            weights.put(param.name(), a.values());
        }
        return new PeerFixture(name, dir, net, weights, array(dir.resolve("logits.npy")));
    }

    Array array(String file) {
        return array(dir.resolve(file + ".npy"));
    }

    /** The names, one a line, of the first axis of the arrays written with {@code file}. */
    List<String> names(String file) {
        try (Stream<String> lines = Files.lines(dir.resolve(file + ".txt"))) {
            return lines.filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Array array(Path file) {
        Npy.Array a = Npy.read(file);
        return new Array(a.shape(), a.values());
    }

    /** The shared images ([n, h, w, 3] uint8) as planar 8-bit RGB images. */
    static InputImage[] images() {
        Npy.Array a = Npy.read(root().resolve("images.npy"));
        int n = a.shape()[0];
        int h = a.shape()[1];
        int w = a.shape()[2];
        int c = a.shape()[3];
        InputImage[] out = new InputImage[n];
        for (int i = 0; i < n; i++) {
            float[] planar = new float[h * w * c];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        planar[(ch * h + y) * w + x] = a.values()[((i * h + y) * w + x) * c + ch];
                    }
                }
            }
            out[i] = new InputImage(w, h, c, planar, PixelKind.UINT8);
        }
        return out;
    }
}
