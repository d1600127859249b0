package dev.jtorch.io;

import dev.jtorch.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The zip format of torch >= 1.6: {@code <top>/data.pkl} (whatever {@code <top>} is called),
 * storages in {@code <top>/data/<key>}, and {@code <top>/byteorder} ({@code little} when absent).
 */
final class ZipCheckpoint implements Unpickler.Host {
    private final CheckpointFile cf;
    private final MemorySegment seg;
    private ZipArchive zip;
    private String prefix;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int blobs;

    ZipCheckpoint(CheckpointFile cf, MemorySegment seg) {
        this.cf = cf;
        this.seg = seg;
    }

    Object load() throws CheckpointException {
        zip = new ZipArchive(seg, cf.name());
        ZipArchive.Entry pkl = null;
        for (ZipArchive.Entry e : zip.entries().values()) {
            String n = e.name();
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length() || n.equals("data.pkl")) {
                if (pkl != null) {
                    throw new CheckpointException(cf.name(), null, -1, "two pickles in one archive: '" + pkl.name()
                            + "' and '" + n + "'");
                }
                pkl = e;
            }
        }
        if (pkl == null) {
            throw new CheckpointException(cf.name(), null, -1, "a zip archive without a */data.pkl: not a PyTorch"
                    + " checkpoint (members: " + String.join(", ", zip.entries().keySet().stream().limit(5).toList())
                    + (zip.entries().size() > 5 ? ", ..." : "") + ")");
        }
        prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipArchive.Entry bo = zip.entries().get(prefix + "byteorder");
        if (bo != null) {
            MemorySegment b = zip.content(bo, 64, true);
            String s = new String(b.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).trim();
            order = switch (s) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw new CheckpointException(cf.name(), bo.name(), -1, "byteorder is '" + s
                        + "', expected 'little' or 'big'");
            };
        }
        MemorySegment content = zip.content(pkl, cf.options.maxInflatedBytes, cf.options.verifyChecksums);
        return new Unpickler(content, 0, content.byteSize(), cf.name(), pkl.name(), cf.options, this).load();
    }

    @Override
    public Object persistentLoad(Object pid, Unpickler at) throws CheckpointException {
        List<Object> p = CheckpointFile.pid(pid, at);
        if (!"storage".equals(p.get(0)) || p.size() != 5) {
            throw at.error("unknown persistent id " + Values.repr(pid) + "; expected ('storage', type, key, location, numel)");
        }
        DType dtype = LegacyCheckpoint.storageType(p.get(1), at);
        if (!(p.get(2) instanceof String key)) throw at.error("storage key is a " + Values.typeName(p.get(2)));
        String location = p.get(3) instanceof String s ? s : "cpu";
        if (!(p.get(4) instanceof Long numel) || numel < 0) throw at.error("storage size is not a non-negative int");
        ZipArchive.Entry e = zip.entries().get(prefix + "data/" + key);
        if (e == null) throw at.error("storage '" + key + "' is missing: no member " + prefix + "data/" + key);
        long need;
        try {
            need = Math.multiplyExact(numel, (long) dtype.itemSize());
        } catch (ArithmeticException ex) {
            throw at.error("storage '" + key + "' of " + numel + " elements overflows");
        }
        // PyTorch writes each storage record at exactly its byte size. A record of another size is
        // refused rather than read in part: a longer one would also let a compressed record inflate
        // past what any tensor can use (inflating stops at the declared size, which is now this one).
        if (e.size() != need) {
            throw at.error("storage '" + key + "' declares " + numel + " elements of " + dtype.pyName() + " (" + need
                    + " bytes) but its record " + e.name() + " holds " + e.size() + " bytes");
        }
        cf.addSource(key, new CheckpointFile.Source(seg, e.dataOffset(), e.size(), order, e, zip));
        return new StorageRef(key, dtype, numel, location, 0);
    }

    @Override
    public Object loadFromBytes(byte[] legacyFile, Unpickler at) throws CheckpointException {
        return LegacyCheckpoint.embedded(cf, legacyFile, at, "blob" + (blobs++) + "/", 1);
    }
}
