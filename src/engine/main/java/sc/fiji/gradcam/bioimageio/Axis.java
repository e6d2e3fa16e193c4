package sc.fiji.gradcam.bioimageio;

/**
 * One axis of a described tensor. Ids follow spec 0.5 ({@code batch}, {@code channel}, {@code index}, {@code time},
 * and the space axes {@code x}, {@code y}, {@code z}); spec 0.4's letters map to them ({@code b c i t x y z}).
 *
 * @param id the axis id
 * @param type {@code batch}, {@code channel}, {@code index}, {@code time} or {@code space}
 * @param size how long the axis is (fixed, min/step, or derived from another tensor's axis)
 * @param halo pixels on each side of an output axis that are unreliable (0 for inputs and when not given)
 * @param scale the physical size of one step along the axis (0.5's {@code scale}; 1 when not given)
 * @param names a channel axis's {@code channel_names} (0.5), else empty
 */
public record Axis(String id, String type, Size size, long halo, double scale, java.util.List<String> names) {

    public Axis {
        names = names == null ? java.util.List.of() : java.util.List.copyOf(names);
    }

    /** An axis without channel names. */
    public Axis(String id, String type, Size size, long halo, double scale) {
        this(id, type, size, halo, scale, java.util.List.of());
    }

    /** How long an axis is. */
    public sealed interface Size permits Any, Fixed, Parametrized, Reference {}

    /** Any length (a batch axis without a size). */
    public record Any() implements Size {
        @Override
        public String toString() {
            return "any";
        }
    }

    /** Exactly {@code n}. */
    public record Fixed(long n) implements Size {
        @Override
        public String toString() {
            return Long.toString(n);
        }
    }

    /** {@code min + k * step} for k = 0, 1, ... ({@code step} 0: exactly {@code min}). */
    public record Parametrized(long min, long step) implements Size {
        /** Whether {@code n} is a valid length. */
        public boolean allows(long n) {
            return step == 0 ? n == min : n >= min && (n - min) % step == 0;
        }

        /** The smallest valid length at least {@code n}. */
        public long atLeast(long n) {
            if (n <= min || step == 0) {
                return min;
            }
            return min + (n - min + step - 1) / step * step;
        }

        @Override
        public String toString() {
            return min + "+k*" + step;
        }
    }

    /**
     * {@code round(reference length * factor + add)}: spec 0.4's {@code reference_tensor}, {@code scale} and
     * {@code offset} (factor = scale, add = 2 * offset), or 0.5's {@code tensor_id}, {@code axis_id} and
     * {@code offset} (factor = the reference axis's scale / this axis's scale, add = offset).
     */
    public record Reference(String tensorId, String axisId, double factor, double add) implements Size {
        public long of(long referenceLength) {
            return Math.round(referenceLength * factor + add);
        }

        @Override
        public String toString() {
            return tensorId + "." + axisId + "*" + factor + (add == 0 ? "" : "+" + add);
        }
    }

    /** Spec 0.4's letter for this axis ({@code b c i t x y z}). */
    public char letter() {
        return switch (type) {
            case "batch" -> 'b';
            case "channel" -> 'c';
            case "index" -> 'i';
            case "time" -> 't';
            default -> id.length() == 1 ? id.charAt(0) : '?';
        };
    }

    /** The axis id a spec 0.4 letter stands for. */
    static String idOfLetter(char c) {
        return switch (c) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 'i' -> "index";
            case 't' -> "time";
            case 'x', 'y', 'z' -> String.valueOf(c);
            default -> null;
        };
    }

    static String typeOfLetter(char c) {
        return switch (c) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 'i' -> "index";
            case 't' -> "time";
            default -> "space";
        };
    }
}
