package sc.fiji.gradcam.evaluation;

import java.util.List;
import sc.fiji.gradcam.api.image.InputImage;

/** The images a section evaluated, their predicted classes and names (the input of the randomisation check). */
record ExplainedImages(List<InputImage> images, int[] predicted, List<String> names) {}
