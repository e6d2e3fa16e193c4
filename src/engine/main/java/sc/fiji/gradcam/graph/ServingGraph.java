package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;

/**
 * The path from the image input to the classifier output, with every layer reachable as a top-level
 * node: TF2 graphs get their function calls inlined (imported next to the original nodes, which stay
 * untouched and still serve DJL's predictor); TF1 graphs are used as they are.
 */
public final class ServingGraph {

    private final Graph graph;
    private final Session session;
    private final TF_Graph handle;
    private final TensorName input;
    private final TensorName signatureOutput;
    private final TensorName output;
    private final boolean inlined;
    private final Map<String, String> readableNames;
    private final GraphView view;
    private final Set<String> path;

    private ServingGraph(Graph graph, Session session, TF_Graph handle, TensorName input, TensorName signatureOutput,
            TensorName output, boolean inlined, Map<String, String> readableNames) {
        this.graph = graph;
        this.session = session;
        this.handle = handle;
        this.input = input;
        this.signatureOutput = signatureOutput;
        this.output = output;
        this.inlined = inlined;
        this.readableNames = readableNames;
        this.view = new GraphView(graph.toGraphDef());
        Set<String> down = view.descendants(List.of(input.node()));
        Set<String> up = view.ancestors(List.of(output.node()));
        up.retainAll(down);
        this.path = up;
    }

    /** Builds the serving path of {@code outputTensor} from {@code inputTensor}, inlining where needed. */
    public static ServingGraph build(Graph graph, Session session, TF_Graph handle, String inputTensor,
            String outputTensor) {
        TensorName in = TensorName.parse(inputTensor);
        TensorName out = TensorName.parse(outputTensor);
        FunctionInliner inliner = new FunctionInliner(graph.toGraphDef());
        if (!inliner.needsInlining(List.of(out))) {
            return new ServingGraph(graph, session, handle, in, out, out, false, Map.of());
        }
        InlinedGraph inlined = inliner.inline(List.of(out));
        GraphImporter.importInto(handle, inlined.nodes());
        return new ServingGraph(graph, session, handle, in, out, inlined.outputs().get(out), true,
                inlined.readableNames());
    }

    public Graph graph() {
        return graph;
    }

    public Session session() {
        return session;
    }

    public TF_Graph handle() {
        return handle;
    }

    public GraphView view() {
        return view;
    }

    /** The image placeholder. */
    public TensorName input() {
        return input;
    }

    /**
     * Where input gradients are taken: the input itself when it is floating point, else (a uint8 image
     * input) the output of the {@code Cast} to float that follows it.
     */
    public TensorName differentiableInput() {
        if (Gradients.isFloat(tensor(input))) {
            return input;
        }
        for (String c : view.consumers(input.node())) {
            if (path.contains(c) && view.node(c).getOp().equals("Cast") && Gradients.isFloat(tensor(TensorName.of(c, 0)))) {
                return TensorName.of(c, 0);
            }
        }
        throw new UnsupportedOperationException("The model's image input is " + tensor(input).dataType()
                + " and is not cast to float where it enters the model, so input gradients cannot be taken. "
                + "Fix: use Grad-CAM or Counterfactual (they need no input gradient).");
    }

    /** The classifier output on the (inlined) path. */
    public TensorName output() {
        return output;
    }

    /** The signature's own output tensor (the function call, for TF2 graphs). */
    public TensorName signatureOutput() {
        return signatureOutput;
    }

    public boolean isInlined() {
        return inlined;
    }

    /** Nodes on every data path from the input to the output: ancestors(output) ∩ descendants(input). */
    public Set<String> path() {
        return path;
    }

    /** A name a user recognises: the Keras layer path inside the functions, or the node name. */
    public String readableName(String node) {
        return readableNames.getOrDefault(node, node);
    }

    public Output<?> tensor(TensorName t) {
        return graph.operation(t.node()).output(t.index());
    }
}
