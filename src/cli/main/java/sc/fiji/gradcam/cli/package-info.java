/** The command-line tool {@code gradcam} (picocli): {@code info}, {@code layers}, {@code explain}. */
package sc.fiji.gradcam.cli;
