package sc.fiji.gradcam.testmodels;

/** What the model applies to the dense logits to form its output. */
public enum OutputActivation {
    /** {@code Softmax}: class probabilities. */
    SOFTMAX,
    /**
     * {@code Sigmoid}: independent probabilities; with one class, Keras's binary head
     * {@code Dense(1, activation="sigmoid")}.
     */
    SIGMOID,
    /** None: the output is the logits (dense {@code BiasAdd}); with one class, a raw binary logit. */
    NONE
}
