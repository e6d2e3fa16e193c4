package sc.fiji.gradcam.bioimageio;

import java.util.List;

/**
 * An input or output tensor of a described model.
 *
 * @param id the tensor's name (0.4 {@code name}, 0.5 {@code id})
 * @param axes its axes in memory order
 * @param dataType e.g. {@code float32}, {@code uint8}
 * @param processing the preprocessing (inputs) or postprocessing (outputs), in order
 * @param testTensor the test tensor's file, relative to the package (null when none)
 * @param testTensorSha256 its SHA-256 (0.5; null when not given)
 */
public record TensorDescription(String id, List<Axis> axes, String dataType, List<Processing> processing,
        String testTensor, String testTensorSha256) {

    public TensorDescription {
        axes = List.copyOf(axes);
        processing = List.copyOf(processing);
    }

    /** The axes as spec 0.4 letters, e.g. {@code byxc}. */
    public String letters() {
        StringBuilder b = new StringBuilder();
        axes.forEach(a -> b.append(a.letter()));
        return b.toString();
    }

    /** The axis ids in memory order. */
    public List<String> axisIds() {
        return axes.stream().map(Axis::id).toList();
    }

    /** Index of the axis {@code id}, or -1. */
    public int indexOf(String id) {
        for (int i = 0; i < axes.size(); i++) {
            if (axes.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The length closest to {@code wanted} (not below it, when the axis has a step) that the description allows
     * on axis {@code id}: {@code wanted} for a free or referenced axis, the fixed length, or {@code min + k * step}.
     * What a front end resizes or pads an image to before it runs the model.
     */
    public long validLength(String id, long wanted) {
        int d = indexOf(id);
        if (d < 0) {
            throw new IllegalArgumentException("'" + this.id + "' has no axis '" + id + "' (it has " + axisIds() + ")");
        }
        Axis.Size s = axes.get(d).size();
        if (s instanceof Axis.Fixed f) {
            return f.n();
        }
        if (s instanceof Axis.Parametrized p) {
            return p.atLeast(wanted);
        }
        return wanted;
    }

    /** The halo per axis (0 where none). */
    public long[] halo() {
        return axes.stream().mapToLong(Axis::halo).toArray();
    }

    TensorDescription withTestTensor(String file) {
        return new TensorDescription(id, axes, dataType, processing, file, testTensorSha256);
    }

    TensorDescription withAxes(List<Axis> a) {
        return new TensorDescription(id, a, dataType, processing, testTensor, testTensorSha256);
    }
}
