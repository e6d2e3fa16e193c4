package sc.fiji.gradcam.explain;

import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.support.BuiltModels;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Tf;
import sc.fiji.gradcam.support.WithBuiltModels;
import sc.fiji.gradcam.testmodels.Architecture;
import sc.fiji.gradcam.testmodels.ModelDType;
import sc.fiji.gradcam.testmodels.SaveStyle;
import sc.fiji.gradcam.testmodels.TestModelSpec;

/**
 * pytorch-grad-cam's {@code eigen_smooth}: each CAM-like map is the ReLU of the first principal component projection of
 * its weighted activations instead of their channel sum ({@link Cam#eigenSmoothed}, written out with the independent
 * {@link sc.fiji.gradcam.support.DenseProjection}); EigenCAM and EigenGrad-CAM do not change.
 */
class EigenSmoothTest extends WithBuiltModels {

    /** Every CAM-like method. */
    static final Set<Method> CAM_LIKE = EnumSet.of(Method.GRADCAM, Method.COUNTERFACTUAL, Method.GRADCAM_PLUSPLUS,
            Method.XGRADCAM, Method.LAYERCAM, Method.HIRESCAM, Method.EIGENCAM, Method.EIGENGRADCAM);

    /**
     * Random activations and gradients (NHWC, and the same channels first): each method's eigen-smoothed map of the
     * second image of a batch is the written-out one, the same in both layouts, and not its unsmoothed map.
     */
    @Test
    void eachMethodsWeightedActivationsAreProjectedInEitherLayout() {
        int h = 5;
        int w = 4;
        int k = 6;
        int per = h * w * k;
        Random r = new Random(23);
        float[] a = new float[2 * per];
        float[] g = new float[2 * per];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.max(-0.1, r.nextGaussian());
            g[i] = (float) (r.nextGaussian() * 0.2);
        }
        double[] a1 = new double[per];
        double[] g1 = new double[per];
        for (int i = 0; i < per; i++) {
            a1[i] = a[per + i];
            g1[i] = g[per + i];
        }
        float[] aFirst = DataLayout.NCHW.fromNhwc(a, 2, h, w, k);
        float[] gFirst = DataLayout.NCHW.fromNhwc(g, 2, h, w, k);
        for (Method m : CAM_LIKE) {
            float[] smoothed = raw(m, a, g, h, w, k, DataLayout.NHWC, true);
            assertArrayEquals(smoothed, raw(m, aFirst, gFirst, h, w, k, DataLayout.NCHW, true), m.id() + ": NCHW");
            double[] expected = Cam.eigenSmoothed(m, a1, g1, k);
            Cam.assertRawMap(expected, new MapImage(w, h, 1, smoothed), 1, 1e-5, m.id());
            float[] plain = raw(m, a, g, h, w, k, DataLayout.NHWC, false);
            double change = Tf.maxAbsDiff(Tf.doubles(smoothed), Tf.doubles(plain));
            if (m == Method.EIGENCAM || m == Method.EIGENGRADCAM) {
                assertEquals(0, change, m.id() + " must not change");
            } else {
                assertTrue(change > 1e-3 * Tf.maxAbs(expected), m.id() + ": eigen smoothing changed nothing");
            }
        }
    }

    private static float[] raw(Method m, float[] a, float[] g, int h, int w, int k, DataLayout layout,
            boolean eigen) {
        return m.isCamVariant() ? CamVariants.compute(m, a, g, 1, h, w, k, layout, eigen)
                : GradCam.compute(a, g, 1, h, w, k, layout, m == Method.COUNTERFACTUAL, eigen);
    }

    /** NHWC models (GAP, VGG-like with a flatten head, residual) and channels-first ones (NCHW input; onnx-tf NCHW layers). */
    static Stream<TestModelSpec> models() {
        Stream<TestModelSpec> nhwc = Stream.of(Architecture.GAP, Architecture.VGG, Architecture.RESIDUAL)
                .flatMap(arch -> Stream.of(ModelDType.values())
                        .map(d -> BuiltModels.small(arch, SaveStyle.FUNCTION_CALL).withDtype(d)));
        return Stream.concat(nhwc, BuiltModels.channelsFirst(ModelDType.FLOAT64).stream());
    }

    /**
     * For every class: A and G = d logit_c / dA of the default layer, fetched with a gradient of the test's own, give
     * through {@link Cam#eigenSmoothed} each method's eigen-smoothed raw map; Guided Grad-CAM is Guided Backprop times
     * the eigen-smoothed Grad-CAM; eigen smoothing changes Grad-CAM on some class.
     */
    @ParameterizedTest
    @MethodSource("models")
    void eigenSmoothedMapsAreTheProjectionsOfFetchedWeightedActivations(TestModelSpec spec) {
        LoadedModel m = models.get(spec).loaded();
        InputImage image = ExplainerTest.randomImage(20, 18, 3, 9);
        List<Cam.LayerValues> perClass = Cam.defaultLayerValuesPerClass(m, image);
        Explainer explainer = new Explainer(m);
        Set<Method> methods = EnumSet.copyOf(CAM_LIKE);
        methods.addAll(List.of(Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM));
        Map<Method, Integer> compared = new EnumMap<>(Method.class);
        int changed = 0;
        for (int c = 0; c < m.classes(); c++) {
            double[] a = perClass.get(c).a();
            double[] g = perClass.get(c).g();
            int k = perClass.get(c).channels();
            ExplainRequest request = ExplainRequest.defaults().withTargets(List.of(String.valueOf(c)))
                    .withMethods(methods);
            Explanation e = explainer.explain(image, request.withEigenSmooth(true)).get(0);
            Explanation plain = explainer.explain(image, request).get(0);
            assertEquals(c, e.target().index());
            assertEquals(CAM_LIKE, e.rawMaps().keySet());
            for (Method method : CAM_LIKE) {
                String what = spec.name() + " class " + c + " " + method.title();
                double[] expected = Cam.eigenSmoothed(method, a, g, k);
                if (Tf.maxAbs(expected) > 0) {
                    Cam.assertRawMap(expected, e.rawMaps().get(method), 1, 1e-5, what);
                    compared.merge(method, 1, Integer::sum);
                } else {
                    assertEquals(0, e.rawMaps().get(method).max(), what + ": expected an empty map");
                }
            }
            assertArrayEquals(e.rawMaps().get(Method.GRADCAM).data(), e.gradcamRaw().data());
            assertEquals(Math.max(0, e.gradcamRaw().max()), e.rawMax(), 1e-12);
            assertArrayEquals(GuidedGradCam.combine(e.maps().get(Method.GUIDED_BACKPROP), e.maps().get(Method.GRADCAM))
                    .data(), e.maps().get(Method.GUIDED_GRADCAM).data(), spec.name() + " Guided Grad-CAM");
            assertArrayEquals(plain.maps().get(Method.GUIDED_BACKPROP).data(),
                    e.maps().get(Method.GUIDED_BACKPROP).data(), "Guided Backprop does not depend on eigen_smooth");
            for (Method eigen : List.of(Method.EIGENCAM, Method.EIGENGRADCAM)) {
                assertArrayEquals(plain.rawMaps().get(eigen).data(), e.rawMaps().get(eigen).data(), eigen.id());
            }
            if (Tf.maxAbsDiff(Tf.doubles(plain.gradcamRaw().data()), Tf.doubles(e.gradcamRaw().data())) > 1e-4
                    * Math.max(plain.rawMax(), e.rawMax())) {
                changed++;
            }
        }
        assertTrue(compared.containsKey(Method.GRADCAM) && compared.containsKey(Method.HIRESCAM),
                spec.name() + ": compared " + compared);
        assertTrue(changed > 0, spec.name() + ": eigen smoothing never changed Grad-CAM");
    }
}
