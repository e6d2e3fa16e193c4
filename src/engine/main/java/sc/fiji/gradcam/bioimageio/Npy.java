package sc.fiji.gradcam.bioimageio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sc.fiji.gradcam.api.ModelException;

/**
 * A strict reader and writer of numpy's {@code .npy} format (versions 1, 2 and 3): little- and big-endian
 * {@code u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8} and {@code b1} (bool), C and Fortran order. Values come back as floats in
 * C order (64-bit integers and doubles beyond float precision are rounded). Anything else (object arrays, structured
 * dtypes, complex numbers, a header that is not numpy's dict literal, a data length that does not match the shape)
 * is refused with one line.
 *
 * <p>Written here, not taken from Maven Central: the only Java {@code .npy} library there ({@code
 * org.jetbrains.bio:npy}) is a Kotlin library with the Kotlin runtime as a dependency and no release for years, and
 * the format is small enough to read strictly in one class.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([biuf])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern HEADER = Pattern.compile(
            "\\{\\s*('(descr|fortran_order|shape)'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))\\s*,?\\s*){3}\\}\\s*");

    /** An array as read: dtype ({@code <f4}, {@code |u1}, ...), shape, values in C order. */
    public record Array(String dtype, int[] shape, float[] values) {
        public NdArray withAxes(List<String> axes) {
            return new NdArray(axes, shape, values);
        }
    }

    private Npy() {}

    public static Array read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, Files.size(file), file.toString());
        } catch (IOException e) {
            throw new ModelException("The .npy file " + file + " cannot be read: " + e.getMessage() + ".",
                    "check that the package is complete.", e);
        }
    }

    static Array read(InputStream in, long length, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(magic, 6), MAGIC)) {
            throw bad(where, "does not start with numpy's magic \\x93NUMPY");
        }
        int major = magic[6];
        if (major < 1 || major > 3) {
            throw bad(where, "is format version " + major + "." + magic[7] + " (1, 2 and 3 are known)");
        }
        int headerLength;
        int prefix;
        if (major == 1) {
            byte[] b = in.readNBytes(2);
            headerLength = (b[0] & 0xff) | (b[1] & 0xff) << 8;
            prefix = 10;
        } else {
            byte[] b = in.readNBytes(4);
            headerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
            prefix = 12;
        }
        if (headerLength < 0 || headerLength > 1 << 20 || prefix + (long) headerLength > length) {
            throw bad(where, "has a header length of " + headerLength + " bytes, beyond the file");
        }
        byte[] hb = in.readNBytes(headerLength);
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (!HEADER.matcher(header).matches()) {
            throw bad(where, "has a header that is not numpy's dict of descr, fortran_order and shape ("
                    + header.strip() + ")");
        }
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find()) {
            throw bad(where, "has a dtype other than bool, (unsigned) integers and floats (" + header.strip() + ")");
        }
        if (!f.find() || !s.find()) {
            throw bad(where, "has no fortran_order or shape in its header");
        }
        char order = d.group(1).charAt(0);
        char kind = d.group(2).charAt(0);
        int size = Integer.parseInt(d.group(3));
        String dtype = d.group(1) + kind + size;
        boolean ok = switch (kind) {
            case 'b' -> size == 1;
            case 'u', 'i' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 2 || size == 4 || size == 8;
            default -> false;
        };
        if (!ok) {
            throw bad(where, "has the unsupported dtype " + dtype);
        }
        if (size > 1 && order == '|') {
            throw bad(where, "has no byte order for the " + size + "-byte dtype " + dtype);
        }
        ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : order == '<' || order == '|' ? ByteOrder.LITTLE_ENDIAN
                : ByteOrder.nativeOrder();
        int[] shape = shape(s.group(1), where);
        long n = NdArray.size(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw bad(where, "holds " + n + " values, more than one Java array can");
        }
        long expected = n * size;
        if (length - prefix - headerLength != expected) {
            throw bad(where, "has " + (length - prefix - headerLength) + " bytes of data, but its shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        byte[] data = in.readNBytes((int) expected);
        if (data.length != expected) {
            throw bad(where, "ends before its data does");
        }
        ByteBuffer buf = ByteBuffer.wrap(data).order(bo);
        float[] values = new float[(int) n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (kind) {
                case 'b' -> buf.get() != 0 ? 1f : 0f;
                case 'u' -> switch (size) {
                    case 1 -> buf.get() & 0xff;
                    case 2 -> buf.getShort() & 0xffff;
                    case 4 -> buf.getInt() & 0xffffffffL;
                    default -> unsigned(buf.getLong());
                };
                case 'i' -> switch (size) {
                    case 1 -> buf.get();
                    case 2 -> buf.getShort();
                    case 4 -> buf.getInt();
                    default -> buf.getLong();
                };
                default -> switch (size) {
                    case 2 -> half(buf.getShort());
                    case 4 -> buf.getFloat();
                    default -> (float) buf.getDouble();
                };
            };
        }
        if (f.group(1).equals("True")) {
            values = fortranToC(values, shape);
        }
        return new Array(dtype, shape, values);
    }

    /** An IEEE 754 half-precision value. */
    static float half(short h) {
        int bits = h & 0xffff;
        int sign = bits >>> 15;
        int exp = bits >>> 10 & 0x1f;
        int mant = bits & 0x3ff;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f;
        } else if (exp == 31) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
        }
        return sign == 1 ? -v : v;
    }

    private static float unsigned(long v) {
        return v >= 0 ? v : (float) ((v >>> 1) * 2.0 + (v & 1));
    }

    private static int[] shape(String text, String where) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw bad(where, "has the dimension " + v + " in its shape");
                }
                dims.add((int) v);
            } catch (NumberFormatException e) {
                throw bad(where, "has a shape that is not a tuple of whole numbers (" + text + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Fortran (column-major) values reordered to C (row-major) order. */
    static float[] fortranToC(float[] f, int[] shape) {
        int r = shape.length;
        float[] c = new float[f.length];
        int[] idx = new int[r];
        int[] fs = new int[r];
        int st = 1;
        for (int d = 0; d < r; d++) {
            fs[d] = st;
            st *= shape[d];
        }
        for (int i = 0; i < c.length; i++) {
            int off = 0;
            for (int d = 0; d < r; d++) {
                off += idx[d] * fs[d];
            }
            c[i] = f[off];
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return c;
    }

    /** Writes {@code values} (C order) as a version 1 little-endian {@code <f4} file. */
    public static void writeFloat32(Path file, int[] shape, float[] values) throws IOException {
        if (NdArray.size(shape) != values.length) {
            throw new IllegalArgumentException("shape does not match the number of values");
        }
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sh.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        sh.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + sh + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(MAGIC);
            out.write(new byte[] {1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(buf.array());
        }
    }

    private static ModelException bad(String where, String problem) {
        return new ModelException("The .npy file " + where + " " + problem + ".",
                "save the array with numpy.save (a plain numeric array), or ask the package's authors for a valid one.");
    }
}
