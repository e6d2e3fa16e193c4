/**
 * The one batch runner every front end uses (the CLI's {@code explain}, Fiji's {@code Grad-CAM Batch...}, scripts):
 * files → planned outputs → refusal rules → chunks → per-image isolation → streamed, crash-safe results → progress.
 * Engine-free: it drives a {@link sc.fiji.gradcam.api.ModelExplainer}, so in Fiji it runs on the Fiji side of the
 * engine class loader.
 */
package sc.fiji.gradcam.api.batch;
