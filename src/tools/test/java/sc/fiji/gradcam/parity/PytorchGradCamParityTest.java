package sc.fiji.gradcam.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sc.fiji.gradcam.parity.PeerMaps.argmax;
import static sc.fiji.gradcam.parity.PeerMaps.base;
import static sc.fiji.gradcam.parity.PeerMaps.mirror;
import static sc.fiji.gradcam.parity.PeerMaps.nchwToPositionMajor;
import static sc.fiji.gradcam.parity.PeerMaps.negate;
import static sc.fiji.gradcam.parity.PeerMaps.planar;
import static sc.fiji.gradcam.parity.PeerMaps.relu;
import static sc.fiji.gradcam.parity.PeerMaps.signLike;
import static sc.fiji.gradcam.parity.PeerMaps.toFloat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;
import sc.fiji.gradcam.support.Cam;
import sc.fiji.gradcam.support.Runs;
import sc.fiji.gradcam.training.ExportedModel;
import sc.fiji.gradcam.training.SavedModelExport;


/**
 * Parity with pytorch-grad-cam and Captum (docs/parity.md). {@code scripts/compare-pytorch-grad-cam} ran the peers on
 * the trainer's {@code SmallCnn} built in PyTorch from the fixture's weights; this test builds the same network as a
 * SavedModel from the same weights, explains the same two images with this project's explainer and compares, per
 * method, image and class, the raw maps at feature resolution (Pearson ≥ {@value #MIN_PEARSON}, max |diff| ≤
 * {@value #MAX_REL} of the peer's max), the maps at input resolution, aug_smooth, Guided Backprop, Guided Grad-CAM,
 * FullGrad and Captum's attributions. Where docs/methods.md documents a deviation, the peer's map is turned into what the
 * documentation says this project computes instead, and that is compared:
 * <ul>
 *   <li>EigenCAM, EigenGrad-CAM and every eigen_smooth map: the projection's sign is the one correlating positively
 *       with the channel sum of the projected values (the peer keeps its SVD's sign);</li>
 *   <li>Ablation-CAM: weights divided by |y_c|, so the peer's map is negated where y_c &lt; 0;</li>
 *   <li>Score-CAM: resized with pixel centres aligned — compared against the peer run with
 *       {@code UpsamplingBilinear2d} swapped for {@code align_corners=False} ({@code scorecam@centres}); the stock peer
 *       is reported, not asserted;</li>
 *   <li>aug_smooth: each augmented map divided by its maximum at feature resolution; the test gives both sides the
 *       same class, so the fixed-class deviation does not enter.</li>
 * </ul>
 * A table of every comparison goes to {@code target/parity/parity-results.md} ({@link ParityTable}).
 */
class PytorchGradCamParityTest {

    static final double MIN_PEARSON = 0.999;
    static final double MAX_REL = 1e-3;

    /** The CAM-like methods both libraries have, in the fixture's names (the counterfactual: Grad-CAM of −y_c there). */
    static final Map<String, Method> CAMS = Map.of("gradcam", Method.GRADCAM, "hirescam", Method.HIRESCAM,
            "gradcam-plusplus", Method.GRADCAM_PLUSPLUS, "xgradcam", Method.XGRADCAM, "layercam", Method.LAYERCAM,
            "eigencam", Method.EIGENCAM, "eigengradcam", Method.EIGENGRADCAM, "scorecam", Method.SCORECAM,
            "ablationcam", Method.ABLATIONCAM, "counterfactual", Method.COUNTERFACTUAL);
    static final Set<Method> CAM_METHODS = EnumSet.copyOf(CAMS.values());

    /**
     * The CAM methods among {@code names} (a fixture's list): on a large net the fixture leaves out Score-CAM and
     * Ablation-CAM (a pass per channel), and so does this side.
     */
    static Set<Method> camMethods(List<String> names) {
        Set<Method> methods = EnumSet.noneOf(Method.class);
        names.stream().map(n -> CAMS.get(base(n))).filter(m -> m != null).forEach(methods::add);
        return methods;
    }

    @TempDir
    static Path tmp;

    private static final AtomicInteger COUNT = new AtomicInteger();

    /** The fixture's network as a loaded SavedModel with its explainer, and the images. */
    record Opened(PeerFixture f, LoadedModel model, Explainer explainer, InputImage[] images) implements AutoCloseable {
        @Override
        public void close() {
            explainer.close();
            model.close();
        }

        int classes() {
            return f.net.classes();
        }

