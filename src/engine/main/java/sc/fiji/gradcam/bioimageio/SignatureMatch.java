package sc.fiji.gradcam.bioimageio;

import java.util.ArrayList;
import java.util.List;
import sc.fiji.gradcam.api.ModelException;
import sc.fiji.gradcam.model.TensorInfo;

/**
 * Which signature tensor each described tensor is: the signature key equal to its id, else the graph tensor named
 * {@code id} or {@code id:0}, else (as bioimageio.core does for TensorFlow) the same position when the counts agree.
 */
final class SignatureMatch {

    private SignatureMatch() {}

    static List<TensorInfo> match(List<TensorDescription> described, List<TensorInfo> signature, String what) {
        List<TensorInfo> out = new ArrayList<>();
        for (int i = 0; i < described.size(); i++) {
            String id = described.get(i).id();
            TensorInfo t = signature.stream().filter(s -> s.key().equals(id)).findFirst()
                    .or(() -> signature.stream().filter(s -> s.tensor().equals(id) || s.tensor().equals(id + ":0"))
                            .findFirst())
                    .orElse(null);
            if (t == null && described.size() == signature.size()) {
                t = signature.get(i);
            }
            if (t == null) {
                throw new ModelException("The description's " + what + " '" + id + "' is not in the SavedModel's "
                        + "signature, which has " + signature.stream().map(TensorInfo::key).toList() + ".",
                        "the package's weights do not belong to its description; ask its authors.");
            }
            out.add(t);
        }
        return out;
    }

    /** The key of the signature tensor {@code id} names, or null when it cannot be told. */
    static String keyOf(TensorDescription described, List<TensorDescription> all, List<TensorInfo> signature) {
        try {
            return match(all, signature, "tensor").get(all.indexOf(described)).key();
        } catch (ModelException e) {
            return null;
        }
    }
}
