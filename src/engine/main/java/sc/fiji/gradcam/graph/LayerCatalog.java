package sc.fiji.gradcam.graph;

import sc.fiji.gradcam.api.DataLayout;
import sc.fiji.gradcam.api.Layer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Candidate target layers of a serving graph and the default choice.
 *
 * <p>Candidates are the 4-D float outputs of ops on the path between input and output (dangling
 * duplicate subgraphs of real TF1 exports are thereby excluded). The default is the last convolution on
 * the path, followed through its bias, batch-norm, residual add and activation to the block's output;
 * it is chosen by op type and topology, never by name. Channels-first feature maps ({@link Layouts}) report their
 * height, width and channels from the right axes, and the default follows an onnx-tf convolution through its
 * back-transpose to NCHW.
 */
public final class LayerCatalog {

    static final Set<String> CONVOLUTIONS = Set.of("Conv2D", "DepthwiseConv2dNative", "FusedConv2DBiasActivation",
            "_FusedConv2D", "Conv2DBackpropInput", "Conv3D");
    /** Ops that continue a conv block: bias, normalisation, residual add, activation. */
    static final Set<String> BLOCK_CONTINUATIONS = Set.of("BiasAdd", "Add", "AddV2", "FusedBatchNorm",
            "FusedBatchNormV2", "FusedBatchNormV3", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softplus", "Mish",
            "Sigmoid", "Tanh", "Identity", "Mul", "Sub", "Cast", "Maximum", "Minimum", "Swish");
    private static final Set<String> SKIPPED = Set.of("Identity", "IdentityN", "Placeholder", "Const", "Snapshot",
            "StopGradient", "PreventGradient", "ReadVariableOp", "NoOp", "Shape", "Cast");
    private static final Set<DataType> FLOATS = Set.of(DataType.DT_FLOAT, DataType.DT_DOUBLE, DataType.DT_HALF,
            DataType.DT_BFLOAT16);

    private final List<Layer> layers;
    private final Layer defaultLayer;
    private final String reason;

    private LayerCatalog(List<Layer> layers, Layer defaultLayer, String reason) {
        this.layers = layers;
        this.defaultLayer = defaultLayer;
        this.reason = reason;
    }

    /** Builds the catalog of {@code serving} with a channels-last input. */
    public static LayerCatalog of(ServingGraph serving) {
        return of(serving, DataLayout.NHWC);
    }

    /**
     * Builds the catalog of {@code serving} whose image input has {@code inputLayout}; shapes come from TF's shape
     * inference (-1 where unknown).
     */
    public static LayerCatalog of(ServingGraph serving, DataLayout inputLayout) {
        return of(serving, inputLayout, false);
    }

