/**
 * Fiji front end: SciJava commands (Grad-CAM, batch, model info) as thin adapters over {@link
 * sc.fiji.gradcam.explain.ModelExplainer}, the ImageJ 1 conversions they need ({@link
 * sc.fiji.gradcam.fiji.ImagePlusConverter}), the overlay and results table, and the {@link
 * sc.fiji.gradcam.fiji.ModelCache} service that keeps loaded models between runs.
 */
package sc.fiji.gradcam.fiji;
