/**
 * TensorFlow graph surgery: inlining function-library calls into the top-level graph, the serving path
 * between input and score, the catalog of target layers, and the gradient and guided reverse passes.
 * No ImageJ or CLI types here.
 */
package sc.fiji.gradcam.graph;
