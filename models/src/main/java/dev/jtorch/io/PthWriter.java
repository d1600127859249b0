package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.backend.Storage;
import dev.jtorch.nn.Module;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jtorch.backend.TensorInternals.storage;

/**
 * Writes what {@code torch.save} writes: the zip format ({@code archive/data.pkl} in pickle
 * protocol 2, {@code archive/data/<key>} raw little-endian storages aligned to 64 bytes,
 * {@code archive/byteorder}, {@code archive/version}) that {@code torch.load} reads, with
 * {@code weights_only=True} too, from torch 1.13 on.
 *
 * {@snippet :
 * Map<String, Object> checkpoint = new LinkedHashMap<>();
 * checkpoint.put("epoch", 5);
 * checkpoint.put("model_state_dict", model.stateDict());
 * checkpoint.put("loss", 0.25);
 * PthWriter.save(checkpoint, Path.of("checkpoint.pth"));
 * }
 *
 * <h2>Values</h2>
 * {@code null} (None), {@link Boolean}, {@link Integer}/{@link Long}/{@link Short}/{@link Byte}/
 * {@link BigInteger} (int), {@link Double}/{@link Float} (float), {@link String}, {@link List}
 * (list), {@link PyTuple} (tuple), {@link Map} (see below), {@link Set} (set), {@code byte[]}
 * (bytes), {@link DType} ({@code torch.float32}), {@link Tensor}, and what the reader returns for
 * richer pickles ({@link PyGlobal}, {@link PyObject}, {@link PickledModule}), nested
 * in any way. Anything else fails before the file is touched, naming where it sits
 * ({@code optimizer_state_dict.state.0.step}).
 *
 * <p>Which maps become {@code collections.OrderedDict}: a {@link StateDict} or a
 * {@link PyOrderedDict} (with its {@code _metadata} or other attributes, if it has any), and any
 * other non-empty map whose keys are all strings and whose values are all tensors (a state dict,
 * as {@code Module.stateDict()} returns it). Every other map is a plain {@code dict}; both keep
 * their iteration order. The rule cannot tell a state dict from another all-tensor map, so an
 * optimizer's per-parameter state ({@code {"step": t, "exp_avg": t}}, a {@code dict} in PyTorch)
 * read back as a plain map is written as an OrderedDict; PyTorch accepts either everywhere.
 *
 * <h2>Tensors and storages</h2>
 * Each storage is written once, whole, however many tensors view it: tied weights and views stay
 * shared after {@code torch.load}, and dtype, shape, strides and storage offset are kept. Like
 * {@code torch.save}, a small view of a large storage therefore writes the large storage: save
 * {@code view.clone()} to write only the view. Storages on another device are copied to the host
 * and recorded as {@code cpu} (a file that loads on any machine). The same {@code Tensor} object
 * reached twice is written once and read back as one object, as Python's pickler does.
 *
 * <h2>Atomicity</h2>
 * The pickle is built in memory first (an unsupported value never creates a file); the archive
 * then goes to a temporary file beside the target, which is forced to disk and renamed over it.
 * A failure at any point leaves the old file whole and no temporary file behind.
 */
public final class PthWriter {
    /** Deeper nesting than any checkpoint has; bounds recursion (a cycle through a tuple ends here). */
    private static final int MAX_DEPTH = 500;
    private static final String ARCHIVE = "archive";
    private static final PyGlobal ORDERED_DICT = PyGlobal.ORDERED_DICT;
    private static final PyGlobal CODECS_ENCODE = new PyGlobal("_codecs", "encode");
    private static final PyGlobal BUILTIN_SET = new PyGlobal("builtins", "set");

    private record StorageEntry(String key, Storage storage) {}

    private final PickleWriter pickle = new PickleWriter();
    private final Map<Storage, StorageEntry> storages = new IdentityHashMap<>();
    private final List<StorageEntry> storageOrder = new ArrayList<>();
    private int depth;

    private PthWriter() {}

    /** Saves {@code value} to {@code path} as {@code torch.save(value, path)} would. */
    public static void save(Object value, Path path) throws IOException {
        write(value, path, 0xFFFFFFFFL);
    }

