/**
 * Files and ImageJ 1 images: reading images (through ImageJ's openers), converting ImagePlus to and from
 * the core's image types, writing 32-bit TIFF maps and PNG overlays and montages. Adapters only.
 */
package sc.fiji.gradcam.io;
