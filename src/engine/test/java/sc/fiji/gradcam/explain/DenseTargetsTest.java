package sc.fiji.gradcam.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.io.ImageFiles;
import sc.fiji.gradcam.api.io.ImagePlusImages;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.SharedModels;

/**
 * Dense outputs on the real CARE denoising U-Net ({@code [b, y, x, 1]} → {@code [b, y, x, 1]}, linear output, free input
 * size): the target is the output summed (or averaged) over a region; checked against finite differences of that sum,
 * against the receptive field (no gradient far from the region), and against the region's own definition.
 */
class DenseTargetsTest {

    private static LoadedModel care;
    private static Explainer explainer;
    private static InputImage image;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedModels.root().resolve("models/care_denoise2d_mito/model");
        care = ModelLoader.load(SharedModels.care());
        explainer = new Explainer(care);
        image = SharedModels.careImage();
    }

    @AfterAll
    static void close() {
        explainer.close();
    }

    private static ExplainRequest request(Region r, Region.Aggregate a, Method... m) {
        return ExplainRequest.defaults().withMethods(EnumSet.of(m[0], m)).withRegion(r).withAggregate(a)
                .withPreprocessing(new PreprocessingOptions(null, null, "0:1", null));
    }

    @Test
    void theDefaultLayerOfTheUNetIsItsBottleneck() {
        var l = care.catalog().defaultLayer();
        // depth 2: 256 → 64 at the bottom, found by a probe run since the input size is free
        assertTrue(care.catalog().reason().startsWith("bottleneck"), care.catalog().reason());
        var probe = new PreprocessingOptions(null, null, "0:1", null).resolve(care).forImage(128, 128);
        assertEquals(128, probe.width());
        assertTrue(l.name().contains("down_level_1") || l.name().contains("middle"), l.name());
    }

    @Test
    void careIsDenseWithOneChannelAndFreeSize() {
        assertTrue(care.dense());
        assertEquals(1, care.classes());
        assertTrue(!care.singleUnitBinary());
        assertTrue(explainer.info() != null);
    }

    /** The input gradient of Σ_region out equals central differences of that sum (the sum is computed from outputs). */
    @Test
    void inputGradientOfRegionSumMatchesFiniteDifferences() {
        Region r = Region.rectangle(100, 120, 24, 16, "box");
        Explanation e = explainer.explain(image, request(r, Region.Aggregate.SUM, Method.GRADIENT)).get(0);
        assertEquals(24L * 16, e.region().pixels());
        MapImage g = e.maps().get(Method.GRADIENT);
        // image is 256×256 = the model input (step 16): gradient pixels are input pixels
        assertEquals(256, g.width());
        float[] x = modelInput();
        // ReLU kinks make single differences noisy: the differences must follow the gradient (Pearson), and the
        // strongest pixel agree within 5 %
        int[][] probes = {{110, 127}, {118, 98}, {127, 110}, {99, 119}, {101, 121}, {98, 118}, {123, 135}, {105, 125},
            {90, 128}, {112, 140}};
        double[] fd = new double[probes.length];
        double[] an = new double[probes.length];
        for (int k = 0; k < probes.length; k++) {
            int i = probes[k][1] * 256 + probes[k][0];
            float[] plus = x.clone();
            float[] minus = x.clone();
            plus[i] += 1e-3f;
            minus[i] -= 1e-3f;
            fd[k] = (regionSum(plus, r) - regionSum(minus, r)) / 2e-3;
            an[k] = g.data()[i];
        }
        double rho = sc.fiji.gradcam.support.Tf.correlation(fd, an);
        assertTrue(rho > 0.98, "finite differences vs gradient: Pearson " + rho + " " + java.util.Arrays.toString(fd)
                + " vs " + java.util.Arrays.toString(an));
        assertEquals(fd[0], an[0], 0.05 * Math.abs(fd[0]));
        // outside the U-Net's receptive field of the region nothing changes the sum
        assertEquals(0f, g.data()[250 * 256 + 250], 0f);
        assertEquals(0f, g.data()[5 * 256 + 250], 0f);
        assertTrue(Math.abs(g.data()[127 * 256 + 110]) > 0, "a pixel inside the region moves its sum");
    }

    @Test
    void meanIsSumOverArea() {
        Region r = Region.rectangle(40, 40, 10, 20, null);
        Explanation sum = explainer.explain(image, request(r, Region.Aggregate.SUM, Method.GRADIENT)).get(0);
        Explanation mean = explainer.explain(image, request(r, Region.Aggregate.MEAN, Method.GRADIENT)).get(0);
        assertEquals(sum.region().value() / 200, mean.region().value(), 1e-6 * Math.abs(sum.region().value()));
        float[] gs = sum.maps().get(Method.GRADIENT).data();
        float[] gm = mean.maps().get(Method.GRADIENT).data();
        int i = 45 * 256 + 45;
        assertEquals(gs[i] / 200, gm[i], 1e-6 + 1e-4 * Math.abs(gs[i] / 200));
        assertEquals(regionSum(modelInput(), r), sum.region().value(), 1e-3 * Math.abs(sum.region().value()) + 1e-3);
    }

    @Test
    void hiResCamStaysInTheRegionsReceptiveField() {
        // Grad-CAM's channel weights are spatial means, so its map need not stay near the region; HiResCAM's
        // element-wise product does: the gradient is zero beyond the receptive field
        Region r = Region.rectangle(160, 30, 32, 32, "box");
        Explanation e = explainer.explain(image, request(r, Region.Aggregate.SUM, Method.HIRESCAM)).get(0);
        MapImage m = e.maps().get(Method.HIRESCAM);
        double near = 0;
        double far = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                boolean isNear = x >= 140 && x < 212 && y >= 0 && y < 82;
                if (isNear) {
                    near += m.data()[y * 256 + x];
                } else {
                    far += m.data()[y * 256 + x];
                }
            }
        }
        double nearArea = 72 * 72;
        assertTrue(near > 0);
        assertTrue(near / nearArea > 20 * far / (65536 - nearArea),
                "Grad-CAM density near the region " + near / nearArea + " vs elsewhere " + far / (65536 - nearArea));
    }

    @Test
    void autoRegionOfARestorationModelIsTheWholeOutput() {
        Explanation e = explainer.explain(image, request(Region.auto(), Region.Aggregate.SUM, Method.GRADCAM)).get(0);
        assertEquals(65536, e.region().pixels());
        assertEquals(regionSum(modelInput(), Region.whole()), e.region().value(), 1e-3 * Math.abs(e.region().value()));
    }

    @Test
    void freeSizeRoundsUpAndMapsComeBackAtTheImageSize() {
        float[] px = new float[70 * 50];
        for (int i = 0; i < px.length; i++) {
            px[i] = image.at(0, (i / 70) * 256 + i % 70);
        }
        InputImage small = new InputImage(70, 50, 1, px, image.kind());
        Explanation e = explainer.explain(small, request(Region.whole(), Region.Aggregate.SUM, Method.GRADCAM,
                Method.GRADIENT)).get(0);
        assertEquals(70, e.maps().get(Method.GRADCAM).width());
        assertEquals(50, e.maps().get(Method.GRADIENT).height());
        // the model saw 80×64 (multiples of 16); padding is in no region
        assertEquals(80, e.region().outputWidth());
        assertEquals(64, e.region().outputHeight());
        assertEquals(70L * 50, e.region().pixels());
    }

    @Test
    void badMasksAreRefusedWithTheFix() {
        Region wrong = Region.mask(new boolean[10 * 10], 10, 10, "m.tif");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> explainer.explain(image, request(wrong, Region.Aggregate.SUM, Method.GRADCAM)));
        assertTrue(ex.getMessage().contains("Fix"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Region.parse("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> Region.rectangle(0, 0, 0, 5, null));
        assertEquals(Region.Kind.WHOLE, Region.parse("all").kind());
    }

    @Test
    void aTinyRegionUsesTheNearestOutputPixel() {
        boolean[] mask = new boolean[256 * 256];
        mask[77 * 256 + 33] = true;
        Explanation e = explainer.explain(image, request(Region.mask(mask, 256, 256, "dot"), Region.Aggregate.SUM,
                Method.GRADIENT)).get(0);
        assertEquals(1, e.region().pixels());
        float[] out = output(modelInput());
        assertEquals(out[77 * 256 + 33], e.region().value(), 1e-5 + 1e-5 * Math.abs(out[77 * 256 + 33]));
    }

    /** The image as the model gets it (range 0:1 from the 1–99.8 percentiles). */
    private static float[] modelInput() {
        var p = new PreprocessingOptions(null, null, "0:1", null).resolve(care).forImage(256, 256);
        return sc.fiji.gradcam.api.image.Preprocessor.prepare(image, p).values();
    }

    private static float[] output(float[] x) {
        var runner = new BatchRun(care, new ExplanationGraphs(care.serving(), care.outputSpec()));
        return runner.denseOutput(x, 1, 256, 256, 1).values();
    }

    private static double regionSum(float[] x, Region r) {
        float[] out = output(x);
        double s = 0;
        for (int y = 0; y < 256; y++) {
            for (int xx = 0; xx < 256; xx++) {
                if (r.kind() == Region.Kind.WHOLE || r.contains(xx, y)) {
                    s += out[y * 256 + xx];
                }
            }
        }
        return s;
    }
}
