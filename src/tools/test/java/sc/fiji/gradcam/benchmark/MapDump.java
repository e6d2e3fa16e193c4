package sc.fiji.gradcam.benchmark;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sc.fiji.gradcam.api.ExplainRequest;
import sc.fiji.gradcam.explain.Explainer;
import sc.fiji.gradcam.api.Explanation;
import sc.fiji.gradcam.api.MapImage;
import sc.fiji.gradcam.api.Method;
import sc.fiji.gradcam.api.PreprocessingOptions;
import sc.fiji.gradcam.api.image.InputImage;
import sc.fiji.gradcam.api.image.PixelKind;
import sc.fiji.gradcam.model.LoadedModel;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.testmodels.BenchmarkModels;
import sc.fiji.gradcam.testmodels.SaveStyle;

/**
 * Diagnostic: writes every map of a few explanations (three small full-depth models, three resize modes, three
 * sizes, 8-bit RGB, 16-bit and float gray) to a file, to check that a speed-up changes no map: run it before and
 * after (args: model cache folder, output file) and compare the files.
 */
public final class MapDump {
    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        Path out = Paths.get(args[1]);
        if (!Files.exists(dir.resolve("mobilenetv2"))) {
            BenchmarkModels.build(BenchmarkModels.Kind.MOBILENETV2, 0.35, 64, 10, SaveStyle.FUNCTION_CALL, 1, dir.resolve("mobilenetv2"));
            BenchmarkModels.build(BenchmarkModels.Kind.RESNET50, 0.25, 64, 10, SaveStyle.TF1_GRAPH, 1, dir.resolve("resnet50"));
            BenchmarkModels.build(BenchmarkModels.Kind.VGG16, 0.25, 64, 10, SaveStyle.FUNCTION_CALL, 1, dir.resolve("vgg16"));
        }
        Random r = new Random(3);
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out))) {
            for (String m : List.of("mobilenetv2", "resnet50", "vgg16")) {
                try (LoadedModel model = ModelLoader.load(dir.resolve(m))) {
                    Explainer ex = new Explainer(model);
                    for (String resize : List.of("stretch", "crop", "pad")) {
                        for (int[] wh : new int[][] {{64, 64}, {97, 61}, {40, 130}}) {
                            for (PixelKind kind : PixelKind.values()) {
                                int c = kind == PixelKind.UINT8 ? 3 : 1;
                                float[] d = new float[wh[0] * wh[1] * c];
                                for (int i = 0; i < d.length; i++) {
                                    d[i] = kind == PixelKind.FLOAT ? (float) r.nextGaussian() : r.nextInt(kind == PixelKind.UINT8 ? 256 : 4000);
                                }
                                InputImage img = new InputImage(wh[0], wh[1], c, d, kind);
                                ExplainRequest req = ExplainRequest.defaults().withMethods(Method.parseList("all"))
                                        .withPreprocessing(new PreprocessingOptions(null, resize, null, null));
                                Explanation e = ex.explain(img, req).get(0);
                                for (Map.Entry<Method, MapImage> me : e.maps().entrySet()) {
                                    o.writeUTF(m + "/" + resize + "/" + wh[0] + "x" + wh[1] + "/" + kind + "/" + me.getKey());
                                    float[] v = me.getValue().data();
                                    o.writeInt(v.length);
                                    for (float f : v) {
                                        o.writeFloat(f);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        System.out.println("wrote " + out);
    }
}
