#@ sc.fiji.gradcam.fiji.ModelCache models
#@ File (label = "Input folder", style = "directory") input
#@ File (label = "Output folder", style = "directory") output
#@ File (label = "Model folder", style = "directory") model
#@ String (label = "Target class", value = "auto") target
#@ String (label = "Layer", value = "auto", description = "auto (last conv block) or a name from Model Info") layer
#@ String (label = "Methods", value = "gradcam,guided-gradcam") methods
#@ Boolean (label = "Augmentation smoothing (pytorch-grad-cam aug_smooth)", value = false) aug_smooth
#@ Boolean (label = "Eigen smoothing (pytorch-grad-cam eigen_smooth)", value = false) eigen_smooth
#@ Boolean (label = "Resume an earlier run into the output folder", value = false) resume
#@output String summary

// Grad-CAM of every image in a folder, headless, through the same batch runner as the command line and
// Plugins › Grad-CAM › Grad-CAM Batch... (per-image isolation, crash-safe files, resume, a run lock):
//   (Script Editor: Templates > Grad-CAM > Headless Batch; save it, then)
//   ImageJ-linux64 --headless --run Headless_Batch.groovy \
//       "input='/data/in',output='/data/out',model='/models/malaria-cells',target='auto',layer='auto',methods='gradcam',aug_smooth='false',eigen_smooth='false',resume='false'"
// Writes NAME.<method>.tif per map (and the raw map and overlay), predictions.csv with the columns
// file,predicted_label,predicted_probability,target_label; prints one line per image.

import java.nio.file.Path
import sc.fiji.gradcam.api.ExplainRequest
import sc.fiji.gradcam.api.Method
import sc.fiji.gradcam.api.batch.BatchListener
import sc.fiji.gradcam.api.batch.BatchOptions
import sc.fiji.gradcam.api.batch.BatchRunner
import sc.fiji.gradcam.api.io.PredictionsCsv
import sc.fiji.gradcam.api.io.PredictionsCsv.Column

def request = ExplainRequest.defaults()
        .withTargets(target.split(",").collect { it.trim() })
        .withLayer(layer)
        .withMethods(Method.parseList(methods))
        .withAugSmooth(aug_smooth as boolean)
        .withEigenSmooth(eigen_smooth as boolean)
def columns = [Column.FILE, Column.PREDICTED_LABEL, Column.PREDICTED_PROBABILITY, Column.TARGET_LABEL]
def options = BatchOptions.of(input.toPath(), output.toPath(), request, columns)
        .withExisting(false, resume as boolean)
// the script's own output (println inside the listener class would go to System.out)
def say = { String line -> println line }
def result = BatchRunner.run(models.explainer(model), options, new BatchListener() {
    void explained(Path file, int plane, sc.fiji.gradcam.api.Explanation e, sc.fiji.gradcam.api.image.InputImage image,
            Map<String, Path> written, Map<String, Double> timings) {
        say("${file.fileName}: ${e.predicted().label()} (${PredictionsCsv.number(e.predicted().probability())})")
    }

    void failed(Path file, Integer plane, String reason) {
        say("skipped ${file.fileName}: ${reason}")
    }
})
summary = "${result.explained() + result.kept()} images explained; results in ${output}"
