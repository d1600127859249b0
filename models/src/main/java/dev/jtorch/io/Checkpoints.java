package dev.jtorch.io;

import dev.jtorch.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading what {@code torch.save} wrote, without Python and without running anything from the
 * file: the zip format (torch >= 1.6), the legacy format, and plain pickles.
 *
 * {@snippet :
 * StateDict weights = Checkpoints.loadStateDict(Path.of("resnet18.pth"));   // name -> tensor
 * Object ckpt = Checkpoints.load(Path.of("checkpoint.pth"));               // {'epoch': 3L, ...}
 * }
 *
 * <p>Values come back as: dict → {@code LinkedHashMap<Object, Object>} (keys are usually
 * Strings), OrderedDict → {@link PyOrderedDict} (a LinkedHashMap that also keeps attributes such
 * as {@code _metadata}), list → {@code ArrayList}, tuple → {@link PyTuple}, str → String, int →
 * Long (BigInteger beyond 64 bits), float → Double, bool → Boolean, None → null, bytes →
 * byte[], set → {@code LinkedHashSet}, tensor → {@link Tensor} (on the CPU, with the file's
 * dtype, shape, strides and storage offset; tensors that shared a storage share one here), an
 * {@code nn.Module} of a whole pickled model → {@link PickledModule}, a torch dtype →
 * {@link dev.jtorch.DType}, any other allowed object → {@link PyObject}.
 *
 * <p>Differences from {@code torch.load}: globals outside PyTorch's weights-only list are refused
 * unless allowed ({@link Unpickler.Options#allowGlobal}); nothing is ever called; user classes of
 * whole pickled models need {@link Unpickler.Options#describeModules} and come back described.
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Top-level keys under which training scripts commonly keep the model's state dict, in order of preference. */
    public static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model_state_dict", "model", "net",
            "model_state", "network", "module", "ema", "params", "weights");

    /**
     * Says whether a model file ({@code .pth/.pt/.pkl/.bin/.ckpt} or {@code .safetensors}) is safe
     * to load, without executing or materialising anything: {@link ScanReport.Verdict#SAFE} when
     * it names only PyTorch's weights-only globals, {@code NEEDS_TRUST} when it names other classes
     * that run no code (a whole pickled model), {@code DANGEROUS} when a global would run code in
     * Python ({@code os.system}, {@code builtins.eval}, ...), {@code UNREADABLE} when it cannot be
     * parsed. Never throws for a bad file: the report says what went wrong.
     */
    public static ScanReport scan(Path path) {
        return ModelFileScanner.scan(path);
    }

    /** Loads the whole file as Java values with its tensors read. */
    public static Object load(Path path) throws IOException {
        return load(path, new Unpickler.Options());
    }

    public static Object load(Path path, Unpickler.Options options) throws IOException {
        try (CheckpointFile f = CheckpointFile.open(path, options)) {
            return f.materialize(f.root());
        }
    }

    /**
     * Loads only the named top-level entries of a dict checkpoint (e.g. {@code "epoch"},
     * {@code "model_state_dict"}); storages used only by other entries are not read.
     */
    public static Map<Object, Object> load(Path path, Set<String> onlyKeys) throws IOException {
        try (CheckpointFile f = CheckpointFile.open(path)) {
            if (!(f.root() instanceof Map<?, ?> m)) {
                throw new CheckpointException(path, "the file holds a " + Values.typeName(f.root()) + ", not a dict");
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                if (onlyKeys.contains(String.valueOf(e.getKey()))) out.put(e.getKey(), f.materialize(e.getValue()));
            }
            return out;
        }
    }

    /** The state dict in the file (see {@link #findStateDict}), tensors read. */
    public static StateDict loadStateDict(Path path) throws IOException {
        return loadStateDict(path, null, new Unpickler.Options());
    }

    /**
     * The state dict in the file, reading only the tensors named in {@code onlyKeys} (null for
     * all): the others' storages are never copied.
     */
    public static StateDict loadStateDict(Path path, Set<String> onlyKeys) throws IOException {
        return loadStateDict(path, onlyKeys, new Unpickler.Options());
    }

    public static StateDict loadStateDict(Path path, Set<String> onlyKeys, Unpickler.Options options)
            throws IOException {
        try (CheckpointFile f = CheckpointFile.open(path, options)) {
            Found found = find(f.root());
            if (found == null) throw new CheckpointException(path, "no state dict found: " + describe(f.root()));
            StateDict out = new StateDict();
            for (var e : found.tensors.entrySet()) {
                if (onlyKeys == null || onlyKeys.contains(e.getKey())) out.put(e.getKey(), f.tensor(e.getValue()));
            }
            out.metadata().putAll(found.metadata);
            return out;
        }
    }

    /**
     * Finds the state dict inside a loaded value (with {@link TensorRef}s, as from
     * {@link CheckpointFile#root()}): a whole pickled model's state dict; the dict itself when
     * its values are tensors (nested dicts of tensors are flattened with {@code .}); else the
     * first of {@link #STATE_DICT_KEYS} that holds one. Returns null when there is none.
     */
    public static Map<String, TensorRef> findStateDict(Object root) {
        Found f = find(root);
        return f == null ? null : f.tensors;
    }

    private record Found(Map<String, TensorRef> tensors, Map<String, Map<String, Object>> metadata) {}

    private static Found find(Object root) {
        if (root instanceof PickledModule m) {
            Map<String, TensorRef> out = new LinkedHashMap<>();
            for (var e : m.stateDict().entrySet()) if (e.getValue() instanceof TensorRef r) out.put(e.getKey(), r);
            return new Found(out, Map.of());
        }
        if (!(root instanceof Map<?, ?> map)) return null;
        Map<String, TensorRef> flat = new LinkedHashMap<>();
        if (!map.isEmpty() && flatten("", map, flat, 0)) return new Found(flat, metadata(map));
        for (String key : STATE_DICT_KEYS) {
            Object v = map.get(key);
            Found f = v == null ? null : find(v);
            if (f != null && !f.tensors.isEmpty()) return f;
        }
        return null;
    }

    /** True when every leaf under {@code map} is a tensor (or None, which state dicts never hold). */
    private static boolean flatten(String prefix, Map<?, ?> map, Map<String, TensorRef> out, int depth) {
        if (depth > 64) return false;
        for (var e : map.entrySet()) {
            String k = prefix + e.getKey();
            if (e.getValue() instanceof TensorRef r) out.put(k, r);
            else if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty()) {
                if (!flatten(k + ".", m, out, depth + 1)) return false;
            } else return false;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> metadata(Map<?, ?> map) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (map instanceof PyOrderedDict d && d.attributes().get("_metadata") instanceof Map<?, ?> md) {
            for (var e : md.entrySet()) {
                Map<String, Object> v = new LinkedHashMap<>();
                if (e.getValue() instanceof Map<?, ?> inner) {
                    for (var i : inner.entrySet()) v.put(String.valueOf(i.getKey()), i.getValue());
                }
                out.put(String.valueOf(e.getKey()), v);
            }
        }
        return out;
    }

    private static String describe(Object root) {
        if (root instanceof Map<?, ?> m) {
            List<String> keys = new ArrayList<>();
            for (Object k : m.keySet()) if (keys.size() < 10) keys.add(String.valueOf(k));
            return "top-level keys are " + keys + (m.size() > 10 ? " ..." : "")
                    + "; use Checkpoints.load for the whole value";
        }
        return "the file holds a " + Values.typeName(root) + "; use Checkpoints.load";
    }
}
