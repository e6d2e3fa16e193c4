package sc.fiji.gradcam.bioimageio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import sc.fiji.gradcam.api.ModelException;

/**
 * One pre- or postprocessing step of a described tensor, as bioimageio.core defines it, on {@link NdArray}s:
 * <ul>
 * <li>{@code scale_range}: {@code (x - p_min) / (p_max - p_min + eps)}, the percentiles (numpy's default linear
 * interpolation, exact) taken over {@code axes} per sample ({@code mode: per_sample}, the 0.5 behaviour), or also
 * over the batch ({@code per_dataset}: the dataset is the tensors at hand); {@code reference_tensor} takes them
 * from another tensor; eps 1e-6;</li>
 * <li>{@code zero_mean_unit_variance}: {@code (x - mean) / (std + eps)} (population std); {@code mode: fixed} or
 * 0.5's {@code fixed_zero_mean_unit_variance} with given {@code mean}/{@code std} (scalars, or lists along
 * {@code axis} / the axes not in {@code axes});</li>
 * <li>{@code scale_linear}: {@code x * gain + offset}; {@code clip}: to {@code [min, max]}; {@code binarize}:
 * {@code x > threshold} as 1/0; {@code sigmoid}; {@code softmax} over {@code axis};</li>
 * <li>{@code scale_mean_variance}: {@code (x - mean) / (std + eps) * (ref_std + eps) + ref_mean} with the
 * statistics of {@code reference_tensor} as it is at this step;</li>
 * <li>{@code ensure_dtype}: casts (truncation toward zero and clamping for integer types).</li>
 * </ul>
 * Spec 0.4 names the axes as a string of letters ({@code xyc}), 0.5 as a list of ids; both are accepted.
 *
 * @param id the step's name (0.4 {@code name}, 0.5 {@code id})
 * @param kwargs its arguments as written
 */
public record Processing(String id, Map<String, Object> kwargs) {

    /** The steps this class implements. */
    public static final Set<String> KNOWN = Set.of("scale_range", "zero_mean_unit_variance",
            "fixed_zero_mean_unit_variance", "scale_linear", "clip", "binarize", "sigmoid", "softmax",
            "scale_mean_variance", "ensure_dtype");

    static final double EPS = 1e-6;

