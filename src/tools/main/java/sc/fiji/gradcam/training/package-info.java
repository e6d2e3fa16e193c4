/**
 * Training of the small demo classifiers shipped in {@code models/}: a graph-mode TensorFlow trainer
 * (convolutional network, Adam written with graph ops), data loading and augmentation, a validation
 * split by slide prefix, export of a clean inference SavedModel, and a generator of synthetic
 * two-object images with ground-truth masks.
 *
 * <p>Nothing here is used by the Grad-CAM plugin at run time; it exists so that the shipped models
 * can be reproduced ({@code scripts/train-default-model}, {@code scripts/make-synthetic-images}).
 */
package sc.fiji.gradcam.training;
