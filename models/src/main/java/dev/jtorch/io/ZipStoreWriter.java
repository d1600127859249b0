package dev.jtorch.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip of stored (uncompressed) entries the way PyTorch's {@code PyTorchStreamWriter}
 * does: each entry's data starts on a 64-byte boundary (the local header carries an extra field
 * with id {@code FB} padded with {@code Z}s, so a reader may memory-map a storage in place), the
 * CRC-32 is computed while the data streams and patched into the local header afterwards (no data
 * descriptors), and ZIP64 records are added for entries or offsets past 4 GB.
 */
final class ZipStoreWriter {
    /** Data alignment inside the archive, PyTorch's {@code kFieldAlignment}. */
    static final int ALIGNMENT = 64;
    private static final long ZIP64_LIMIT = 0xFFFFFFFFL;
    private static final int LOCAL_HEADER = 30;
    private static final int CHUNK = 1 << 20;

    /** Receives an entry's bytes. */
    interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** Produces an entry's bytes into a sink. */
    interface Body {
        void writeTo(Sink sink) throws IOException;
    }

    private record Entry(byte[] name, long size, long crc, long headerOffset) {}

    private final FileChannel channel;
    private final long zip64Threshold;
    private final List<Entry> entries = new ArrayList<>();
    private long position;

    ZipStoreWriter(FileChannel channel) {
        this(channel, ZIP64_LIMIT);
    }

    /**
     * @param zip64Threshold sizes and offsets at or above it get ZIP64 records (4 GB - 1 normally;
     *                       tests lower it to check the ZIP64 layout on small files)
     */
    ZipStoreWriter(FileChannel channel, long zip64Threshold) {
        this.channel = channel;
        this.zip64Threshold = Math.min(zip64Threshold, ZIP64_LIMIT);
    }

    void writeEntry(String name, byte[] data) throws IOException {
        writeEntry(name, data.length, sink -> sink.write(ByteBuffer.wrap(data)));
    }

    /** Writes one stored entry of exactly {@code size} bytes produced by {@code body}. */
    void writeEntry(String name, long size, Body body) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        long headerOffset = position;
        boolean zip64 = size >= zip64Threshold;
        int zip64Extra = zip64 ? 20 : 0;
        long unpadded = headerOffset + LOCAL_HEADER + nameBytes.length + zip64Extra + 4;
        int padding = (int) Math.floorMod(-unpadded, (long) ALIGNMENT);
        int extraLength = zip64Extra + 4 + padding;

        ByteBuffer header = le(LOCAL_HEADER + nameBytes.length + extraLength);
        header.putInt(0x04034b50).putShort((short) (zip64 ? 45 : 20)).putShort(flags(name)).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0x21) // DOS time 00:00, date 1980-01-01: reproducible files
                .putInt(0) // CRC-32, patched once the data is written
                .putInt((int) (zip64 ? ZIP64_LIMIT : size)).putInt((int) (zip64 ? ZIP64_LIMIT : size))
                .putShort((short) nameBytes.length).putShort((short) extraLength).put(nameBytes);
        if (zip64) header.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        header.putShort((short) 0x4246).putShort((short) padding); // "FB"
        for (int i = 0; i < padding; i++) header.put((byte) 'Z');
        writeFully(header.flip());

        CRC32 crc = new CRC32();
        long[] written = {0};
        body.writeTo(bytes -> {
            written[0] += bytes.remaining();
            if (written[0] > size) throw new IOException(name + ": more than the declared " + size + " bytes");
            crc.update(bytes.duplicate());
            writeFully(bytes);
        });
        if (written[0] != size) {
            throw new IOException(name + ": wrote " + written[0] + " bytes, declared " + size);
        }
        ByteBuffer crcBytes = le(4).putInt((int) crc.getValue()).flip();
        while (crcBytes.hasRemaining()) channel.write(crcBytes, headerOffset + 14 + (4 - crcBytes.remaining()));
        entries.add(new Entry(nameBytes, size, crc.getValue(), headerOffset));
    }

    /** Writes the central directory and the end records; the channel stays open. */
    void finish() throws IOException {
        long directoryOffset = position;
        for (Entry e : entries) {
            boolean bigSize = e.size >= zip64Threshold;
            boolean bigOffset = e.headerOffset >= zip64Threshold;
            int extra = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
            int extraLength = extra == 0 ? 0 : 4 + extra;
            ByteBuffer b = le(46 + e.name.length + extraLength);
            short version = (short) (extra == 0 ? 20 : 45);
            b.putInt(0x02014b50).putShort(version).putShort(version).putShort(flags(new String(e.name, StandardCharsets.UTF_8)))
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt((int) e.crc)
                    .putInt((int) (bigSize ? ZIP64_LIMIT : e.size)).putInt((int) (bigSize ? ZIP64_LIMIT : e.size))
                    .putShort((short) e.name.length).putShort((short) extraLength).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) (bigOffset ? ZIP64_LIMIT : e.headerOffset)).put(e.name);
            if (extra > 0) {
                b.putShort((short) 1).putShort((short) extra);
                if (bigSize) b.putLong(e.size).putLong(e.size);
                if (bigOffset) b.putLong(e.headerOffset);
            }
            writeFully(b.flip());
        }
        long directorySize = position - directoryOffset;
        boolean zip64 = entries.size() >= 0xFFFF || directoryOffset >= zip64Threshold
                || directorySize >= zip64Threshold;
        if (zip64) {
            long recordOffset = position;
            ByteBuffer b = le(56 + 20);
            b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(entries.size()).putLong(entries.size()).putLong(directorySize).putLong(directoryOffset);
            b.putInt(0x07064b50).putInt(0).putLong(recordOffset).putInt(1);
            writeFully(b.flip());
        }
        ByteBuffer end = le(22);
        int count = zip64 ? 0xFFFF : entries.size();
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count).putShort((short) count)
                .putInt((int) (zip64 ? ZIP64_LIMIT : directorySize)).putInt((int) (zip64 ? ZIP64_LIMIT : directoryOffset))
                .putShort((short) 0);
        writeFully(end.flip());
    }

    /** Copies large buffers through in chunks so a CRC update and a write never hold more than 1 MB. */
    static void writeChunked(Sink sink, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            int n = Math.min(CHUNK, bytes.remaining());
            ByteBuffer slice = bytes.slice(bytes.position(), n);
            sink.write(slice);
            bytes.position(bytes.position() + n);
        }
    }

    private static short flags(String name) {
        // Bit 11: the name is UTF-8. Set only when it is not plain ASCII, as most writers do.
        for (int i = 0; i < name.length(); i++) if (name.charAt(i) >= 0x80) return (short) 0x800;
        return 0;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) position += channel.write(b);
    }
}