    public Processing {
        kwargs = kwargs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(kwargs));
    }

    /** {@code x} after this step; {@code sample} holds the other tensors by id (for {@code reference_tensor}). */
    public NdArray apply(NdArray x, Map<String, NdArray> sample) {
        String where = "'" + id + "'";
        return switch (id) {
            case "scale_range" -> scaleRange(x, sample, where);
            case "zero_mean_unit_variance" -> "fixed".equals(mode()) ? fixedZmuv(x, where) : zmuv(x, where);
            case "fixed_zero_mean_unit_variance" -> fixedZmuv(x, where);
            case "scale_linear" -> scaleLinear(x, where);
            case "clip" -> clip(x, where);
            case "binarize" -> binarize(x, where);
            case "sigmoid" -> map(x, v -> (float) (1 / (1 + Math.exp(-v))));
            case "softmax" -> softmax(x);
            case "scale_mean_variance" -> scaleMeanVariance(x, sample, where);
            case "ensure_dtype" -> ensureDtype(x, Yaml.str(kwargs, "dtype"));
            default -> throw new ModelException("The description asks for the processing step '" + id
                    + "', which this plugin does not implement (it does " + new java.util.TreeSet<>(KNOWN) + ").",
                    "ask the model's authors for a package with standard steps, or apply it yourself before.");
        };
    }

    private String mode() {
        return Yaml.str(kwargs, "mode");
    }

    /** Whether the statistics pool the batch too (0.4 {@code mode: per_dataset}). */
    private boolean perDataset() {
        return "per_dataset".equals(mode());
    }

    /** Which axes keep their groups apart: those not in {@code axes} (and batch, unless per dataset). */
    boolean[] kept(NdArray x, String where) {
        Object a = kwargs.get("axes");
        boolean[] keep = new boolean[x.shape().length];
        List<String> reduce = axisIds(a, where);
        if (reduce == null) {
            // 0.4 per_sample without axes: every axis but batch; 0.5 (no mode): every axis
            boolean sampleWise = "per_sample".equals(mode());
            for (int d = 0; d < keep.length; d++) {
                keep[d] = sampleWise && x.axes().get(d).equals("batch");
            }
            return keep;
        }
        for (String r : reduce) {
            if (x.axis(r) < 0) {
                throw new ModelException("The processing step " + where + " reduces over the axis '" + r
                        + "', which the tensor " + x.axes() + " does not have.", "fix the step's axes in the description.");
            }
        }
        for (int d = 0; d < keep.length; d++) {
            String id = x.axes().get(d);
            keep[d] = !reduce.contains(id) && !(perDataset() && id.equals("batch"));
        }
        return keep;
    }

    /** 0.4 {@code "xyc"} or 0.5 {@code [x, y]} as axis ids; null when absent. */
    static List<String> axisIds(Object a, String where) {
        if (a == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (a instanceof List<?> l) {
            for (Object o : l) {
                out.add(String.valueOf(o));
            }
        } else {
            for (char c : String.valueOf(a).toCharArray()) {
                String id = Axis.idOfLetter(c);
                if (id == null) {
                    throw Yaml.bad(where + ".axes", "has the unknown axis letter '" + c + "'");
                }
                out.add(id);
            }
        }
        return out;
    }

    private NdArray scaleRange(NdArray x, Map<String, NdArray> sample, String where) {
        NdArray ref = reference(x, sample, where);
        double lo = Yaml.optNum(kwargs, "min_percentile", 0, where);
        double hi = Yaml.optNum(kwargs, "max_percentile", 100, where);
        if (lo < 0 || hi > 100 || lo >= hi) {
            throw Yaml.bad(where, "has percentiles " + lo + " and " + hi + " (need 0 <= min < max <= 100)");
        }
        double eps = Yaml.optNum(kwargs, "eps", EPS, where);
        boolean[] keep = kept(ref, where);
        double[][] p = Statistics.percentiles(ref, keep, lo, hi);
        return perGroup(x, ref, keep, (v, g) -> (float) ((v - p[0][g]) / (p[1][g] - p[0][g] + eps)));
    }

    private NdArray zmuv(NdArray x, String where) {
        double eps = Yaml.optNum(kwargs, "eps", EPS, where);
        boolean[] keep = kept(x, where);
        double[][] ms = Statistics.meanStd(x, keep);
        return perGroup(x, x, keep, (v, g) -> (float) ((v - ms[0][g]) / (ms[1][g] + eps)));
    }

    private NdArray fixedZmuv(NdArray x, String where) {
        double eps = Yaml.optNum(kwargs, "eps", EPS, where);
        boolean[] along = along(x, where);
        double[] mean = values(kwargs.get("mean"), x, along, where + ".mean");
        double[] std = values(kwargs.get("std"), x, along, where + ".std");
        return perGroup(x, x, along, (v, g) -> (float) ((v - at(mean, g)) / (at(std, g) + eps)));
    }

    private NdArray scaleLinear(NdArray x, String where) {
        boolean[] along = along(x, where);
        double[] gain = kwargs.containsKey("gain") ? values(kwargs.get("gain"), x, along, where + ".gain")
                : new double[] {1};
        double[] offset = kwargs.containsKey("offset") ? values(kwargs.get("offset"), x, along, where + ".offset")
                : new double[] {0};
        return perGroup(x, x, along, (v, g) -> (float) (v * at(gain, g) + at(offset, g)));
    }

    private NdArray clip(NdArray x, String where) {
        double lo = Yaml.optNum(kwargs, "min", Double.NEGATIVE_INFINITY, where);
        double hi = Yaml.optNum(kwargs, "max", Double.POSITIVE_INFINITY, where);
        return map(x, v -> (float) Math.min(hi, Math.max(lo, v)));
    }

    private NdArray binarize(NdArray x, String where) {
        boolean[] along = along(x, where);
        double[] t = values(kwargs.get("threshold"), x, along, where + ".threshold");
        return perGroup(x, x, along, (v, g) -> v > at(t, g) ? 1f : 0f);
    }

    private NdArray softmax(NdArray x) {
        String axis = kwargs.containsKey("axis") ? Yaml.str(kwargs, "axis") : "channel";
        int d = x.axis(axis);
        if (d < 0) {
            throw Yaml.bad("'softmax'.axis", "names '" + axis + "', which the tensor " + x.axes() + " does not have");
        }
        boolean[] keep = new boolean[x.shape().length];
        Arrays.fill(keep, true);
        keep[d] = false;
        int[] group = x.groupOf(keep);
        int groups = x.groups(keep);
        double[] max = new double[groups];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) {
            max[group[i]] = Math.max(max[group[i]], v[i]);
        }
        double[] sum = new double[groups];
        for (int i = 0; i < v.length; i++) {
            sum[group[i]] += Math.exp(v[i] - max[group[i]]);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (Math.exp(v[i] - max[group[i]]) / sum[group[i]]);
        }
        return x.with(out);
    }

    private NdArray scaleMeanVariance(NdArray x, Map<String, NdArray> sample, String where) {
        String refId = Yaml.str(kwargs, "reference_tensor");
        NdArray ref = refId == null ? null : sample.get(refId);
        if (ref == null) {
            throw Yaml.bad(where, refId == null ? "has no reference_tensor"
                    : "names the reference_tensor '" + refId + "', which the model does not have");
        }
        double eps = Yaml.optNum(kwargs, "eps", EPS, where);
        boolean[] keep = kept(x, where);
        boolean[] refKeep = kept(ref, where);
        double[][] ms = Statistics.meanStd(x, keep);
        double[][] rs = Statistics.meanStd(ref, refKeep);
        if (rs[0].length != ms[0].length && rs[0].length != 1) {
            throw Yaml.bad(where, "pools axes that leave " + ms[0].length + " groups in the tensor but "
                    + rs[0].length + " in its reference");
        }
        return perGroup(x, x, keep, (v, g) -> {
            int r = rs[0].length == 1 ? 0 : g;
            return (float) ((v - ms[0][g]) / (ms[1][g] + eps) * (rs[1][r] + eps) + rs[0][r]);
        });
    }

    static NdArray ensureDtype(NdArray x, String dtype) {
        if (dtype == null || dtype.startsWith("float")) {
            return x;
        }
        double lo;
        double hi;
        switch (dtype) {
            case "bool" -> { return map(x, v -> v != 0 ? 1f : 0f); }
            case "uint8" -> { lo = 0; hi = 255; }
            case "uint16" -> { lo = 0; hi = 65535; }
            case "uint32" -> { lo = 0; hi = 4294967295.0; }
            case "uint64" -> { lo = 0; hi = Double.MAX_VALUE; }
            case "int8" -> { lo = -128; hi = 127; }
            case "int16" -> { lo = -32768; hi = 32767; }
            case "int32" -> { lo = Integer.MIN_VALUE; hi = Integer.MAX_VALUE; }
            case "int64" -> { lo = -Double.MAX_VALUE; hi = Double.MAX_VALUE; }
            default -> throw Yaml.bad("'ensure_dtype'.dtype", "is '" + dtype + "', not a data type");
        }
        return map(x, v -> (float) Math.min(hi, Math.max(lo, v < 0 ? Math.ceil(v) : Math.floor(v))));
    }

    /** The tensor the statistics come from: {@code reference_tensor}, else {@code x}. */
    private NdArray reference(NdArray x, Map<String, NdArray> sample, String where) {
        String refId = Yaml.str(kwargs, "reference_tensor");
        if (refId == null) {
            return x;
        }
        NdArray ref = sample.get(refId);
        if (ref == null) {
            throw Yaml.bad(where, "names the reference_tensor '" + refId + "', which the model does not have");
        }
        if (!ref.axes().equals(x.axes())) {
            throw Yaml.bad(where, "takes its statistics from '" + refId + "' " + ref.axes()
                    + ", whose axes differ from the tensor's " + x.axes());
        }
        return ref;
    }

    /**
     * The axes that given values (mean, std, gain, offset, threshold lists) vary along: 0.5's single {@code axis},
     * else (0.4) every axis not in {@code axes} except batch.
     */
    private boolean[] along(NdArray x, String where) {
        boolean[] keep = new boolean[x.shape().length];
        if (kwargs.containsKey("axis")) {
            int d = x.axis(Yaml.str(kwargs, "axis"));
            if (d < 0) {
                throw Yaml.bad(where + ".axis", "names '" + Yaml.str(kwargs, "axis") + "', which the tensor "
                        + x.axes() + " does not have");
            }
            keep[d] = true;
            return keep;
        }
        List<String> reduce = axisIds(kwargs.get("axes"), where);
        for (int d = 0; d < keep.length; d++) {
            String id = x.axes().get(d);
            keep[d] = reduce != null && !reduce.contains(id) && !id.equals("batch");
        }
        return keep;
    }

    /** A scalar, or a list with one value per group of the {@code along} axes. */
    private static double[] values(Object o, NdArray x, boolean[] along, String where) {
        if (o == null) {
            throw Yaml.bad(where, "is missing");
        }
        if (!(o instanceof List<?> l)) {
            return new double[] {Yaml.num(o, where)};
        }
        List<?> flat = flatten(l);
        double[] v = new double[flat.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Yaml.num(flat.get(i), where);
        }
        if (v.length != 1 && v.length != x.groups(along)) {
            throw Yaml.bad(where, "has " + v.length + " values but the tensor " + x.axes() + Arrays.toString(x.shape())
                    + " has " + x.groups(along) + " along the axes it varies on");
        }
        return v;
    }

    private static List<?> flatten(List<?> l) {
        List<Object> out = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof List<?> inner) {
                out.addAll(flatten(inner));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private static double at(double[] v, int g) {
        return v.length == 1 ? v[0] : v[g];
    }

    private interface GroupOp {
        float apply(float v, int group);
    }

    /** {@code op} on each value of {@code x} with its group in {@code shapeOf} under {@code keep}. */
    private static NdArray perGroup(NdArray x, NdArray shapeOf, boolean[] keep, GroupOp op) {
        if (!Arrays.equals(x.shape(), shapeOf.shape())) {
            // statistics of a reference with other lengths on pooled axes: groups still align on the kept axes
            int[] gx = x.groupOf(keep);
            float[] out = new float[x.data().length];
            for (int i = 0; i < out.length; i++) {
                out[i] = op.apply(x.data()[i], gx[i]);
            }
            return x.with(out);
        }
        int[] group = x.groupOf(keep);
        float[] v = x.data();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = op.apply(v[i], group[i]);
        }
        return x.with(out);
    }

    private interface FloatOp {
        float apply(float v);
    }

    private static NdArray map(NdArray x, FloatOp op) {
        float[] v = x.data();
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = op.apply(v[i]);
        }
        return x.with(out);
    }
}
