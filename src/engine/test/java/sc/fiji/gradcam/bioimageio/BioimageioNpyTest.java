package sc.fiji.gradcam.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sc.fiji.gradcam.api.ModelException;

/** The .npy reader on the real test inputs of ../shared/bioimageio and on hand-made files of every dtype. */
class BioimageioNpyTest {

    @Test
    void readsTheBsubtilisTestInput() {
        Npy.Array a = Npy.read(BioimageioDescriptionTest.shared("bsubtilis_widefield_test_input.npy"));
        assertEquals("|u1", a.dtype());
        assertArrayEquals(new int[] {1, 256, 256, 1}, a.shape());
        // numbers from numpy: sum 157170, max 255, a[0,100,7,0] = 26
        assertEquals(157170, sum(a.values()));
        assertEquals(255, max(a.values()));
        assertEquals(26, a.values()[100 * 256 + 7]);
    }

    @Test
    void readsTheStardistTestInput() {
        Npy.Array a = Npy.read(BioimageioDescriptionTest.shared("stardist_example_test_input.npy"));
        assertEquals("<u2", a.dtype());
        assertArrayEquals(new int[] {1, 512, 512, 1}, a.shape());
        assertEquals(8331268, sum(a.values()));
        assertEquals(235, max(a.values()));
        assertEquals(14, a.values()[10 * 512 + 20]);
        assertEquals(40, a.values()[100 * 512 + 7]);
    }

    static double sum(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }

    static double max(float[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }

    /** A .npy file of {@code version} with {@code header} and {@code data}. */
    static byte[] npy(int version, String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        byte[] h = (header + "\n").getBytes(StandardCharsets.UTF_8);
        if (version == 1) {
            out.writeBytes(new byte[] {(byte) h.length, (byte) (h.length >> 8)});
        } else {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(h.length).array());
        }
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static Npy.Array parse(byte[] b) throws Exception {
        return Npy.read(new java.io.ByteArrayInputStream(b), b.length, "t.npy");
    }

    @Test
    void readsEveryDtypeAndByteOrder() throws Exception {
        ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        be.putInt(-5).putInt(7).putInt(Integer.MAX_VALUE).putInt(0);
        Npy.Array a = parse(npy(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2, 2), }", be.array()));
        assertArrayEquals(new float[] {-5, 7, Integer.MAX_VALUE, 0}, a.values());
        ByteBuffer le = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).putDouble(-2.25);
        assertArrayEquals(new float[] {1.5f, -2.25f}, parse(npy(2, "{'descr': '<f8', 'fortran_order': False, "
                + "'shape': (2,), }", le.array())).values());
        assertArrayEquals(new float[] {1, 0, 1}, parse(npy(3, "{'descr': '|b1', 'fortran_order': False, "
                + "'shape': (3,), }", new byte[] {1, 0, 7})).values());
        assertArrayEquals(new float[] {-1, 127}, parse(npy(1, "{'descr': '|i1', 'fortran_order': False, "
                + "'shape': (2,), }", new byte[] {-1, 127})).values());
        assertArrayEquals(new float[] {65535, 1}, parse(npy(1, "{'descr': '<u2', 'fortran_order': False, "
                + "'shape': (2,), }", new byte[] {-1, -1, 1, 0})).values());
        assertArrayEquals(new float[] {4294967295f}, parse(npy(1, "{'descr': '<u4', 'fortran_order': False, "
                + "'shape': (1,), }", new byte[] {-1, -1, -1, -1})).values());
        ByteBuffer i8 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(-3);
        assertArrayEquals(new float[] {-3}, parse(npy(1, "{'descr': '>i8', 'fortran_order': False, "
                + "'shape': (1,), }", i8.array())).values());
        // half precision 1.0 = 0x3c00, -2.0 = 0xc000
        assertArrayEquals(new float[] {1, -2}, parse(npy(1, "{'descr': '<f2', 'fortran_order': False, "
                + "'shape': (2,), }", new byte[] {0, 0x3c, 0, (byte) 0xc0})).values());
        // a scalar: shape ()
        ByteBuffer f4 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(3.5f);
        Npy.Array s = parse(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f4.array()));
        assertEquals(0, s.shape().length);
        assertArrayEquals(new float[] {3.5f}, s.values());
    }

    @Test
    void reordersFortranOrder() throws Exception {
        // numpy: np.asfortranarray(np.arange(6).reshape(2, 3)).tobytes('A') is 0 3 1 4 2 5
        byte[] d = {0, 3, 1, 4, 2, 5};
        Npy.Array a = parse(npy(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", d));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, a.values());
        // rank 3: arange(24).reshape(2, 3, 4) in Fortran order, element [1, 2, 3] = 23, [1, 0, 2] = 14
        byte[] f = new byte[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    f[i + 2 * j + 6 * k] = (byte) (i * 12 + j * 4 + k);
                }
            }
        }
        Npy.Array b = parse(npy(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }", f));
        for (int i = 0; i < 24; i++) {
            assertEquals(i, b.values()[i]);
        }
    }

    @Test
    void refusesWhatIsNotAPlainNumericArray() {
        String[] headers = {"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
            "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': __import__('os')}",
            "{'descr': '<f4', 'shape': (1,), }"};
        for (String h : headers) {
            ModelException e = assertThrows(ModelException.class, () -> parse(npy(1, h, new byte[8])), h);
            assertTrue(e.getMessage().contains("Fix:") && !e.getMessage().contains("\n"), e.getMessage());
        }
        // data shorter or longer than the shape
        assertThrows(ModelException.class, () -> parse(npy(1, "{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (3,), }", new byte[8])));
        assertThrows(ModelException.class, () -> parse(npy(1, "{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (1,), }", new byte[8])));
        assertThrows(ModelException.class, () -> parse("not numpy at all".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ModelException.class, () -> parse(npy(4, "{'descr': '<f4', 'fortran_order': False, "
                + "'shape': (1,), }", new byte[4])));
    }

    @Test
    void writesWhatItReadsAndNumpysLayout(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.npy");
        float[] v = {1, -2.5f, Float.NaN, 1e-7f, 3, 4};
        Npy.writeFloat32(f, new int[] {1, 2, 3}, v);
        byte[] b = Files.readAllBytes(f);
        // numpy aligns the data to 64 bytes and ends the header with a newline (numpy.save writes 152 bytes here)
        assertEquals(128 + 24, b.length);
        assertEquals('\n', b[127]);
        assertTrue(new String(b, 10, 118, StandardCharsets.ISO_8859_1).startsWith(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }"));
        Npy.Array a = Npy.read(f);
        assertArrayEquals(new int[] {1, 2, 3}, a.shape());
        assertArrayEquals(v, a.values());
        Npy.writeFloat32(f, new int[] {2}, new float[] {1, 2});
        assertArrayEquals(new int[] {2}, Npy.read(f).shape());
    }
}