    /**
     * As {@link #of(ServingGraph, DataLayout)}; for a {@code dense} output (an encoder–decoder: U-Net, CARE, StarDist)
     * the default is the bottleneck instead: the last convolution block at the lowest resolution on the path. After
     * it, the decoder mixes in the encoder's skip connections, whose high-resolution features reach the output without
     * the model's reasoning about context, and the last convolution is the output's own projection, whose Grad-CAM
     * only repeats the output (Vinogradova et al. 2020, Seg-Grad-CAM, use the bottleneck likewise).
     */
    public static LayerCatalog of(ServingGraph serving, DataLayout inputLayout, boolean dense) {
        GraphView view = serving.view();
        List<String> order = view.topological(serving.path());
        Map<String, DataLayout> layouts = Layouts.featureMaps(serving, order, inputLayout);
        Map<String, Integer> depth = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            depth.put(order.get(i), i);
        }
        List<Layer> layers = new ArrayList<>();
        Map<String, Integer> nameCount = new HashMap<>();
        for (String node : order) {
            NodeDef def = view.node(node);
            if (SKIPPED.contains(def.getOp()) || node.equals(serving.input().node())) {
                continue;
            }
            var op = serving.graph().operation(node);
            for (int i = 0; i < op.numOutputs(); i++) {
                Output<?> out = op.output(i);
                Shape s = out.shape();
                if (s.isUnknown() || s.numDimensions() != 4 || !FLOATS.contains(out.dataType())) {
                    continue;
                }
                String name = serving.readableName(node) + (i > 0 ? ":" + i : "");
                nameCount.merge(name, 1, Integer::sum);
                DataLayout layout = layouts.get(node);
                long[] nhwc = layout.toNhwc(s.asArray());
                layers.add(new Layer(name, kerasLayer(name), node + ":" + i, def.getOp(), nhwc[1], nhwc[2], nhwc[3],
                        depth.get(node), layout));
            }
        }
        List<Layer> unique = layers.stream()
                .map(l -> nameCount.get(l.name()) > 1
                        ? new Layer(l.name() + " (" + l.tensor() + ")", l.layer(), l.tensor(), l.op(), l.height(),
                                l.width(), l.channels(), l.depth(), l.layout())
                        : l)
                .collect(Collectors.toList());
        return choose(serving, unique, dense, dense ? areas(serving, unique, inputLayout) : Map.of());
    }

    /** Probe input side for a free-size model (a multiple of 2^7, so that deep U-Nets fit). */
    static final int PROBE = 128;

    /**
     * Each layer's height × width: from shape inference, or — where the model's input size is free and the shapes are
     * unknown — from one forward run of a blank {@value #PROBE}² input fetching every candidate (empty when that run
     * fails).
     */
    private static Map<String, Long> areas(ServingGraph serving, List<Layer> layers, DataLayout layout) {
        Map<String, Long> out = new HashMap<>();
        boolean unknown = false;
        for (Layer l : layers) {
            if (l.height() > 0 && l.width() > 0) {
                out.put(l.tensor(), l.height() * l.width());
            } else {
                unknown = true;
            }
        }
        if (!unknown) {
            return out;
        }
        Output<?> in = serving.tensor(serving.input());
        Shape s = in.shape();
        long c = s.isUnknown() || s.numDimensions() != 4 ? -1 : s.size(layout == DataLayout.NCHW ? 1 : 3);
        if (c <= 0 || in.dataType() != DataType.DT_FLOAT) {
            return out;
        }
        Shape probe = layout == DataLayout.NCHW ? Shape.of(1, c, PROBE, PROBE) : Shape.of(1, PROBE, PROBE, c);
        try (org.tensorflow.types.TFloat32 x = org.tensorflow.types.TFloat32.tensorOf(probe)) {
            Session.Runner r = serving.session().runner().feed(serving.input().toString(), x);
            for (Layer l : layers) {
                r.fetch(l.tensor());
            }
            try (org.tensorflow.Result res = r.run()) {
                for (int i = 0; i < layers.size(); i++) {
                    long[] shape = layers.get(i).layout().toNhwc(res.get(i).shape().asArray());
                    out.put(layers.get(i).tensor(), shape[1] * shape[2]);
                }
            }
        } catch (RuntimeException e) {
            // a model that cannot take the probe: the areas shape inference knows
        }
        return out;
    }

    private static LayerCatalog choose(ServingGraph serving, List<Layer> layers, boolean dense, Map<String, Long> area) {
        GraphView view = serving.view();
        Layer lastConv = null;
        long smallest = Long.MAX_VALUE;
        for (Layer l : layers) {
            if (CONVOLUTIONS.contains(l.op()) && area.containsKey(l.tensor())) {
                smallest = Math.min(smallest, area.get(l.tensor()));
            }
        }
        for (Layer l : layers) {
            boolean atBottleneck = !dense || smallest == Long.MAX_VALUE
                    || area.getOrDefault(l.tensor(), -1L) == smallest;
            if (CONVOLUTIONS.contains(l.op()) && atBottleneck && (lastConv == null || l.depth() > lastConv.depth())) {
                lastConv = l;
            }
        }
        if (lastConv == null) {
            Layer last = layers.stream().max((a, b) -> Integer.compare(a.depth(), b.depth())).orElse(null);
            return new LayerCatalog(layers, last, last == null
                    ? "no 4-D feature map lies on the path from the input to the output"
                    : "the model has no convolution on its path; the last 4-D feature map was chosen");
        }
        String node = lastConv.tensorName().node();
        List<String> steps = new ArrayList<>();
        while (true) {
            List<String> next = view.consumers(node).stream().filter(serving.path()::contains).distinct().toList();
            if (next.size() != 1 || !BLOCK_CONTINUATIONS.contains(view.node(next.get(0)).getOp())
                    && !Layouts.movesChannelsFirst(view, next.get(0))) {
                break;
            }
            String candidate = next.get(0);
            Layer as = find(layers, candidate);
            if (as == null && !view.node(candidate).getOp().equals("Identity")) {
                break;
            }
            node = candidate;
            steps.add(view.node(candidate).getOp());
        }
        Layer chosen = find(layers, node);
        if (chosen == null) {
            chosen = lastConv;
        }
        String reason = (dense && smallest != Long.MAX_VALUE ? "bottleneck of the encoder–decoder: last convolution at "
                + "the lowest resolution" : "last convolution on the path") + " (" + lastConv.op() + " '" + lastConv.name() + "'"
                + (steps.isEmpty() ? ")" : ") followed through " + String.join(" → ", steps) + " to the block output")
                + ", " + chosen.height() + "×" + chosen.width() + "×" + chosen.channels()
                + (chosen.layout() == DataLayout.NCHW ? " (channels first)" : "");
        return new LayerCatalog(layers, chosen, reason);
    }

    private static Layer find(List<Layer> layers, String node) {
        for (Layer l : layers) {
            if (l.tensorName().node().equals(node) && l.tensorName().index() == 0) {
                return l;
            }
        }
        return null;
    }

    private static String kerasLayer(String name) {
        String[] parts = name.split("/");
        return parts.length >= 2 ? parts[parts.length - 2] : name;
    }

    /**
     * This catalog with the layer {@code query} names ({@link #find(String)}'s forms) as its default, chosen by
     * {@code source} (said in the {@link #reason()}).
     *
     * @throws IllegalArgumentException if {@code query} names no layer, with the valid choices
     */
    public LayerCatalog withDefault(String query, String source) {
        Layer chosen = find(query);
        return new LayerCatalog(layers, chosen, source + " ('" + query + "'), " + chosen.height() + "×" + chosen.width()
                + "×" + chosen.channels() + (chosen.layout() == DataLayout.NCHW ? " (channels first)" : ""));
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The default target layer, or null when the path has no 4-D feature map. */
    public Layer defaultLayer() {
        return defaultLayer;
    }

    /** Why the default was chosen, in words. */
    public String reason() {
        return reason;
    }

    /**
     * The layer {@code query} names: {@code auto}/empty for the default, else a name, tensor, node, or a
     * Keras layer name (its last op on the path). Unknown names get an error listing the valid choices.
     */
    public Layer find(String query) {
        if (query == null || query.isEmpty() || query.equalsIgnoreCase("auto")) {
            if (defaultLayer == null) {
                throw new IllegalArgumentException("The model has no 4-D feature map between its input and its "
                        + "output, so Grad-CAM has no layer to use.");
            }
            return defaultLayer;
        }
        for (Layer l : layers) {
            if (l.matches(query)) {
                return l;
            }
        }
        Layer byKeras = null;
        for (Layer l : layers) {
            if (l.layer().equals(query) && (byKeras == null || l.depth() > byKeras.depth())) {
                byKeras = l;
            }
        }
        if (byKeras != null) {
            return byKeras;
        }
        throw new IllegalArgumentException("Unknown layer '" + query + "'. Valid layers: "
                + layers.stream().map(Layer::name).collect(Collectors.joining(", ")) + " (or auto).");
    }
}
