#@ CommandService cs
#@ ij.ImagePlus imp
#@ File (label = "Model folder", style = "directory") model
#@ String (label = "Target class", value = "auto") target
#@ String (label = "Layer", value = "auto", description = "auto (last conv block) or a name from Model Info") layer
#@output String summary

# Grad-CAM of the active image, then the randomisation sanity check (Adebayo et al. 2018) on the same image:
# how much do Grad-CAM and Guided Backprop change when the model's weights are re-initialised?
# (Fiji's Script Editor: Templates > Grad-CAM. Language: Python, i.e. Jython.)

from sc.fiji.gradcam.fiji import GradCamCommand, SanityCheckCommand

explained = cs.run(GradCamCommand, True, "image", imp, "model", model, "target", target, "layer", layer,
                   "methods", "gradcam,guided-backprop").get()
if explained.isCanceled():
    raise Exception("Grad-CAM: " + explained.getCancelReason())
print("%s: %s (%.3f), explained for %s" % (imp.getTitle(), explained.getOutput("predicted_label"),
                                           explained.getOutput("predicted_probability"),
                                           explained.getOutput("target_label")))

check = cs.run(SanityCheckCommand, True, "image", imp, "model", model, "target", target, "layer", layer,
               "seed", 1).get()
if check.isCanceled():
    raise Exception("Sanity check: " + check.getCancelReason())
table = check.getOutput("results")
for row in range(table.size()):
    print("%-26s Grad-CAM rho %6.3f   Guided Backprop rho %6.3f" % (table.getStringValue("Stage", row),
          table.getValue("Grad-CAM rho", row), table.getValue("Guided Backprop rho", row)))
summary = check.getOutput("summary")
print(summary)
