package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.Storage;
import dev.jtorch.backend.TensorInternals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open checkpoint: the file is memory-mapped and its pickle interpreted, but no tensor data
 * is read until asked for. {@link #root()} is the pickled value with {@link TensorRef}s where the
 * tensors are; {@link #tensor(TensorRef)} and {@link #materialize(Object)} read storages (each
 * once, copied straight from the mapping into its array; tensors over one storage share it).
 * Close it to unmap the file; materialised tensors stay valid.
 *
 * {@snippet :
 * try (CheckpointFile f = CheckpointFile.open(Path.of("resnet18.pth"))) {
 *     Map<String, TensorRef> refs = Checkpoints.findStateDict(f.root()); // names, dtypes, shapes
 *     Tensor fcWeight = f.tensor(refs.get("fc.weight"));                  // reads one storage
 * }
 * }
 */
public final class CheckpointFile implements AutoCloseable {

    /** The container format found. */
    public enum Format { ZIP, LEGACY, PICKLE }

    /** Where a storage's bytes lie: a slice of the mapping or of an in-memory legacy blob. */
    record Source(MemorySegment segment, long offset, long bytes, ByteOrder order, ZipArchive.Entry zipEntry,
                  ZipArchive zip) {}

    private final Path path;
    private final String name;
    private final Arena arena;
    final Unpickler.Options options;
    private final Format format;
    private final Object root;
    final Map<String, Source> sources = new HashMap<>();
    private final Map<String, Storage> storages = new HashMap<>();
    private final IdentityHashMap<TensorRef, Tensor> tensors = new IdentityHashMap<>();

    private CheckpointFile(Path path, Arena arena, MemorySegment seg, Unpickler.Options options)
            throws CheckpointException {
        this.path = path;
        this.name = path.toString();
        this.arena = arena;
        this.options = options;
        Format f;
        Object value;
        try {
            if (seg.byteSize() >= 4 && seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0)
                    == 0x04034b50 || seg.byteSize() >= 22 && isEmptyZip(seg)) {
                f = Format.ZIP;
                value = new ZipCheckpoint(this, seg).load();
            } else if (seg.byteSize() >= 2 && isPickleStart(seg.get(ValueLayout.JAVA_BYTE, 0) & 0xff)) {
                LegacyCheckpoint legacy = new LegacyCheckpoint(this, seg, name, "", 0);
                value = legacy.load();
                f = legacy.isLegacy() ? Format.LEGACY : Format.PICKLE;
            } else if (seg.byteSize() >= 262 && "ustar".equals(ascii(seg, 257, 5))) {
                throw new CheckpointException(path, "unsupported: tar-format checkpoint (PyTorch < 0.4); load it in"
                        + " PyTorch and save it again");
            } else {
                throw new CheckpointException(path, "not a PyTorch checkpoint: it is neither a zip archive nor a"
                        + " pickle (starts with " + hexPrefix(seg) + ")");
            }
            value = new ValueGraph(this, options.maxDepth).recognise(value);
        } catch (CheckpointException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new CheckpointException(path, "value nested too deeply");
        } catch (RuntimeException e) {
            throw new CheckpointException(path, "malformed checkpoint: " + e, e);
        }
        this.format = f;
        this.root = value;
    }

    /** Opens (maps and parses) a checkpoint with the default options. */
    public static CheckpointFile open(Path path) throws IOException {
        return open(path, new Unpickler.Options());
    }

    public static CheckpointFile open(Path path, Unpickler.Options options) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new CheckpointFile(path, arena, seg, options);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public Format format() { return format; }

    /**
     * The pickled value: plain Java values (see {@link Unpickler}), {@link TensorRef} in place of
     * each tensor, {@link PickledModule} for each nn.Module of a whole pickled model.
     */
    public Object root() { return root; }

    /** The tensor a ref describes, reading its storage on first use (later refs to it share it). */
    public Tensor tensor(TensorRef ref) throws CheckpointException {
        Tensor t = tensors.get(ref);
        if (t != null) return t;
        Storage s = storage(ref.storageKey(), ref.dtype(), ref.storageNumel());
        try {
            t = TensorInternals.of(s, new Layout(ref.shape(), ref.strides(), ref.offset()));
        } catch (RuntimeException e) {
            throw new CheckpointException(name, ref.storageKey(), -1, "tensor does not fit its storage: " + e.getMessage());
        }
        if (ref.requiresGrad() && t.isFloatingPoint()) t.requiresGrad_(true);
        tensors.put(ref, t);
        return t;
    }

    /**
     * A copy of {@code value} with every {@link TensorRef} replaced by its tensor (containers are
     * replaced in place: the result shares structure with {@link #root()}).
     */
    public Object materialize(Object value) throws CheckpointException {
        try {
            return new ValueGraph(this, options.maxDepth).materialise(value);
        } catch (StackOverflowError e) {
            throw new CheckpointException(path, "value nested too deeply");
        }
    }

    private Storage storage(String key, DType dtype, long numel) throws CheckpointException {
        String cacheKey = key + "\u0000" + dtype.name();
        Storage s = storages.get(cacheKey);
        if (s != null) return s;
        Source src = sources.get(key);
        if (src == null) throw new CheckpointException(name, key, -1, "storage '" + key + "' is missing from the file");
        long bytes;
        try {
            bytes = Math.multiplyExact(numel, (long) dtype.itemSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(name, key, -1, "storage size overflows");
        }
        if (bytes > src.bytes()) {
            throw new CheckpointException(name, key, -1, "storage '" + key + "' holds " + src.bytes()
                    + " bytes but " + numel + " elements of " + dtype.pyName() + " need " + bytes);
        }
        if (numel > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(name, key, -1, "storage of " + numel + " elements is too large for one Java array");
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            System.gc();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            if (bytes > free) {
                throw new CheckpointException(name, key, -1, "storage of " + bytes + " bytes does not fit in the "
                        + free + " bytes of heap left (raise -Xmx)");
            }
        }
        MemorySegment seg = src.segment();
        long off = src.offset();
        if (src.zipEntry() != null) {
            seg = src.zip().content(src.zipEntry(), options.maxInflatedBytes, options.verifyChecksums);
            off = 0;
        }
        s = StorageCopy.toStorage(seg, off, (int) numel, dtype, src.order());
        storages.put(cacheKey, s);
        return s;
    }

    String name() { return name; }

    @Override
    public void close() {
        arena.close();
    }

    /** PROTO (protocol 2+), or what protocol 0/1 pickles of dicts, lists and globals start with. */
    private static boolean isPickleStart(int b) {
        return b == 0x80 || b == '(' || b == 'c' || b == '}' || b == ']' || b == ')';
    }

    private static boolean isEmptyZip(MemorySegment seg) {
        return seg.byteSize() == 22 && seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0)
                == 0x06054b50;
    }

    private static String ascii(MemorySegment seg, long at, int n) {
        return new String(seg.asSlice(at, n).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String hexPrefix(MemorySegment seg) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, seg.byteSize()); i++) {
            sb.append(String.format("%02x ", seg.get(ValueLayout.JAVA_BYTE, i) & 0xff));
        }
        return sb.isEmpty() ? "nothing: the file is empty" : sb.toString().trim();
    }

    /** Registers a storage's bytes under {@code key}; used by the container readers. */
    void addSource(String key, Source source) {
        sources.put(key, source);
    }

    static List<Object> pid(Object pid, Unpickler at) throws CheckpointException {
        if (!(pid instanceof PyTuple t) || t.size() < 1) {
            throw at.error("persistent id is a " + Values.typeName(pid) + ", not a tuple");
        }
        return t.items();
    }
}
