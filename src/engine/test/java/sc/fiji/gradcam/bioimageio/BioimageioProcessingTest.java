package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sc.fiji.gradcam.api.ModelException;

/** Pre- and postprocessing against numbers computed with numpy (as bioimageio.core defines the steps). */
class BioimageioProcessingTest {

    /** ((i * 7) % 11 + 0.5 i) for i < 24, shape (2, 2, 6), axes batch, channel, x. */
    static NdArray sample() {
        float[] v = new float[24];
        for (int i = 0; i < 24; i++) {
            v[i] = (i * 7) % 11 + 0.5f * i;
        }
        return new NdArray(List.of("batch", "channel", "x"), new int[] {2, 2, 6}, v);
    }

    static Processing step(String id, Map<String, Object> kwargs) {
        return new Processing(id, kwargs);
    }

    @Test
    void scaleRangePerSampleUsesNumpysLinearPercentiles() {
        // numpy: np.percentile(x, 10, axis=2) = [2, 5.25, 9.75, 10.75], 90: [9.75, 12.25, 17.25, 18.25]
        double[][] p = Statistics.percentiles(sample(), new boolean[] {true, true, false}, 10, 90);
        assertArrayEquals(new double[] {2, 5.25, 9.75, 10.75}, p[0], 1e-6);
        assertArrayEquals(new double[] {9.75, 12.25, 17.25, 18.25}, p[1], 1e-6);
        NdArray out = step("scale_range", Map.of("mode", "per_sample", "axes", "x", "min_percentile", 10,
                "max_percentile", 90)).apply(sample(), Map.of());
        float[] o = out.data();
        assertEquals(-0.25806447863578796, o[0], 1e-6);
        assertEquals(0.32258060574531555, o[5], 1e-6);
        assertEquals(0.46428564190864563, o[7], 1e-6);
        assertEquals(-0.03333332762122154, o[13], 1e-6);
        assertEquals(1.0333331823349, o[23], 1e-6);
        // 0.5 spelling: axes as a list of ids, no mode
        assertArrayEquals(o, step("scale_range", Map.of("axes", List.of("x"), "min_percentile", 10,
                "max_percentile", 90)).apply(sample(), Map.of()).data());
    }

    @Test
    void scaleRangePerDatasetPoolsTheBatch() {
        // numpy: np.percentile(x, 10, axis=(0, 2)) = [4.05, 5.8]; 90: [16.65, 17.65]
        NdArray out = step("scale_range", Map.of("mode", "per_dataset", "axes", "x", "min_percentile", 10,
                "max_percentile", 90)).apply(sample(), Map.of());
        assertEquals((0 - 4.05) / (16.65 - 4.05 + 1e-6), out.data()[0], 1e-5);
        assertEquals((18.5 - 5.8) / (17.65 - 5.8 + 1e-6), out.data()[23], 1e-5);
    }

    @Test
    void scaleRangeOnTheRealBsubtilisInput() {
        Npy.Array a = Npy.read(BioimageioDescriptionTest.shared("bsubtilis_widefield_test_input.npy"));
        ModelDescription d = DescriptionReader.read(BioimageioDescriptionTest.shared(
                "bsubtilis_unet_v0_4.bioimageio.yaml"));
        TensorDescription in = d.inputs().get(0);
        NdArray x = a.withAxes(in.axisIds());
        NdArray y = in.processing().get(0).apply(x, Map.of());
        // numpy: percentiles 1 / 99.8 = 0 / 116; element [0, 100, 7, 0] = 26 -> 0.22413792910225924; mean 0.02067434
        assertEquals(0.22413792910225924, y.data()[100 * 256 + 7], 1e-6);
        assertEquals(0.020674343588610183, BioimageioNpyTest.sum(y.data()) / y.data().length, 1e-6);
        Npy.Array s = Npy.read(BioimageioDescriptionTest.shared("stardist_example_test_input.npy"));
        TensorDescription sin = DescriptionReader.read(BioimageioDescriptionTest.shared(
                "stardist_example_v0_4.bioimageio.yaml")).inputs().get(0);
        NdArray z = sin.processing().get(0).apply(s.withAxes(sin.axisIds()), Map.of());
        // numpy: percentiles 8 / 206; [0, 100, 7, 0] = 40 -> 0.1616161607999184; mean 0.12010739969031144
        assertEquals(0.1616161607999184, z.data()[100 * 512 + 7], 1e-6);
        assertEquals(0.12010739969031144, BioimageioNpyTest.sum(z.data()) / z.data().length, 1e-6);
    }

