#@ CommandService cs
#@ File (label = "Input folder", style = "directory") input
#@ File (label = "Output folder", style = "directory") output
#@ File (label = "Model folder", style = "directory") model
#@ String (label = "Target class", value = "auto") target
#@ String (label = "Layer", value = "auto", description = "auto (last conv block) or a name from Model Info") layer
#@ String (label = "Methods", value = "gradcam,guided-gradcam") methods
#@ Boolean (label = "Augmentation smoothing (pytorch-grad-cam aug_smooth)", value = false) aug_smooth
#@ Boolean (label = "Eigen smoothing (pytorch-grad-cam eigen_smooth)", value = false) eigen_smooth
#@output String summary

// Grad-CAM of every image in a folder, headless:
//   (Script Editor: Templates > Grad-CAM > Headless Batch; save it, then)
//   ImageJ-linux64 --headless --run Headless_Batch.groovy \
//       "input='/data/in',output='/data/out',model='/models/malaria-cells',target='auto',layer='auto',methods='gradcam',aug_smooth='false',eigen_smooth='false'"
// Writes NAME.<method>.tif per map and predictions.csv; prints one line per image.

import ij.IJ
import ij.io.FileSaver
import sc.fiji.gradcam.api.Method
import sc.fiji.gradcam.fiji.GradCamCommand

output.mkdirs()
def csv = new File(output, "predictions.csv")
if (csv.exists()) {
    throw new IllegalStateException("${csv} exists. Fix: choose an empty output folder.")
}
csv.text = "file,predicted_label,predicted_probability,target_label\n"
int done = 0
input.listFiles().findAll { it.isFile() && !it.name.startsWith(".") }.sort().each { file ->
    def imp = IJ.openImage(file.path)
    // ImageJ reads any text file as a "text image": one of words only has no rows
    if (imp == null || imp.width == 0 || imp.height == 0) {
        println "skipped ${file.name}: not an image ImageJ can read"
        return
    }
    def module = cs.run(GradCamCommand, true, [image: imp, model: model, target: target,
            layer: layer, methods: methods, score: "logit", aug_smooth: aug_smooth as boolean,
            eigen_smooth: eigen_smooth as boolean, opacity: 0.5d, lut: "Fire", slices: "current", box: false]).get()
    if (module.isCanceled()) {
        println "skipped ${file.name}: ${module.getCancelReason()}"
        return
    }
    def name = file.name.replaceFirst(/\.[^.]+$/, "")
    module.getOutput("map_images").each { map ->
        def method = Method.parse(map.title.substring(0, map.title.indexOf(" ["))).id()
        new FileSaver(map).saveAsTiff(new File(output, "${name}.${method}.tif").path)
    }
    csv << "${file.name},${module.getOutput('predicted_label')},${module.getOutput('predicted_probability')}," +
            "${module.getOutput('target_label')}\n"
    println "${file.name}: ${module.getOutput('predicted_label')} (${module.getOutput('predicted_probability')})"
    done++
}
summary = "${done} images explained; results in ${output}"
