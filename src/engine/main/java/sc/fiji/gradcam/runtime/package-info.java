/** Starting the TensorFlow native runtime behind DJL, offline when the natives jar is present. */
package sc.fiji.gradcam.runtime;
