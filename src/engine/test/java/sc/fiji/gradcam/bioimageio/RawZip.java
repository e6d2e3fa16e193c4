package sc.fiji.gradcam.bioimageio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes zips byte by byte, so that tests can make the hostile ones no zip tool would: any name, any size. */
final class RawZip {

    /**
     * One entry.
     *
     * @param declared the uncompressed size both headers claim (-1: the real one)
     * @param unixMode Unix file mode for the external attributes (0: none; e.g. 0120777 for a symlink)
     */
    record Entry(String name, byte[] data, boolean deflate, long declared, int unixMode) {
        static Entry file(String name, String text) {
            return new Entry(name, text.getBytes(StandardCharsets.UTF_8), true, -1, 0);
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    RawZip add(Entry e) {
        entries.add(e);
        return this;
    }

    RawZip add(String name, String text) {
        return add(Entry.file(name, text));
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            byte[] body = e.deflate() ? deflate(e.data()) : e.data();
            CRC32 crc = new CRC32();
            crc.update(e.data());
            long size = e.declared() >= 0 ? e.declared() : e.data().length;
            int offset = out.size();
            ByteBuffer lh = le(30 + name.length);
            lh.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800).putShort((short) (e.deflate() ? 8 : 0))
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue()).putInt(body.length)
                    .putInt((int) size).putShort((short) name.length).putShort((short) 0).put(name);
            out.writeBytes(lh.array());
            out.writeBytes(body);
            ByteBuffer ch = le(46 + name.length);
            ch.putInt(0x02014b50).putShort((short) (e.unixMode() != 0 ? 3 << 8 | 20 : 20)).putShort((short) 20)
                    .putShort((short) 0x0800).putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0)
                    .putShort((short) 0x21).putInt((int) crc.getValue()).putInt(body.length).putInt((int) size)
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(e.unixMode() << 16).putInt(offset).put(name);
            central.writeBytes(ch.array());
        }
        int cdOffset = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(central.size()).putInt(cdOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(9, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }
}
