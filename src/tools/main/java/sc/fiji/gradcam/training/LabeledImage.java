package sc.fiji.gradcam.training;

/**
 * One preprocessed training or validation example.
 *
 * @param name   where it came from, e.g. {@code Parasitized/C100P61ThinF_IMG_..._cell_166.png}
 * @param group  the group it must stay with when splitting (the slide prefix for the malaria cells)
 * @param label  class index
 * @param pixels input values, height x width x channels (row-major, channels last), in [0, 1]
 */
public record LabeledImage(String name, String group, int label, float[] pixels) {}
