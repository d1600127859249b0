package dev.jtorch.io;

import dev.jtorch.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy format (torch < 1.6, or {@code _use_new_zipfile_serialization=False}): pickles of the
 * magic number, the protocol version (1001) and sys_info, then the main pickle (persistent ids
 * {@code ('storage', type, key, location, numel, view_metadata)}), then the pickled list of storage
 * keys, then for each key an int64 element count and the raw little-endian bytes. A file whose
 * first pickle is not the magic number is a plain pickle ({@code pickle.dump} of a state dict).
 */
final class LegacyCheckpoint implements Unpickler.Host {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_NESTING = 2;

    private final CheckpointFile cf;
    private final MemorySegment seg;
    private final String file;
    private final String keyPrefix;
    private final int nesting;
    private boolean legacy;
    private int blobs;
    private final Map<String, StorageRef> declared = new HashMap<>();

    LegacyCheckpoint(CheckpointFile cf, MemorySegment seg, String file, String keyPrefix, int nesting) {
        this.cf = cf;
        this.seg = seg;
        this.file = file;
        this.keyPrefix = keyPrefix;
        this.nesting = nesting;
    }

    boolean isLegacy() { return legacy; }

    Object load() throws CheckpointException {
        String where = nesting == 0 ? "pickle" : keyPrefix + "pickle";
        Unpickler first = unpickler(0, where);
        Object magic = first.load();
        if (!MAGIC.equals(magic)) return magic; // a plain pickle
        legacy = true;
        Unpickler u = unpickler(first.position(), "protocol version");
        Object proto = u.load();
        if (!Long.valueOf(1001).equals(proto)) {
            throw new CheckpointException(file, null, first.position(), "legacy checkpoint with protocol version "
                    + Values.repr(proto) + " (only 1001 is known)");
        }
        u = unpickler(u.position(), "sys_info");
        if (!(u.load() instanceof Map<?, ?>)) throw new CheckpointException(file, "sys_info", 0, "sys_info is not a dict");
        u = unpickler(u.position(), "main pickle (file offset " + u.position() + ")");
        Object main = u.load();
        u = unpickler(u.position(), "storage keys (file offset " + u.position() + ")");
        Object keys = u.load();
        if (!(keys instanceof List<?> keyList)) throw new CheckpointException(file, "storage keys", 0, "not a list");
        long pos = u.position();
        for (Object k : keyList) {
            if (!(k instanceof String key)) throw new CheckpointException(file, "storage keys", 0, "a key is not a str");
            StorageRef d = declared.get(key);
            if (d == null) {
                throw new CheckpointException(file, "storage " + key, pos, "storage '" + key
                        + "' is not used by any tensor, so its element type is unknown");
            }
            if (seg.byteSize() - pos < 8) throw new CheckpointException(file, "storage " + key, pos, "file truncated");
            long n = seg.get(LE_LONG, pos);
            long bytes;
            try {
                bytes = Math.multiplyExact(n, (long) d.dtype().itemSize());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
            if (n < 0 || bytes < 0 || bytes > seg.byteSize() - pos - 8) {
                throw new CheckpointException(file, "storage " + key, pos, "storage of " + n + " elements of "
                        + d.dtype().pyName() + " runs past the end of the file (" + (seg.byteSize() - pos - 8)
                        + " bytes left)");
            }
            if (n < d.numel()) {
                throw new CheckpointException(file, "storage " + key, pos, "storage holds " + n
                        + " elements but the pickle declares " + d.numel());
            }
            cf.addSource(keyPrefix + key, new CheckpointFile.Source(seg, pos + 8, bytes, ByteOrder.LITTLE_ENDIAN,
                    null, null));
            pos += 8 + bytes;
        }
        for (String key : declared.keySet()) {
            if (!cf.sources.containsKey(keyPrefix + key)) {
                throw new CheckpointException(file, "storage " + key, pos, "storage '" + key + "' is used but missing");
            }
        }
        return main;
    }

    private Unpickler unpickler(long start, String entry) {
        return new Unpickler(seg, start, seg.byteSize(), file, entry, cf.options, this);
    }

    @Override
    public Object persistentLoad(Object pid, Unpickler at) throws CheckpointException {
        if (!legacy) {
            throw at.error("a plain pickle with persistent ids: written by a custom pickler, not torch.save");
        }
        List<Object> p = CheckpointFile.pid(pid, at);
        if ("module".equals(p.get(0)) && p.size() >= 2) return p.get(1); // a module class with its source text
        if (!"storage".equals(p.get(0)) || p.size() != 6) {
            throw at.error("unknown persistent id " + Values.repr(pid)
                    + "; expected ('storage', type, key, location, numel, view_metadata)");
        }
        DType dtype = storageType(p.get(1), at);
        if (!(p.get(2) instanceof String key)) throw at.error("storage key is a " + Values.typeName(p.get(2)));
        String location = p.get(3) instanceof String s ? s : "cpu";
        if (!(p.get(4) instanceof Long numel) || numel < 0) throw at.error("storage size is not a non-negative int");
        StorageRef root = new StorageRef(keyPrefix + key, dtype, numel, location, 0);
        StorageRef before = declared.putIfAbsent(key, root);
        if (before != null && (before.dtype() != dtype || before.numel() != numel)) {
            throw at.error("storage '" + key + "' declared twice with different types or sizes");
        }
        if (p.get(5) == null) return root;
        List<Object> view = p.get(5) instanceof PyTuple t && t.size() == 3 ? t.items() : null;
        if (view == null || !(view.get(1) instanceof Long off) || !(view.get(2) instanceof Long size)
                || off < 0 || size < 0 || off > numel || size > numel - off) {
            throw at.error("bad storage view " + Values.repr(p.get(5)) + " of a storage of " + numel + " elements");
        }
        return new StorageRef(keyPrefix + key, dtype, size, location, off);
    }

    @Override
    public Object loadFromBytes(byte[] legacyFile, Unpickler at) throws CheckpointException {
        return embedded(cf, legacyFile, at, keyPrefix + "blob" + (blobs++) + "/", nesting + 1);
    }

    /** {@code torch.storage._load_from_bytes(b)}: b is a legacy file holding one storage. */
    static Object embedded(CheckpointFile cf, byte[] bytes, Unpickler at, String prefix, int nesting)
            throws CheckpointException {
        if (nesting > MAX_NESTING) throw at.error("storages embedded in embedded storages nest too deeply");
        LegacyCheckpoint inner = new LegacyCheckpoint(cf, MemorySegment.ofArray(bytes), at.file(), prefix, nesting);
        Object v = inner.load();
        if (!inner.legacy || !(v instanceof StorageRef)) {
            throw at.error("_load_from_bytes data is not a torch.save'd storage");
        }
        return v;
    }

    static DType storageType(Object type, Unpickler at) throws CheckpointException {
        if (type instanceof DType d) return d;
        if (type instanceof PyGlobal g) {
            DType d = Allowlist.storageDType(g);
            if (d != null) return d;
        }
        throw at.error("storage type " + Values.repr(type) + " is not a known storage class");
    }
}