        List<Explanation> explain(int image, List<Integer> classes, Set<Method> methods, boolean eigen, boolean aug) {
            return explainer.explain(images[image], ExplainRequest.defaults()
                    .withTargets(classes.stream().map(String::valueOf).toList()).withMethods(methods)
                    .withEigenSmooth(eigen).withAugSmooth(aug));
        }

        int top1(int image) {
            return (int) f.array("top1").at(image);
        }
    }

    /**
     * The committed nets, or those named by {@code -Dparity.nets=A,B} (in {@code -Dparity.root=DIR}, as
     * {@code scripts/compare-pytorch-grad-cam --model} runs it on a trained model).
     */
    static List<String> nets() {
        return List.of(System.getProperty("parity.nets", "tiny-avgmax,tiny-gap,tiny-vgg-max").split(","));
    }

    /** The nets whose fixture has the input-resolution maps, Guided Backprop and Captum. */
    static List<String> netsWithInputMaps() {
        return nets().stream().filter(n -> Files.exists(PeerFixture.root().resolve(n).resolve("input.npy"))).toList();
    }

    static Opened open(String name) throws IOException {
        TensorFlowRuntime.engine();
        PeerFixture f = PeerFixture.load(name);
        Path dir = tmp.resolve(name + "-" + COUNT.incrementAndGet());
        SavedModelExport.export(f.net, f.weights, dir);
        ExportedModel.writeMetadata(dir, f.net,
                IntStream.range(0, f.net.classes()).mapToObj(c -> "class" + c).toList(), "parity " + name);
        LoadedModel m = ModelLoader.load(dir);
        return new Opened(f, m, new Explainer(m), PeerFixture.images());
    }

