package sc.fiji.gradcam.training;

import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import sc.fiji.gradcam.runtime.TensorFlowRuntime;

/** Prints the ops (name, type, first output shape) and signatures of a SavedModel: {@code GraphInfo DIR}. */
public final class GraphInfo {

    private GraphInfo() {}

    public static void main(String[] args) {
        TensorFlowRuntime.engine();
        try (SavedModelBundle bundle = SavedModelBundle.load(args[0], SavedModelExport.TAG)) {
            Map<String, Integer> types = new TreeMap<>();
            var it = bundle.graph().operations();
            while (it.hasNext()) {
                GraphOperation op = it.next();
                types.merge(op.type(), 1, Integer::sum);
                String shape = op.numOutputs() > 0 ? op.output(0).shape().toString() : "";
                System.out.printf("%-40s %-22s %s%n", op.name(), op.type(), shape);
            }
            System.out.println("op types: " + types);
            for (Signature s : bundle.signatures()) {
                System.out.println("signature " + s);
            }
        }
    }
}
