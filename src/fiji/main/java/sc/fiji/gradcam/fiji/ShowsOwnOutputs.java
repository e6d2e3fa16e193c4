package sc.fiji.gradcam.fiji;

/**
 * Marks a command that shows its results itself (overlay, tables, map windows with LUT and calibration):
 * {@link OwnOutputsPostprocessor} then keeps SciJava from opening a second window per output. The outputs
 * stay readable by scripts ({@code module.getOutput(...)}).
 */
public interface ShowsOwnOutputs {}
