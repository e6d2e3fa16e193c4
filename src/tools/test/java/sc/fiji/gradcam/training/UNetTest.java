package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.api.Region;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.bioimageio.BioimageioPackage;
import sc.fiji.gradcam.bioimageio.NdArray;
import sc.fiji.gradcam.bioimageio.PackageVerifier;
import sc.fiji.gradcam.bioimageio.PackageWriter;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.support.SharedModels;

/**
 * The segmentation U-Net of issue G.5: it trains (the loss falls and it learns the threshold's cells), its export
 * serves the training graph's probabilities at any size that is a multiple of its step, its BioImage.IO 0.5 package
 * passes verify, and the explainer explains it as a dense model (bottleneck layer, parasite channel, a region).
 */
class UNetTest {

    @TempDir
    Path tmp;

    private static List<TrainSegmentationModel.Sample> crops(int perClass) throws Exception {
        List<TrainSegmentationModel.Sample> out = new ArrayList<>();
        Path root = SharedModels.root().resolve("datasets/malaria");
        for (String cls : TrainSegmentationModel.FOLDERS) {
            List<String> files = ImageFolderDataset.list(root, List.of(cls));
            for (String f : files.subList(0, perClass)) {
                out.add(TrainSegmentationModel.sample(root.resolve(f)));
            }
        }
        return out;
    }

    private static Map<String, float[]> init(UNet net, long seed) {
        Map<String, float[]> w = new LinkedHashMap<>();
        Random r = new Random(seed);
        for (SmallCnn.Param p : net.params()) {
            w.put(p.name(), SmallCnn.initialValue(p, r));
        }
        return w;
    }

    @Test
    void theReceptiveFieldAndStepFollowTheLevels() {
        UNet net = new UNet(3, new int[] {8, 16, 32}, 3);
        assertEquals(4, net.step());
        // convs 2·(1 + 2 + 4) + 2·(2 + 1) on each side, pools 1 + 2: field 1 + 4 + 1 + 8 + 2 + 16 + 8 + 4 = 44
        assertEquals(22, net.radius());
        assertEquals(new UNet(3, new int[] {8, 16}, 3).step(), 2);
    }

    @Test
    void trainingLowersTheLossAndLearnsTheCells() throws Exception {
        List<TrainSegmentationModel.Sample> samples = crops(8);
        UNet net = new UNet(3, new int[] {4, 8}, 3);
        int size = 48;
        try (UNetTrainer trainer = new UNetTrainer(net, init(net, 1), new float[] {1, 1, 5})) {
            Random r = new Random(2);
            float[] x = new float[samples.size() * size * size * 3];
            int[] y = new int[samples.size() * size * size];
            for (int i = 0; i < samples.size(); i++) {
                TrainSegmentationModel.augmentedCrop(samples.get(i), size, r, x, y, i);
            }
            float before = trainer.loss(x, y, samples.size(), size);
            for (int step = 0; step < 60; step++) {
                trainer.step(x, y, samples.size(), size, 0.01f, 0f);
            }
            float after = trainer.loss(x, y, samples.size(), size);
            assertTrue(after < 0.5 * before, before + " -> " + after);
            // the cell is the bulk of each crop: after a minute of training the cell IoU is well above chance
            TrainSegmentationModel.Scores s = TrainSegmentationModel.score(trainer::classify, samples, net.step());
            assertTrue(s.iou(1) > 0.7, "cell IoU " + s.iou(1));
            assertTrue(s.iou(0) > 0.7, "background IoU " + s.iou(0));
        }
    }

