package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.TensorName;
import static org.tensorflow.internal.c_api.global.tensorflow.*;

import java.util.LinkedHashSet;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Imports new nodes into a loaded graph so that references to nodes not in the GraphDef bind to the
 * graph's existing nodes (placeholders, variable handles) through the C API's input mappings. The
 * already-restored session can then run them. (TF Java's {@code Graph.importGraphDef} has no mappings.)
 */
public final class GraphImporter {

    private GraphImporter() {}

    /** Imports {@code nodes} into {@code graph}; throws {@link IllegalStateException} with TF's message on failure. */
    public static void importInto(TF_Graph graph, GraphDef nodes) {
        Set<String> defined = new LinkedHashSet<>();
        for (NodeDef n : nodes.getNodeList()) {
            defined.add(n.getName());
        }
        TF_ImportGraphDefOptions options = TF_NewImportGraphDefOptions();
        TF_Status status = TF_NewStatus();
        byte[] bytes = nodes.toByteArray();
        BytePointer data = new BytePointer(bytes);
        TF_Buffer buffer = TF_NewBufferFromString(data, bytes.length);
        try {
            Set<String> mapped = new LinkedHashSet<>();
            for (NodeDef n : nodes.getNodeList()) {
                for (String in : n.getInputList()) {
                    TensorName t = TensorName.parse(in);
                    if (defined.contains(t.node()) || !mapped.add(t.toString())) {
                        continue;
                    }
                    TF_Operation op = TF_GraphOperationByName(graph, t.node());
                    if (op == null || op.isNull()) {
                        throw new IllegalStateException("Inlined node '" + n.getName() + "' refers to '" + t.node()
                                + "', which is not in the graph");
                    }
                    if (t.control()) {
                        TF_ImportGraphDefOptionsRemapControlDependency(options, t.node(), op);
                    } else {
                        TF_Output src = new TF_Output().oper(op).index(t.index());
                        TF_ImportGraphDefOptionsAddInputMapping(options, t.node(), t.index(), src);
                    }
                }
            }
            TF_GraphImportGraphDef(graph, buffer, options, status);
            if (TF_GetCode(status) != TF_OK) {
                throw new IllegalStateException(TF_Message(status).getString());
            }
        } finally {
            TF_DeleteBuffer(buffer);
            data.close();
            TF_DeleteStatus(status);
            TF_DeleteImportGraphDefOptions(options);
        }
    }
}
