package dev.jtorch.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A zip archive read from a memory segment (a mapped file) through its own central-directory
 * parser: ZIP64 sizes and offsets, STORED members sliced in place, DEFLATED members inflated
 * under a size limit. Members must lie inside the file, before the central directory, and must
 * not overlap; encrypted members, multi-disk archives and duplicate names are refused.
 */
final class ZipArchive {

    /** One member: where its data lies in the segment and how it is stored. */
    record Entry(String name, int method, long crc, long compressedSize, long size, long headerOffset,
                 long dataOffset) {
        boolean stored() { return method == 0; }
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
    /** DEFLATE cannot expand data more than about 1032 to 1; more is a zip bomb. */
    private static final long MAX_RATIO = 1100;

    private final MemorySegment seg;
    private final String file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    ZipArchive(MemorySegment seg, String file) throws CheckpointException {
        this.seg = seg;
        this.file = file;
        parse();
    }

    Map<String, Entry> entries() { return entries; }

    private CheckpointException bad(long at, String msg) {
        return new CheckpointException(file, "zip", at, "corrupt or truncated zip: " + msg);
    }

    private int u16(long at) { return seg.get(U16, at) & 0xffff; }

    private long u32(long at) { return seg.get(U32, at) & 0xffffffffL; }

    private void parse() throws CheckpointException {
        long n = seg.byteSize();
        if (n < 22) throw bad(0, "file of " + n + " bytes has no end-of-central-directory record");
        long eocd = -1;
        for (long p = n - 22, stop = Math.max(0, n - 22 - 65535); p >= stop; p--) {
            if (seg.get(U32, p) == EOCD && p + 22 + u16(p + 20) == n) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw bad(n, "no end-of-central-directory record (the file is cut short?)");
        if (u16(eocd + 4) != 0 || u16(eocd + 6) != 0) throw bad(eocd, "multi-disk archives are not supported");
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        long cdLimit = eocd;
        if (eocd >= 20 && seg.get(U32, eocd - 20) == ZIP64_LOCATOR) {
            long z = seg.get(U64, eocd - 20 + 8);
            if (z < 0 || z > eocd - 20 - 56) throw bad(eocd - 20, "ZIP64 end record offset " + z + " out of range");
            if (seg.get(U32, z) != ZIP64_EOCD) throw bad(z, "missing ZIP64 end-of-central-directory record");
            count = seg.get(U64, z + 32);
            cdSize = seg.get(U64, z + 40);
            cdOffset = seg.get(U64, z + 48);
            cdLimit = z;
        } else if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            throw bad(eocd, "ZIP64 sizes without a ZIP64 locator");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw bad(eocd, "central directory (" + cdSize + " bytes at " + cdOffset + ") lies outside the file");
        }
        if (count < 0 || count > cdSize / 46) throw bad(eocd, count + " entries cannot fit in " + cdSize + " bytes");
        long p = cdOffset;
        long cdEnd = cdOffset + cdSize;
        List<Entry> list = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            if (cdEnd - p < 46 || seg.get(U32, p) != CENTRAL) throw bad(p, "bad central directory entry " + i);
            int flags = u16(p + 8);
            int method = u16(p + 10);
            long crc = u32(p + 16);
            long csize = u32(p + 20);
            long usize = u32(p + 24);
            int nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
            long lho = u32(p + 42);
            long next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cdEnd) throw bad(p, "central directory entry " + i + " runs past the directory");
            String name = new String(seg.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // ZIP64 extra field: the 64-bit values, in order, for each 32-bit field that is all ones
            long x = p + 46 + nameLen, xEnd = x + extraLen;
            while (xEnd - x >= 4) {
                int id = u16(x), len = u16(x + 2);
                if (x + 4 + len > xEnd) throw bad(x, "extra field runs past its entry");
                if (id == 1) {
                    long q = x + 4, qEnd = q + len;
                    if (usize == 0xffffffffL) { if (qEnd - q < 8) throw bad(q, "short ZIP64 field"); usize = seg.get(U64, q); q += 8; }
                    if (csize == 0xffffffffL) { if (qEnd - q < 8) throw bad(q, "short ZIP64 field"); csize = seg.get(U64, q); q += 8; }
                    if (lho == 0xffffffffL) { if (qEnd - q < 8) throw bad(q, "short ZIP64 field"); lho = seg.get(U64, q); }
                }
                x += 4 + len;
            }
            if ((flags & 1) != 0) throw bad(p, "'" + name + "' is encrypted");
            if (method != 0 && method != 8) throw bad(p, "'" + name + "' uses compression method " + method);
            if (usize < 0 || csize < 0 || lho < 0) throw bad(p, "'" + name + "' has a size or offset beyond 2^63");
            if (method == 0 && csize != usize) throw bad(p, "stored '" + name + "' has two different sizes");
            if (lho > cdOffset - 30) throw bad(p, "'" + name + "' local header at " + lho + " is outside the data area");
            if (seg.get(U32, lho) != LOCAL) throw bad(lho, "no local header for '" + name + "'");
            long data = lho + 30 + u16(lho + 26) + u16(lho + 28);
            if (data > cdOffset || csize > cdOffset - data) {
                throw bad(lho, "'" + name + "' (" + csize + " bytes at " + data + ") runs past the data area");
            }
            if (entries.containsKey(name)) throw bad(p, "duplicate entry '" + name + "'");
            Entry e = new Entry(name, method, crc, csize, usize, lho, data);
            entries.put(name, e);
            list.add(e);
            p = next;
        }
        list.sort(Comparator.comparingLong(Entry::headerOffset));
        for (int i = 1; i < list.size(); i++) {
            Entry a = list.get(i - 1), b = list.get(i);
            if (a.dataOffset() + a.compressedSize() > b.headerOffset()) {
                throw bad(b.headerOffset(), "entries '" + a.name() + "' and '" + b.name() + "' overlap");
            }
        }
    }