    @Test
    void aPackageOfTheExportVerifiesAndIsExplainedAsADenseModel() throws Exception {
        TrainSegmentationModel.Sample crop = crops(1).get(0); // a Parasitized crop
        UNet net = new UNet(3, new int[] {4, 8, 8}, 3);
        Map<String, float[]> weights = init(net, 3);
        Path saved = tmp.resolve("saved");
        SavedModelExport.export(Shape.of(-1, -1, -1, 3), (tf, image, factory) -> net.build(tf, image, factory)
                .probabilities(), weights, saved);
        NdArray input = TrainSegmentationModel.testInput(crop, net.step());
        PackageWriter.Spec spec = TrainSegmentationModel.spec(net, saved);
        assertEquals(24, spec.halo());
        Path zip = PackageWriter.write(spec, input, tmp.resolve("pkg/unet.bioimageio.zip"));
        PackageVerification v = PackageVerifier.verify(zip);
        assertTrue(v.passed(), v.toString());

        // the package's output is the training graph's, at the crop's own (padded) size
        int[] size = new int[2];
        float[] hwc = TrainSegmentationModel.padded(crop, net.step(), size);
        BioimageioPackage pkg = BioimageioPackage.open(zip);
        NdArray expected = pkg.testTensor(pkg.description().outputs().get(0));
        assertArrayEquals(new int[] {1, size[1], size[0], 3}, expected.shape());
        try (UNetTrainer trainer = new UNetTrainer(net, weights, null)) {
            int[] classes = trainer.classify(hwc, size[1], size[0]);
            assertArrayEquals(UNetTrainer.argmax(expected.data(), 3), classes);
        }

        // explained through the package: free size, the parasite channel over a region, the bottleneck layer
        try (LoadedModel m = ModelLoader.load(zip); Explainer explainer = new Explainer(m)) {
            assertTrue(m.dense());
            float[] planar = new float[crop.width() * crop.height() * 3];
            int n = crop.width() * crop.height();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    planar[c * n + i] = Math.round(crop.hwc()[i * 3 + c] * 255);
                }
            }
            InputImage image = new InputImage(crop.width(), crop.height(), 3, planar, PixelKind.UINT8);
            Region box = Region.rectangle(crop.width() / 4, crop.height() / 4, crop.width() / 2, crop.height() / 2,
                    "centre");
            ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADCAM, Method.GRADIENT))
                    .withTargets(List.of("parasite")).withRegion(box);
            Explanation e = explainer.explain(image, r).get(0);
            assertEquals("parasite", e.target().label());
            assertEquals(net.bottleneckOpName(), e.layer().name().replace(":0", ""), e.layer().toString());
            assertEquals((long) (crop.width() / 2) * (crop.height() / 2), e.region().pixels());
            MapImage gradient = e.maps().get(Method.GRADIENT);
            assertEquals(crop.width(), gradient.width());
            assertEquals(crop.height(), gradient.height());
            // the gradient is zero beyond the receptive field of the box
            int reach = net.radius() + 2;
            double far = 0;
            for (int yy = 0; yy < crop.height(); yy++) {
                for (int xx = 0; xx < crop.width(); xx++) {
                    boolean outside = xx < crop.width() / 4 - reach || yy < crop.height() / 4 - reach
                            || xx >= 3 * crop.width() / 4 + reach || yy >= 3 * crop.height() / 4 + reach;
                    if (outside) {
                        for (int c = 0; c < gradient.channels(); c++) {
                            far = Math.max(far, Math.abs(gradient.get(xx, yy, c)));
                        }
                    }
                }
            }
            double peak = 0;
            for (float g : gradient.data()) {
                peak = Math.max(peak, Math.abs(g));
            }
            assertTrue(peak > 0);
            assertEquals(0, far, 1e-6 * peak);
        }
    }

    @Test
    void theTrainerWritesAVerifiedPackageAndReadme() throws Exception {
        Path out = tmp.resolve("out");
        int code = new picocli.CommandLine(new TrainSegmentationModel()).execute("--data",
                SharedModels.root().resolve("datasets/malaria").toString(), "--per-class", "10", "--epochs", "1",
                "--widths", "4,8", "--crop", "32", "--no-progress", "--out", out.toString());
        assertEquals(0, code);
        Path zip = out.resolve(TrainSegmentationModel.PACKAGE);
        assertTrue(PackageVerifier.verify(zip).passed());
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("parasite Dice") && readme.contains("gradcam verify"), readme);
        // no SavedModel folder is left beside the package
        try (var files = Files.list(out)) {
            assertEquals(List.of("README.md", TrainSegmentationModel.PACKAGE),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // a second run into the same folder is refused without --overwrite
        assertEquals(1, ExportedModel.execute(new TrainSegmentationModel(), new String[] {"--data",
                SharedModels.root().resolve("datasets/malaria").toString(), "--out", out.toString()}));
        assertTrue(Files.isRegularFile(zip));
    }

    /**
     * The committed package (models/malaria-unet): it verifies, it segments its own test crop like the threshold it
     * learned from, and explaining its parasite channel puts the gradient's mass on the parasite.
     */
    @Test
    void theCommittedPackageVerifiesSegmentsAndIsExplainedOnTheParasite() throws Exception {
        Path zip = java.nio.file.Paths.get(System.getProperty("gradcam.basedir", ".")).resolve("models/malaria-unet")
                .resolve(TrainSegmentationModel.PACKAGE);
        assertTrue(Files.isRegularFile(zip), zip + " missing: run scripts/train-segmentation-model");
        PackageVerification v = PackageVerifier.verify(zip);
        assertTrue(v.passed(), v.toString());
        BioimageioPackage pkg = BioimageioPackage.open(zip);
        NdArray raw = pkg.testTensor(pkg.description().inputs().get(0));
        NdArray out = pkg.testTensor(pkg.description().outputs().get(0));
        int h = raw.shape()[1];
        int w = raw.shape()[2];
        int n = w * h;
        float[] planar = new float[n * 3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                planar[c * n + i] = raw.data()[i * 3 + c];
            }
        }
        InputImage image = new InputImage(w, h, 3, planar, PixelKind.UINT8);
        boolean[] parasite = sc.fiji.gradcam.evaluation.ParasiteSegmentation.segment(image).parasite();
        int[] predicted = UNetTrainer.argmax(out.data(), 3);
        long both = 0;
        long truth = 0;
        long said = 0;
        for (int i = 0; i < n; i++) {
            truth += parasite[i] ? 1 : 0;
            said += predicted[i] == 2 ? 1 : 0;
            both += parasite[i] && predicted[i] == 2 ? 1 : 0;
        }
        assertTrue(truth > 0, "the test crop has chromatin");
        double dice = 2.0 * both / (truth + said);
        assertTrue(dice > 0.6, "parasite Dice on the test crop " + dice);

        try (LoadedModel m = ModelLoader.load(zip); Explainer explainer = new Explainer(m)) {
            assertEquals(List.of("background", "cell", "parasite"), m.labels());
            ExplainRequest r = ExplainRequest.defaults().withMethods(EnumSet.of(Method.GRADIENT, Method.HIRESCAM))
                    .withTargets(List.of("parasite"));
            Explanation e = explainer.explain(image, r).get(0);
            // the default region: the model's own parasite pixels
            assertEquals(said, e.region().pixels(), e.region().describe());
            for (Method method : List.of(Method.GRADIENT, Method.HIRESCAM)) {
                MapImage map = e.maps().get(method);
                boolean[] near = sc.fiji.gradcam.api.image.BinaryMasks.dilate(parasite, w, h, 4);
                double inside = 0;
                double all = 0;
                long nearCount = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double a = 0;
                        for (int c = 0; c < map.channels(); c++) {
                            a += Math.abs(map.get(x, y, c));
                        }
                        all += a;
                        if (near[y * w + x]) {
                            inside += a;
                            nearCount++;
                        }
                    }
                }
                // per pixel, the map is far denser near the parasite than elsewhere
                double density = (inside / nearCount) / ((all - inside) / (n - nearCount));
                assertTrue(density > 3, method + ": density near the parasite / elsewhere = " + density);
            }
        }
    }
}