    @Test
    void zeroMeanUnitVariancePerSampleAndFixed() {
        NdArray out = step("zero_mean_unit_variance", Map.of("mode", "per_sample", "axes", "cx"))
                .apply(sample(), Map.of());
        // numpy: means [7.3333, 13.9167], population std [3.5609765, 3.1147053]
        assertEquals(-2.0593597888946533, out.data()[0], 1e-5);
        assertEquals(-0.7956617474555969, out.data()[5], 1e-5);
        assertEquals(-1.4180042743682861, out.data()[13], 1e-5);
        assertEquals(1.4715137481689453, out.data()[23], 1e-5);
        // fixed, one mean/std per channel (0.4: the axes not reduced; 0.5: along 'channel')
        NdArray f4 = step("zero_mean_unit_variance", Map.of("mode", "fixed", "axes", "x", "mean", List.of(1, 2),
                "std", List.of(2, 4))).apply(sample(), Map.of());
        NdArray f5 = step("fixed_zero_mean_unit_variance", Map.of("axis", "channel", "mean", List.of(1, 2),
                "std", List.of(2, 4))).apply(sample(), Map.of());
        assertArrayEquals(f4.data(), f5.data());
        assertEquals((7.5 - 1) / (2 + 1e-6), f4.data()[1], 1e-6);
        assertEquals((12 - 2) / (4 + 1e-6), f4.data()[6], 1e-6);
        assertEquals((13 - 1) / (2 + 1e-6), f4.data()[12], 1e-6);
    }

    @Test
    void linearClipBinarizeSigmoidSoftmax() {
        NdArray x = sample();
        assertEquals(7.5f * 2 - 1, step("scale_linear", Map.of("gain", 2, "offset", -1)).apply(x, Map.of())
                .data()[1]);
        NdArray perChannel = step("scale_linear", Map.of("axis", "channel", "gain", List.of(1, 10), "offset",
                List.of(0, 0))).apply(x, Map.of());
        assertEquals(7.5f, perChannel.data()[1]);
        assertEquals(120f, perChannel.data()[6]);
        NdArray c = step("clip", Map.of("min", 4, "max", 10)).apply(x, Map.of());
        assertEquals(4f, c.data()[0]);
        assertEquals(10f, c.data()[3]);
        assertEquals(8f, c.data()[4]);
        NdArray b = step("binarize", Map.of("threshold", 8)).apply(x, Map.of());
        assertEquals(0f, b.data()[4]);
        assertEquals(1f, b.data()[7]);
        NdArray s = step("sigmoid", Map.of()).apply(x, Map.of());
        assertEquals(1 / (1 + Math.exp(-7.5)), s.data()[1], 1e-7);
        NdArray sm = step("softmax", Map.of("axis", "channel")).apply(x, Map.of());
        assertEquals(1, sm.data()[0] + sm.data()[6], 1e-6);
        assertEquals(Math.exp(0) / (Math.exp(0) + Math.exp(12)), sm.data()[0], 1e-9);
        NdArray u8 = Processing.ensureDtype(new NdArray(List.of("x"), new int[] {3}, new float[] {-3, 2.7f, 300}),
                "uint8");
        assertArrayEquals(new float[] {0, 2, 255}, u8.data());
    }

    @Test
    void scaleMeanVarianceMatchesTheReferencesStatistics() {
        NdArray x = sample();
        NdArray ref = x.with(java.util.stream.IntStream.range(0, 24).mapToObj(i -> (float) (i * 3 + 1))
                .collect(() -> new float[24], new java.util.function.BiConsumer<float[], Float>() {
                    int k;

                    @Override
                    public void accept(float[] a, Float v) {
                        a[k++] = v;
                    }
                }, (a, b2) -> { }));
        NdArray out = step("scale_mean_variance", Map.of("mode", "per_sample", "axes", "cx",
                "reference_tensor", "raw")).apply(x, Map.of("raw", ref));
        double[][] ms = Statistics.meanStd(out, new boolean[] {true, false, false});
        double[][] rs = Statistics.meanStd(ref, new boolean[] {true, false, false});
        assertArrayEquals(rs[0], ms[0], 1e-4);
        assertArrayEquals(rs[1], ms[1], 1e-3);
    }

    @Test
    void refusesUnknownStepsAndAxes() {
        ModelException e = assertThrows(ModelException.class, () -> step("stardist_postprocessing", Map.of())
                .apply(sample(), Map.of()));
        assertTrue(e.getMessage().contains("stardist_postprocessing") && e.getMessage().contains("Fix:"));
        assertThrows(ModelException.class, () -> step("scale_range", Map.of("axes", "yx")).apply(sample(),
                Map.of()));
        assertThrows(ModelException.class, () -> step("scale_linear", Map.of("axis", "channel", "gain",
                List.of(1, 2, 3))).apply(sample(), Map.of()));
    }
}
