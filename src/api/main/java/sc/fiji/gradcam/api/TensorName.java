package sc.fiji.gradcam.api;

/**
 * A reference to a graph tensor, {@code node:index}, or to a node's control output, {@code ^node}.
 *
 * @param node the producing node's name
 * @param index output index (0 for control references)
 * @param control whether this is a control dependency
 */
public record TensorName(String node, int index, boolean control) {

    /** Parses {@code node}, {@code node:3} or {@code ^node} as written in a GraphDef. */
    public static TensorName parse(String s) {
        if (s.startsWith("^")) {
            return new TensorName(s.substring(1), 0, true);
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0) {
            String tail = s.substring(colon + 1);
            if (!tail.isEmpty() && tail.chars().allMatch(Character::isDigit)) {
                return new TensorName(s.substring(0, colon), Integer.parseInt(tail), false);
            }
        }
        return new TensorName(s, 0, false);
    }

    public static TensorName of(String node, int index) {
        return new TensorName(node, index, false);
    }

    /** The GraphDef spelling: {@code node:index} ({@code node} for index 0 is also accepted by TF) or {@code ^node}. */
    @Override
    public String toString() {
        return control ? "^" + node : node + ":" + index;
    }
}