    @ParameterizedTest
    @MethodSource("nets")
    void sameLogitsActivationsAndGradients(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerFixture.Array a = o.f.array("activations");
            PeerFixture.Array g = o.f.array("gradients");
            int k = a.shape()[1];
            // float32 sums in a different order: 1e-5 of the largest value on the small nets; on a net of a million
            // weights or more (VGG-16: dots of 25,088 terms, 16 layers deep) 1e-4
            double tolerance = o.f.weights.values().stream().mapToLong(w -> w.length).sum() < 1_000_000 ? 1e-5 : 1e-4;
            for (int i = 0; i < o.images.length; i++) {
                double[] x = Cam.modelInput(o.model, o.images[i]);
                double[] logits = Runs.run(o.model, x, 1, null, -1, "logits:0").get(0);
                double[] peer = o.f.logits.slice(i);
                Agreement l = Agreement.of(peer, logits);
                ParityTable.record(net, "logits", "model output", l, true);
                assertTrue(l.relDiff() < tolerance, net + " image " + i + " logits " + l);
                List<Cam.LayerValues> values = Cam.defaultLayerValuesPerClass(o.model, o.images[i]);
                Agreement act = Agreement.of(nchwToPositionMajor(a.slice(i), k), values.get(0).a());
                ParityTable.record(net, "activations", "target layer", act, true);
                assertTrue(act.relDiff() < tolerance, net + " image " + i + " activations " + act);
                for (int c = 0; c < o.classes(); c++) {
                    Agreement grad = Agreement.of(nchwToPositionMajor(g.slice(i, c), k), values.get(c).g());
                    ParityTable.record(net, "gradients", "target layer", grad, true);
                    assertTrue(grad.relDiff() < tolerance, net + " image " + i + " class " + c + " gradients " + grad);
                }
                assertEquals(o.top1(i), argmax(logits), net + " image " + i + ": top-1");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void rawFeatureMapsAgreeOrDifferAsDocumented(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerMaps peer = new PeerMaps(o.f);
            List<String> failures = new ArrayList<>();
            List<Integer> all = IntStream.range(0, o.classes()).boxed().toList();
            for (int i = 0; i < o.images.length; i++) {
                for (boolean eigen : new boolean[] {false, true}) {
                    List<Explanation> es = o.explain(i, all, camMethods(peer.featureNames), eigen, false);
                    for (String name : peer.featureNames) {
                        if (name.endsWith("+eigen") != eigen) {
                            continue;
                        }
                        Method m = CAMS.get(base(name));
                        boolean asserted = !name.replace("+eigen", "").equals("scorecam");
                        for (int c = 0; c < o.classes(); c++) {
                            double[] ours = Agreement.toDouble(es.get(c).rawMaps().get(m).data());
                            Agreement a = Agreement.of(peer.expectedFeature(name, i, c), ours);
                            ParityTable.record(net, name, "feature resolution", a, asserted);
                            ParityTable.count(net, name, peer.sameSignAsPeer(name, i, c));
                            if (asserted && !a.within(MIN_PEARSON, MAX_REL)) {
                                failures.add(name + " image " + i + " class " + c + ": " + a);
                            }
                        }
                    }
                }
            }
            assertTrue(failures.isEmpty(), net + ": " + failures);
        }
    }

    /**
     * The comparison can fail: each class-discriminative method's map for a class does not pass against the peer's map
     * of another class somewhere, a mirrored peer map fails wherever the map is not mirror-symmetric, and a peer map
     * with one value moved by 1 % of its maximum fails.
     */
    @ParameterizedTest
    @MethodSource("nets")
    void wrongPeerMapsFailTheComparison(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerMaps peer = new PeerMaps(o.f);
            List<Integer> all = IntStream.range(0, o.classes()).boxed().toList();
            int w = o.f.array("activations").shape()[3];
            for (String name : peer.featureNames) {
                if (name.endsWith("+eigen")) {
                    continue;
                }
                Method m = CAMS.get(base(name));
                int otherClassFails = 0;
                int nonZero = 0;
                for (int i = 0; i < o.images.length; i++) {
                    List<Explanation> es = o.explain(i, all, EnumSet.of(m), false, false);
                    for (int c = 0; c < o.classes(); c++) {
                        double[] ours = Agreement.toDouble(es.get(c).rawMaps().get(m).data());
                        double[] right = peer.expectedFeature(name, i, c);
                        if (Agreement.maxAbs(right) == 0) {
                            continue;
                        }
                        nonZero++;
                        int other = (c + 1) % o.classes();
                        if (!Agreement.of(peer.expectedFeature(name, i, other), ours).within(MIN_PEARSON, MAX_REL)) {
                            otherClassFails++;
                        }
                        double[] mirrored = mirror(right, w);
                        if (!Agreement.of(right, mirrored).within(MIN_PEARSON, MAX_REL)) {
                            assertFalse(Agreement.of(mirrored, ours).within(MIN_PEARSON, MAX_REL),
                                    name + " image " + i + " class " + c + ": a mirrored peer map passes");
                        }
                        double[] moved = right.clone();
                        int at = argmax(right);
                        moved[at] -= 0.01 * Agreement.maxAbs(right);
                        assertFalse(Agreement.of(moved, ours).within(MIN_PEARSON, MAX_REL),
                                name + " image " + i + " class " + c + ": a peer map off by 1 % passes");
                    }
                }
                assertTrue(nonZero > 0, net + " " + name + ": every peer map is zero");
                if (m != Method.EIGENCAM) {
                    assertTrue(otherClassFails > 0, net + " " + name + ": another class's peer map always passes");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("netsWithInputMaps")
    void inputResolutionMapsAgreeWhereNoDeviationApplies(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerMaps peer = new PeerMaps(o.f);
            List<String> names = o.f.names("input");
            PeerFixture.Array input = o.f.array("input");
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < o.images.length; i++) {
                int c = o.top1(i);
                Explanation e = o.explain(i, List.of(c), camMethods(names), false, false).get(0);
                for (int j = 0; j < names.size(); j++) {
                    String name = names.get(j);
                    double[] ours = Agreement.minMax(Agreement.toDouble(e.maps().get(CAMS.get(base(name))).data()));
                    Agreement a = Agreement.of(Agreement.minMax(input.slice(j, i)), ours);
                    // the peer's map is the documented deviation's other side where its sign or resize differs
                    boolean corners = name.equals("scorecam");
                    boolean sign = peer.sameSignAsPeer(name, i, c);
                    boolean asserted = !corners && sign;
                    ParityTable.record(net, name, "input resolution" + (corners ? " (peer aligns corners)"
                            : sign ? "" : " (peer has the other sign)"), a, asserted);
                    if (asserted && !a.within(MIN_PEARSON, MAX_REL)) {
                        failures.add(name + " image " + i + ": " + a);
                    }
                }
            }
            assertTrue(failures.isEmpty(), net + ": " + failures);
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void augSmoothAgrees(String net) throws IOException {
        try (Opened o = open(net)) {
            List<String> names = o.f.names("aug");
            PeerFixture.Array pre = o.f.array("aug-feature");
            PeerFixture.Array sums = o.f.array("aug-sums");
            PeerFixture.Array scores = o.f.array("aug-scores");
            PeerFixture.Array input = Files.exists(o.f.dir.resolve("aug-input.npy")) ? o.f.array("aug-input") : null;
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < o.images.length; i++) {
                int c = o.top1(i);
                Explanation e = o.explain(i, List.of(c), camMethods(names), false, true).get(0);
                for (int j = 0; j < names.size(); j++) {
                    String name = names.get(j);
                    String method = base(name);
                    int augmentations = pre.shape()[2];
                    double[] expected = null;
                    for (int t = 0; t < augmentations; t++) {
                        double[] map = pre.slice(j, i, t);
                        if (method.equals("ablationcam") && scores.at(i, t) < 0) {
                            negate(map);
                        }
                        if (method.equals("eigencam") || method.equals("eigengradcam")) {
                            signLike(map, sums.slice(i, t, method.equals("eigencam") ? 0 : 1));
                        }
                        relu(map);
                        double max = Agreement.maxAbs(map);
                        expected = expected == null ? new double[map.length] : expected;
                        for (int q = 0; q < map.length && max > 0; q++) {
                            expected[q] += map[q] / max / augmentations;
                        }
                    }
                    Method m = CAMS.get(method);
                    Agreement a = Agreement.of(expected, Agreement.toDouble(e.rawMaps().get(m).data()));
                    ParityTable.record(net, name, "aug_smooth, feature resolution", a, true);
                    if (!a.within(MIN_PEARSON, MAX_REL)) {
                        failures.add(name + " image " + i + ": " + a);
                    }
                    if (input == null) {
                        continue;
                    }
                    // the peer min-max scales each upsampled map, this project divides by the feature map's maximum
                    double[] peerFull = input.slice(j, i);
                    Agreement full = Agreement.of(Agreement.minMax(peerFull),
                            Agreement.minMax(Agreement.toDouble(e.maps().get(m).data())));
                    ParityTable.record(net, name, "aug_smooth, input resolution (normalisation differs)", full, false);
                    // ... and that is the whole difference: the peer's result from its own six maps, each upsampled
                    // (pixel centres aligned, as cv2.resize) and min-max scaled, then averaged
                    int fh = pre.shape()[3];
                    int fw = pre.shape()[4];
                    int h = input.shape()[2];
                    int w = input.shape()[3];
                    double[] recomputed = new double[h * w];
                    for (int t = 0; t < augmentations; t++) {
                        double[] map = pre.slice(j, i, t);
                        relu(map);
                        float[] up = sc.fiji.gradcam.api.image.Bilinear.resize(toFloat(map), fw, fh, w, h);
                        double[] scaled = Agreement.minMax(Agreement.toDouble(up));
                        for (int q = 0; q < recomputed.length; q++) {
                            recomputed[q] += scaled[q] / augmentations;
                        }
                    }
                    Agreement own = Agreement.of(peerFull, recomputed);
                    ParityTable.record(net, name, "aug_smooth, input resolution: the peer's normalisation recomputed", own, true);
                    if (!own.within(MIN_PEARSON, MAX_REL)) {
                        failures.add(name + " image " + i + " (peer's own normalisation): " + own);
                    }
                }
            }
            assertTrue(failures.isEmpty(), net + ": " + failures);
        }
    }

    @ParameterizedTest
    @MethodSource("netsWithInputMaps")
    void guidedBackpropGuidedGradCamAndCaptumAgree(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerFixture.Array guided = o.f.array("guided");
            boolean captum = Files.exists(o.f.dir.resolve("captum.npy"));
            Set<Method> methods = EnumSet.of(Method.GRADCAM, Method.GUIDED_BACKPROP, Method.GUIDED_GRADCAM);
            List<String> captumNames = captum ? o.f.names("captum") : List.of();
            captumNames.forEach(n -> methods.add(Method.parse(n)));
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < o.images.length; i++) {
                Explanation e = o.explain(i, List.of(o.top1(i)), methods, false, false).get(0);
                Agreement gb = Agreement.of(planar(guided.slice(0, i), guided.shape()), data(e, Method.GUIDED_BACKPROP));
                ParityTable.record(net, "guided-backprop", "input resolution", gb, true);
                if (!gb.within(MIN_PEARSON, MAX_REL)) {
                    failures.add("guided-backprop image " + i + ": " + gb);
                }
                // the peer README's product takes its min-max-scaled Grad-CAM, this project's the upsampled map divided
                // by the raw maximum (the same where the raw map has a zero): reported, and asserted with the peer's
                // Guided Backprop times its raw Grad-CAM so normalised
                Agreement readme = Agreement.of(Agreement.byMaxAbs(planar(guided.slice(1, i), guided.shape())),
                        Agreement.byMaxAbs(data(e, Method.GUIDED_GRADCAM)));
                ParityTable.record(net, "guided-gradcam", "input resolution, the README's product (each ÷ its max)", readme, false);
                double[] raw = new PeerMaps(o.f).expectedFeature("gradcam", i, o.top1(i));
                int side = guided.shape()[2];
                int fside = (int) Math.round(Math.sqrt(raw.length));
                double[] cam = Agreement.toDouble(sc.fiji.gradcam.api.image.Bilinear.resize(toFloat(raw), fside, fside,
                        side, side));
                double rawMax = Agreement.maxAbs(raw);
                double[] gbPlanar = planar(guided.slice(0, i), guided.shape());
                double[] expected = new double[gbPlanar.length];
                for (int q = 0; q < expected.length && rawMax > 0; q++) {
                    expected[q] = gbPlanar[q] * cam[q % cam.length] / rawMax;
                }
                Agreement ggc = Agreement.of(expected, data(e, Method.GUIDED_GRADCAM));
                ParityTable.record(net, "guided-gradcam", "input resolution, peer's Guided Backprop × its Grad-CAM ÷ raw max", ggc,
                        true);
                if (!ggc.within(MIN_PEARSON, MAX_REL)) {
                    failures.add("guided-gradcam image " + i + ": " + ggc);
                }
                for (int j = 0; j < captumNames.size(); j++) {
                    PeerFixture.Array a = o.f.array("captum");
                    Agreement cap = Agreement.of(planar(a.slice(j, i), a.shape()), data(e, Method.parse(captumNames.get(j))));
                    ParityTable.record(net, captumNames.get(j) + " (Captum)", "model input", cap, true);
                    if (!cap.within(MIN_PEARSON, MAX_REL)) {
                        failures.add(captumNames.get(j) + " image " + i + ": " + cap);
                    }
                }
            }
            assertTrue(failures.isEmpty(), net + ": " + failures);
        }
    }

    /**
     * FullGrad against pytorch-grad-cam's {@code FullGrad} (every {@code Conv2d} bias of the net, no target layer), every
     * image and class, at input resolution: both are in [0, 1] already, so compared as they are. The comparison can fail:
     * another class's peer map fails somewhere, a mirrored one wherever the map is not symmetric, one moved by 1 % of
     * its maximum everywhere.
     */
    @ParameterizedTest
    @MethodSource("nets")
    void fullGradAgrees(String net) throws IOException {
        try (Opened o = open(net)) {
            PeerFixture.Array peer = o.f.array("fullgrad");
            int w = peer.shape()[3];
            List<Integer> all = IntStream.range(0, o.classes()).boxed().toList();
            List<String> failures = new ArrayList<>();
            int otherClassFails = 0;
            for (int i = 0; i < o.images.length; i++) {
                List<Explanation> es = o.explain(i, all, EnumSet.of(Method.FULLGRAD), false, false);
                for (int c = 0; c < o.classes(); c++) {
                    double[] ours = data(es.get(c), Method.FULLGRAD);
                    double[] right = peer.slice(i, c);
                    Agreement a = Agreement.of(right, ours);
                    ParityTable.record(net, "fullgrad", "input resolution", a, true);
                    if (!a.within(MIN_PEARSON, MAX_REL)) {
                        failures.add("fullgrad image " + i + " class " + c + ": " + a);
                    }
                    if (!Agreement.of(peer.slice(i, (c + 1) % o.classes()), ours).within(MIN_PEARSON, MAX_REL)) {
                        otherClassFails++;
                    }
                    double[] mirrored = mirror(right, w);
                    if (!Agreement.of(right, mirrored).within(MIN_PEARSON, MAX_REL)) {
                        assertFalse(Agreement.of(mirrored, ours).within(MIN_PEARSON, MAX_REL),
                                "fullgrad image " + i + " class " + c + ": a mirrored peer map passes");
                    }
                    double[] moved = right.clone();
                    moved[argmax(right)] -= 0.01 * Agreement.maxAbs(right);
                    assertFalse(Agreement.of(moved, ours).within(MIN_PEARSON, MAX_REL),
                            "fullgrad image " + i + " class " + c + ": a peer map off by 1 % passes");
                }
            }
            assertTrue(otherClassFails > 0, net + ": another class's FullGrad map always passes");
            assertTrue(failures.isEmpty(), net + ": " + failures);
        }
    }

    static double[] data(Explanation e, Method m) {
        return Agreement.toDouble(e.maps().get(m).data());
    }

    @AfterAll
    static void writeTable() throws IOException {
        ParityTable.write();
    }
}
