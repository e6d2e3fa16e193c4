package sc.fiji.gradcam.api;

/** One class's prediction: index, label and probability (softmax of the logits where the model has none). */
public record Prediction(int index, String label, double probability) {}
