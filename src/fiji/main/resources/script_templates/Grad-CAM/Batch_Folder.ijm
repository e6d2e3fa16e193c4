// Grad-CAM of every image in a folder, from an ImageJ macro (Fiji with the Grad-CAM plugin).
// Saves per image: NAME.METHOD.tif per map, NAME.gradcam-overlay.tif (the image with the heatmap overlay),
// and one table "Grad-CAM Results" as grad-cam-results.csv.
// The Grad-CAM Batch command (Plugins > Grad-CAM > Grad-CAM Batch...) does the same without a macro.
#@ File (label = "Input folder", style = "directory") input
#@ File (label = "Output folder", style = "directory") output
#@ File (label = "Model folder", style = "directory") model
#@ String (label = "Target class", value = "auto") target
#@ String (label = "Methods", value = "gradcam") methods

setBatchMode(true);
files = getFileList(input);
for (i = 0; i < files.length; i++) {
    if (endsWith(files[i], "/") || startsWith(files[i], "."))
        continue;
    open(input + File.separator + files[i]);
    name = File.nameWithoutExtension;
    source = getImageID();
    run("Grad-CAM...", "model=[" + model + "] target=" + target + " layer=auto methods=" + methods
        + " score=logit opacity=0.5 lut=Fire slices=current");
    // the command opens one map image per method, titled "<Method> [<class>] of <title>"
    // (only with a screen: headless, use Grad-CAM Batch or the Headless Batch template instead)
    for (j = nImages; j >= 1; j--) {
        selectImage(j);
        t = getTitle();
        if (getImageID() != source && indexOf(t, " [") > 0 && indexOf(t, "] of ") > 0) {
            method = replace(replace(toLowerCase(substring(t, 0, indexOf(t, " ["))), " ", "-"), "grad-cam", "gradcam");
            saveAs("Tiff", output + File.separator + name + "." + method + ".tif");
            close();
        }
    }
    selectImage(source);
    saveAs("Tiff", output + File.separator + name + ".gradcam-overlay.tif");
    close("*");
    showProgress(i + 1, files.length);
}
if (isOpen("Grad-CAM Results")) {
    selectWindow("Grad-CAM Results");
    saveAs("Results", output + File.separator + "grad-cam-results.csv");
}
setBatchMode(false);
