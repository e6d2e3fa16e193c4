package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import java.util.Map;
import org.tensorflow.proto.GraphDef;

/**
 * The result of {@link FunctionInliner}: new nodes to import, where each requested output now lives,
 * and a readable name (function scopes plus the node's name in its function) for every new node.
 */
public record InlinedGraph(GraphDef nodes, Map<TensorName, TensorName> outputs, Map<String, String> readableNames) {}
