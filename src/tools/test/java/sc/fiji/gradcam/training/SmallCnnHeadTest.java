package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.support.Tf;

/**
 * The trainer's pooling heads, exported and explained: the logits are the dense layer applied to the
 * mean and/or max of the last conv map (recomputed here from its activations), and Grad-CAM has a known
 * answer on each head. The gradient of a spatial mean is W[k,c]/Z at every position, that of a spatial max
 * is W[k,c] at the maximum (split among ties), so alpha_k = W[k,c]/Z either way and for avg-max
 * alpha_k = (W_avg[k,c] + W_max[k,c])/Z: Grad-CAM · Z is the CAM of those effective weights.
 */
class SmallCnnHeadTest {

    @TempDir
    static Path tmp;

    @ParameterizedTest
    @EnumSource(value = SmallCnn.Head.class, names = {"AVG", "MAX", "AVG_MAX"})
    void exportedHeadPoolsAsDocumentedAndGradCamHasTheKnownAnswer(SmallCnn.Head head) throws Exception {
        TensorFlowRuntime.engine();
        SmallCnn net = new SmallCnn(16, 3, new int[] {4, 6}, null, 2, head);
        Random random = new Random(11);
        Map<String, float[]> weights = RandomCnn.weights(net, random);
        Path dir = tmp.resolve(head.toString());
        SavedModelExport.export(net, weights, dir);
        ExportedModel.writeMetadata(dir, net, List.of("a", "b"), "head test");

        InputImage image = RandomCnn.image(16, random);
        try (LoadedModel m = ModelLoader.load(dir); Explainer explainer = new Explainer(m)) {
            assertEquals(net.lastConvOpName(), m.catalog().defaultLayer().tensorName().node());
            double[] a = Cam.defaultLayerActivations(m, image);
            int k = 6;
            int z = a.length / k;
            assertEquals(net.lastConvSize() * net.lastConvSize(), z);
            double[] pooled = pooled(a, k, head);
            float[] dense = weights.get("dense/kernel");
            float[] bias = weights.get("dense/bias");
            double[] logits = Runs.run(m, Cam.modelInput(m, image), 1, null, -1, "logits:0").get(0);
            double[][] effective = new double[k][2];
            for (int c = 0; c < 2; c++) {
                double expected = bias[c];
                for (int j = 0; j < pooled.length; j++) {
                    expected += pooled[j] * dense[j * 2 + c];
                }
                assertEquals(expected, logits[c], 1e-4 * Math.max(1, Math.abs(expected)), "logit " + c);
                for (int ch = 0; ch < k; ch++) {
                    effective[ch][c] = dense[ch * 2 + c] + (head == SmallCnn.Head.AVG_MAX ? dense[(k + ch) * 2 + c] : 0);
                }
            }
            int checked = 0;
            for (int c = 0; c < 2; c++) {
                Explanation e = explainer.explain(image, ExplainRequest.defaults()
                        .withTargets(List.of(Integer.toString(c))).withMethods(EnumSet.of(Method.GRADCAM,
                                Method.GUIDED_GRADCAM))).get(0);
                if (!Cam.assertGradCamIsCamOverZOrBothEmpty(e, Cam.of(a, effective, c), head + " class " + c)) {
                    continue;
                }
                assertTrue(e.maps().containsKey(Method.GUIDED_GRADCAM), "Guided Grad-CAM through the " + head + " head");
                checked++;
            }
            assertTrue(checked > 0, "no class had a non-empty CAM");
        }
    }

    /**
     * VGG-16's head: the logits equal a recomputation from the last conv map's activations — 2×2 max pool, flatten in
     * height, width, channel order (Keras' Flatten on NHWC, which the PyTorch side of the parity suite reproduces),
     * fc1 and fc2 with ReLU, the dense layer — so a wrong flatten order or a missing pool fails here.
     */
    @Test
    void flattenHeadIsPoolFlattenTwoReluLayersAndDense() throws Exception {
        TensorFlowRuntime.engine();
        int fc = 5;
        SmallCnn net = new SmallCnn(16, 3, new int[] {4, 6}, new int[] {2, 1}, 2, SmallCnn.Head.FLATTEN, fc);
        assertEquals(fc, net.fcWidth());
        Random random = new Random(12);
        Map<String, float[]> weights = RandomCnn.weights(net, random);
        Path dir = tmp.resolve("flatten");
        SavedModelExport.export(net, weights, dir);
        ExportedModel.writeMetadata(dir, net, List.of("a", "b"), "flatten head test");
        InputImage image = RandomCnn.image(16, random);
        try (LoadedModel m = ModelLoader.load(dir)) {
            assertEquals(net.lastConvOpName(), m.catalog().defaultLayer().tensorName().node());
            double[] a = Cam.defaultLayerActivations(m, image);
            int k = 6;
            int side = net.lastConvSize();
            assertEquals(side * side * k, a.length);
            int half = side / 2;
            double[] flat = new double[half * half * k];
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) {
                    for (int ch = 0; ch < k; ch++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                max = Math.max(max, a[((2 * y + dy) * side + 2 * x + dx) * k + ch]);
                            }
                        }
                        flat[(y * half + x) * k + ch] = max;
                    }
                }
            }
            double[] h = reluDense(flat, weights.get("fc1/kernel"), weights.get("fc1/bias"), fc, true);
            h = reluDense(h, weights.get("fc2/kernel"), weights.get("fc2/bias"), fc, true);
            double[] expected = reluDense(h, weights.get("dense/kernel"), weights.get("dense/bias"), 2, false);
            double[] logits = Runs.run(m, Cam.modelInput(m, image), 1, null, -1, "logits:0").get(0);
            for (int c = 0; c < 2; c++) {
                assertEquals(expected[c], logits[c], 1e-4 * Math.max(1, Math.abs(expected[c])), "logit " + c);
            }
            assertTrue(java.util.Arrays.stream(h).anyMatch(v -> v > 0), "fc2 is not all zero (the check means something)");
        }
    }

    private static double[] reluDense(double[] x, float[] kernel, float[] bias, int out, boolean relu) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias[o];
            for (int i = 0; i < x.length; i++) {
                s += x[i] * kernel[i * out + o];
            }
            y[o] = relu ? Math.max(0, s) : s;
        }
        return y;
    }

    @Test
    void headNamesParse() {
        assertEquals(SmallCnn.Head.AVG_MAX, SmallCnn.Head.parse("avg-max"));
        assertEquals(SmallCnn.Head.MAX, SmallCnn.Head.parse(SmallCnn.Head.MAX.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmallCnn.Head.parse("sum"));
        assertTrue(e.getMessage().contains("avg-max"), e.getMessage());
    }

    /** Per channel mean and/or max over positions of activations stored as a[p * k + ch]. */
    private static double[] pooled(double[] a, int k, SmallCnn.Head head) {
        int z = a.length / k;
        double[] mean = new double[k];
        double[] max = new double[k];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int p = 0; p < z; p++) {
            for (int ch = 0; ch < k; ch++) {
                mean[ch] += a[p * k + ch] / z;
                max[ch] = Math.max(max[ch], a[p * k + ch]);
            }
        }
        return switch (head) {
            case AVG -> mean;
            case MAX -> max;
            case FLATTEN -> throw new IllegalArgumentException("not a global pooling head");
            case AVG_MAX -> java.util.stream.DoubleStream.concat(java.util.Arrays.stream(mean), java.util.Arrays.stream(max))
                    .toArray();
        };
    }
}
