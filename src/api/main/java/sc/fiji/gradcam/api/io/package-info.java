/**
 * Files and ImageJ 1 images: reading images (through ImageJ's openers), converting ImagePlus to and from
 * the core's image types, writing 32-bit TIFF maps and PNG overlays and montages, and the one writer of
 * per-image files and {@code predictions.csv} that the CLI and the Fiji batch share. Adapters only.
 */
package sc.fiji.gradcam.api.io;
