package sc.fiji.gradcam.explain;

import java.nio.file.Path;
import sc.fiji.gradcam.api.GradCamEngine;
import sc.fiji.gradcam.api.ModelExplainer;
import sc.fiji.gradcam.api.PackageVerification;
import sc.fiji.gradcam.api.Precision;
import sc.fiji.gradcam.bioimageio.PackageVerifier;
import sc.fiji.gradcam.model.ModelLoader;
import sc.fiji.gradcam.model.ModelOptions;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/** The engine behind {@link GradCamEngine}: DJL's TensorFlow engine and this package's {@link Explainer}. */
public final class TensorFlowGradCamEngine implements GradCamEngine {

    @Override
    public ModelExplainer open(Path folder) {
        return new Explainer(ModelLoader.load(folder));
    }

    @Override
    public ModelExplainer open(Path folder, Precision precision) {
        return new Explainer(ModelLoader.load(folder, ModelOptions.defaults().withPrecision(precision)));
    }

    @Override
    public PackageVerification verifyPackage(Path model) {
        return PackageVerifier.verify(model);
    }

    @Override
    public String describe() {
        return TensorFlowRuntime.describe();
    }
}
