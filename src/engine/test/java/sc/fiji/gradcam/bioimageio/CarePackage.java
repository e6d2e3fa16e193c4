package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.support.Shared;

/**
 * A BioImage.IO 0.5 package built at test time around the real CARE denoising U-Net of {@code ../shared/models}
 * (never copied into the project): its SavedModel zipped as the weights, the B. subtilis test input of
 * {@code ../shared/bioimageio} as test input, and as test output what TensorFlow returns for it after
 * {@code scale_range} (1 / 99.8 per sample), computed here independently of the code under test: the percentiles are
 * numpy's (0 and 116) and the model is run with TF Java directly.
 */
public final class CarePackage {

    public static final String INPUT_TENSOR = "input:0";
    public static final String OUTPUT_TENSOR = "activation_1/activation_1/Identity:0";

    private CarePackage() {}

    /** How to spoil a package. */
    public enum Flaw { NONE, TAMPERED_OUTPUT, WRONG_WEIGHTS_SHA }

    /** Builds the package folder in {@code dir}/care and zips it to {@code dir}/care.zip; returns the zip. */
    public static Path build(Path dir, Flaw flaw) throws Exception {
        Path pkg = Files.createDirectories(dir.resolve("care"));
        Path model = Shared.model("care_denoise2d_mito");
        Path weights = pkg.resolve("tf_weights.zip");
        zip(model, weights);
        Path input = pkg.resolve("test_input.npy");
        Files.copy(Shared.root().resolve("bioimageio/bsubtilis_widefield_test_input.npy"), input);
        Npy.Array raw = Npy.read(input);
        float[] x = new float[raw.values().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((raw.values()[i] - 0.0) / (116.0 - 0.0 + 1e-6));
        }
        float[] y = run(model, x, raw.shape());
        if (flaw == Flaw.TAMPERED_OUTPUT) {
            for (int i = 0; i < y.length; i += 3) {
                y[i] += 0.05f;
            }
        }
        Path output = pkg.resolve("test_output.npy");
        Npy.writeFloat32(output, raw.shape(), y);
        String weightsSha = flaw == Flaw.WRONG_WEIGHTS_SHA ? "ab".repeat(32) : PackageCache.sha256(weights);
        Files.writeString(pkg.resolve("bioimageio.yaml"), """
                type: model
                format_version: 0.5.3
                name: CARE denoising 2D (mitochondria), packaged for tests
                description: the CSBDeep CARE U-Net of ../shared/models/care_denoise2d_mito
                authors: [{name: test}]
                cite: [{text: Weigert et al. 2018, doi: 10.1038/s41592-018-0216-7}]
                license: BSD-3-Clause
                inputs:
                  - id: input
                    axes:
                      - type: batch
                      - {type: space, id: y, size: {min: 16, step: 4}}
                      - {type: space, id: x, size: {min: 16, step: 4}}
                      - {type: channel, channel_names: [mito]}
                    data: {type: float32}
                    test_tensor: {source: test_input.npy, sha256: %s}
                    preprocessing:
                      - id: scale_range
                        kwargs: {axes: [y, x], min_percentile: 1.0, max_percentile: 99.8}
                outputs:
                  - id: restored
                    axes:
                      - type: batch
                      - {type: space, id: y, size: {tensor_id: input, axis_id: y}, halo: 22}
                      - {type: space, id: x, size: {tensor_id: input, axis_id: x}, halo: 22}
                      - {type: channel, channel_names: [mito]}
                    data: {type: float32}
                    test_tensor: {source: test_output.npy, sha256: %s}
                weights:
                  tensorflow_saved_model_bundle:
                    source: tf_weights.zip
                    sha256: %s
                    tensorflow_version: "2.8"
                config:
                  bioimageio:
                    reproducibility_tolerance:
                      - {relative_tolerance: 1.0e-4, absolute_tolerance: 1.0e-5, mismatched_elements_per_million: 0}
                """.formatted(PackageCache.sha256(input), PackageCache.sha256(output), weightsSha));
        Path zip = dir.resolve("care.zip");
        zip(pkg, zip);
        return zip;
    }

    /** The CARE model's output for one [1, h, w, 1] input, through TF Java directly. */
    static float[] run(Path model, float[] x, int[] shape) {
        TensorFlowRuntime.engine();
        long[] s = {shape[0], shape[1], shape[2], shape[3]};
        try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve");
                Tensor in = TFloat32.tensorOf(Shape.of(s), DataBuffers.of(x, true, false));
                Result r = b.session().runner().feed(INPUT_TENSOR, in).fetch(OUTPUT_TENSOR).run()) {
            TFloat32 out = (TFloat32) r.get(0);
            float[] y = new float[(int) out.shape().size()];
            out.asRawTensor().data().asFloats().read(y);
            return y;
        }
    }

    /** Zips the files below {@code dir} (names relative to it). */
    static void zip(Path dir, Path zip) throws IOException {
        try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o);
                Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }
}
