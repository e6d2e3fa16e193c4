package sc.fiji.gradcam.model;

import java.util.List;

/** A serving signature: its key and its inputs and outputs in the SignatureDef's order. */
public record ModelSignature(String key, List<TensorInfo> inputs, List<TensorInfo> outputs) {}