    /** As {@link #save}, with ZIP64 records from {@code zip64Threshold} bytes (tests use a small one). */
    static void write(Object value, Path path, long zip64Threshold) throws IOException {
        PthWriter w = new PthWriter();
        byte[] pkl;
        try {
            w.value(value, "");
            pkl = w.pickle.finish();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path, "cannot save: " + e.getMessage(), e);
        }
        List<StorageEntry> sorted = new ArrayList<>(w.storageOrder);
        sorted.sort((a, b) -> a.key.compareTo(b.key)); // torch writes data/<key> in string order
        AtomicFile.write(path, channel -> {
            ZipStoreWriter zip = new ZipStoreWriter(channel, zip64Threshold);
            zip.writeEntry(ARCHIVE + "/data.pkl", pkl);
            zip.writeEntry(ARCHIVE + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (StorageEntry e : sorted) {
                Storage s = e.storage;
                long bytes = (long) s.size() * s.dtype().itemSize();
                zip.writeEntry(ARCHIVE + "/data/" + e.key, bytes,
                        sink -> StorageBytes.write(s.backend().toArray(s), s.dtype(), 0, s.size(), sink));
            }
            zip.writeEntry(ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    private void value(Object v, String where) {
        if (++depth > MAX_DEPTH) {
            throw new IllegalArgumentException(at(where) + "nested deeper than " + MAX_DEPTH + " levels (or a cycle through a tuple)");
        }
        try {
            switch (v) {
                case null -> pickle.none();
                case Boolean b -> pickle.bool(b);
                case Integer i -> pickle.integer(i);
                case Long l -> pickle.integer(l);
                case Short s -> pickle.integer(s);
                case Byte b -> pickle.integer(b);
                case BigInteger b -> pickle.integer(b);
                case Double d -> pickle.floating(d);
                case Float f -> pickle.floating(f);
                case String s -> string(s, where);
                case Tensor t -> tensor(t);
                case PyTuple t -> tuple(t, where);
                case List<?> l -> list(l, where);
                case StateDict sd -> stateDict(sd, where);
                case PyOrderedDict od -> dict(od, true, od.attributes(), where);
                case Map<?, ?> m -> dict(m, isStateDictLike(m), Map.of(), where);
                case PyGlobal g -> pickle.global(g);
                case DType d -> pickle.global(new PyGlobal("torch", d.pyName()));
                case byte[] b -> bytes(b);
                case Set<?> s -> set(s, where);
                case PyObject o -> object(o, where);
                case PickledModule m -> module(m, where);
                case TensorRef r -> throw new IllegalArgumentException(at(where) + r
                        + " is a tensor not read yet: load the checkpoint fully before saving it");
                case Module m -> throw new IllegalArgumentException(at(where) + "a " + m.getClass().getSimpleName()
                        + " module cannot be pickled as PyTorch would (its Python class is unknown): save module.stateDict()");
                default -> throw new IllegalArgumentException(at(where) + "a " + v.getClass().getName()
                        + " is not a value torch.load can read (use Map, List, PyTuple, String, numbers, Boolean, null or Tensor)");
            }
        } finally {
            depth--;
        }
    }

    private void string(String s, String where) {
        try {
            pickle.string(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at(where) + e.getMessage(), e);
        }
    }

    private void tensor(Tensor t) {
        if (pickle.getIfMemoized(t)) return;
        Storage s = storage(t);
        StorageEntry entry = storages.get(s);
        if (entry == null) {
            entry = new StorageEntry(Integer.toString(storageOrder.size()), s);
            storages.put(s, entry);
            storageOrder.add(entry);
        }
        DType dtype = s.dtype();
        pickle.global(PyGlobal.REBUILD_TENSOR_V2);
        pickle.op(PickleWriter.MARK);
        // persistent id: ('storage', torch.FloatStorage, key, location, numel)
        pickle.op(PickleWriter.MARK);
        pickle.string("storage");
        pickle.global(new PyGlobal("torch", dtype.legacyName() + "Storage"));
        pickle.string(entry.key);
        pickle.string("cpu");
        pickle.integer(s.size());
        pickle.op(PickleWriter.TUPLE);
        pickle.op(PickleWriter.BINPERSID);
        pickle.integer(t.storageOffset());
        intTuple(t.shape());
        intTuple(t.stride());
        pickle.bool(t.requiresGrad());
        // backward_hooks: an empty OrderedDict
        pickle.global(ORDERED_DICT);
        pickle.op(PickleWriter.EMPTY_TUPLE);
        pickle.op(PickleWriter.REDUCE);
        pickle.memoizeAnonymous();
        pickle.op(PickleWriter.TUPLE);
        pickle.op(PickleWriter.REDUCE);
        pickle.memoize(t);
    }

    private void intTuple(int[] values) {
        if (values.length > 3) pickle.op(PickleWriter.MARK);
        for (int v : values) pickle.integer(v);
        pickle.tupleOf(values.length);
    }

    private void tuple(PyTuple t, String where) {
        if (pickle.getIfMemoized(t)) return;
        int n = t.size();
        if (n > 3) pickle.op(PickleWriter.MARK);
        for (int i = 0; i < n; i++) value(t.get(i), join(where, i));
        pickle.tupleOf(n);
        pickle.memoize(t);
    }

    private void list(List<?> l, String where) {
        if (pickle.getIfMemoized(l)) return;
        pickle.op(PickleWriter.EMPTY_LIST);
        pickle.memoize(l);
        appends(l, where);
    }

    private void appends(List<?> items, String where) {
        for (int start = 0; start < items.size(); start += PickleWriter.BATCH) {
            pickle.op(PickleWriter.MARK);
            int end = Math.min(items.size(), start + PickleWriter.BATCH);
            for (int i = start; i < end; i++) value(items.get(i), join(where, i));
            pickle.op(PickleWriter.APPENDS);
        }
    }

    private void stateDict(StateDict sd, String where) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (!sd.metadata().isEmpty()) attributes.put("_metadata", new PyOrderedDict(sd.metadata()));
        dict(sd, true, attributes, where);
    }

    private void dict(Map<?, ?> m, boolean ordered, Map<String, Object> attributes, String where) {
        if (pickle.getIfMemoized(m)) return;
        if (ordered) {
            pickle.global(ORDERED_DICT);
            pickle.op(PickleWriter.EMPTY_TUPLE);
            pickle.op(PickleWriter.REDUCE);
        } else {
            pickle.op(PickleWriter.EMPTY_DICT);
        }
        pickle.memoize(m);
        setitems(m, where);
        if (!attributes.isEmpty()) {
            dict(new LinkedHashMap<>(attributes), false, Map.of(), where);
            pickle.op(PickleWriter.BUILD);
        }
    }

    private void setitems(Map<?, ?> m, String where) {
        List<? extends Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
        for (int start = 0; start < entries.size(); start += PickleWriter.BATCH) {
            pickle.op(PickleWriter.MARK);
            int end = Math.min(entries.size(), start + PickleWriter.BATCH);
            for (int i = start; i < end; i++) {
                Object key = entries.get(i).getKey();
                String child = join(where, key);
                if (key instanceof Tensor || key instanceof List<?> || key instanceof Map<?, ?>) {
                    throw new IllegalArgumentException(at(child) + "a dict key must be hashable in Python, not a "
                            + key.getClass().getSimpleName());
                }
                value(key, child);
                value(entries.get(i).getValue(), child);
            }
            pickle.op(PickleWriter.SETITEMS);
        }
    }

    /** {@code callable(*args)} (REDUCE) or {@code cls.__new__(cls, *args)} (NEWOBJ), then its items and state. */
    private void object(PyObject o, String where) {
        if (pickle.getIfMemoized(o)) return;
        if (!o.kwargs().isEmpty()) {
            throw new IllegalArgumentException(at(where) + o.callable() + " has keyword arguments, which pickle protocol 2 cannot express");
        }
        pickle.global(o.callable());
        value(new PyTuple(o.args()), where);
        pickle.op(o.kind() == PyObject.Kind.NEWOBJ ? PickleWriter.NEWOBJ : PickleWriter.REDUCE);
        pickle.memoize(o);
        if (!o.listItems().isEmpty()) appends(o.listItems(), where);
        if (!o.dictItems().isEmpty()) setitems(o.dictItems(), where);
        if (o.state() != null) {
            value(o.state(), where);
            pickle.op(PickleWriter.BUILD);
        }
    }

    /** A module as protocol 2 pickles it: {@code cls.__new__(cls)} then BUILD with its {@code __dict__}. */
    private void module(PickledModule m, String where) {
        if (pickle.getIfMemoized(m)) return;
        pickle.global(m.type());
        pickle.op(PickleWriter.EMPTY_TUPLE);
        pickle.op(PickleWriter.NEWOBJ);
        pickle.memoize(m);
        dict(new LinkedHashMap<>(m.attributes()), false, Map.of(), where);
        pickle.op(PickleWriter.BUILD);
    }

    /** Python 3 bytes as protocol 2 pickles them: {@code _codecs.encode(latin-1 text, 'latin1')}. */
    private void bytes(byte[] b) {
        pickle.global(CODECS_ENCODE);
        pickle.string(new String(b, StandardCharsets.ISO_8859_1));
        pickle.string("latin1");
        pickle.tupleOf(2);
        pickle.op(PickleWriter.REDUCE);
        pickle.memoizeAnonymous();
    }

    /** A set as protocol 2 pickles it: {@code set([items])}. */
    private void set(Set<?> s, String where) {
        if (pickle.getIfMemoized(s)) return;
        pickle.global(BUILTIN_SET);
        list(new ArrayList<>(s), where);
        pickle.tupleOf(1);
        pickle.op(PickleWriter.REDUCE);
        pickle.memoize(s);
    }

    /** A non-empty map of string keys to tensors: what {@code state_dict()} returns. */
    private static boolean isStateDictLike(Map<?, ?> m) {
        if (m.isEmpty()) return false;
        for (var e : m.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof Tensor)) return false;
        }
        return true;
    }

    private static String join(String where, Object key) {
        return where.isEmpty() ? String.valueOf(key) : where + "." + key;
    }

    private static String at(String where) {
        return where.isEmpty() ? "" : where + ": ";
    }
}
