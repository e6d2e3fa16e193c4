/**
 * Loading a TensorFlow SavedModel through DJL: validation with clear errors, signatures and their
 * tensors, labels and per-model options; the loaded model exposes DJL's graph and session to the
 * graph package. No ImageJ or CLI types here.
 */
package sc.fiji.gradcam.model;
