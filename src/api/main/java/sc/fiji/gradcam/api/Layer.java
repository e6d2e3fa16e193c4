package sc.fiji.gradcam.api;

/**
 * A candidate target layer: a 4-D float tensor on the serving path.
 *
 * @param name readable, unique name (Keras layer path plus op, or the node name)
 * @param layer the Keras layer it belongs to where the name shows one (else the name)
 * @param tensor the graph tensor, e.g. {@code gradcam/inlined/.../Relu:0}
 * @param op the producing op's type, e.g. {@code Relu}
 * @param height feature-map height (-1 if unknown before a forward pass)
 * @param width feature-map width
 * @param channels feature maps
 * @param depth position along the path (topological index), larger is closer to the output
 * @param layout where the tensor keeps its channels: {@code [N, H, W, C]} or {@code [N, C, H, W]}
 */
public record Layer(String name, String layer, String tensor, String op, long height, long width, long channels,
        int depth, DataLayout layout) {

    /** A channels-last ({@code [N, H, W, C]}) layer. */
    public Layer(String name, String layer, String tensor, String op, long height, long width, long channels,
            int depth) {
        this(name, layer, tensor, op, height, width, channels, depth, DataLayout.NHWC);
    }

    public TensorName tensorName() {
        return TensorName.parse(tensor);
    }

    /** Whether this is what the user asked for: its name, its Keras layer name or its tensor. */
    public boolean matches(String query) {
        return name.equals(query) || tensor.equals(query) || tensorName().node().equals(query);
    }
}