    /** The stored bytes of a STORED member, in place (no copy). */
    MemorySegment slice(Entry e) {
        return seg.asSlice(e.dataOffset(), e.compressedSize());
    }

    /**
     * The member's content: a slice of the file for STORED members, else inflated into a heap
     * segment of at most {@code maxInflated} bytes. The CRC-32 is checked when asked.
     */
    MemorySegment content(Entry e, long maxInflated, boolean verify) throws CheckpointException {
        MemorySegment out;
        if (e.stored()) {
            out = slice(e);
        } else {
            if (e.size() > maxInflated || e.size() > Integer.MAX_VALUE - 16) {
                throw new CheckpointException(file, e.name(), -1, "compressed member inflates to " + e.size()
                        + " bytes, above the limit of " + maxInflated + " (Options.maxInflatedBytes)");
            }
            if (e.size() > Math.max(1024, e.compressedSize() * MAX_RATIO)) {
                throw new CheckpointException(file, e.name(), -1, "compression ratio of " + e.size() + " to "
                        + e.compressedSize() + " bytes is impossible for DEFLATE: refusing a zip bomb");
            }
            out = MemorySegment.ofArray(inflate(e));
        }
        if (verify) verifyCrc(e, out);
        return out;
    }

    private byte[] inflate(Entry e) throws CheckpointException {
        byte[] out = new byte[(int) e.size()];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(slice(e).asByteBuffer());
            int done = 0;
            while (done < out.length) {
                int k = inf.inflate(out, done, out.length - done);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                done += k;
            }
            byte[] probe = new byte[1];
            if (done != out.length || (!inf.finished() && inf.inflate(probe) > 0)) {
                throw new CheckpointException(file, e.name(), -1, "inflated size differs from the declared "
                        + e.size() + " bytes");
            }
        } catch (DataFormatException ex) {
            throw new CheckpointException(file, e.name(), -1, "corrupt DEFLATE data: " + ex.getMessage(), ex);
        } finally {
            inf.end();
        }
        return out;
    }

    private void verifyCrc(Entry e, MemorySegment content) throws CheckpointException {
        CRC32 crc = new CRC32();
        long chunk = 1L << 30;
        for (long at = 0; at < content.byteSize(); at += chunk) {
            crc.update(content.asSlice(at, Math.min(chunk, content.byteSize() - at)).asByteBuffer());
        }
        if (crc.getValue() != e.crc()) {
            throw new CheckpointException(file, e.name(), -1, String.format(
                    "CRC-32 mismatch (file says %08x, content is %08x): the file is corrupt", e.crc(), crc.getValue()));
        }
    }
}
