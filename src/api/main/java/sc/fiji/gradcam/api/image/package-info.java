/**
 * Image maths: the neutral image type, preprocessing from image to model input (resize, channels, value
 * range), and mapping maps back to the image (bilinear, undoing the crop or pad). No ImageJ or CLI types.
 */
package sc.fiji.gradcam.api.image;
