package dev.jtorch.io;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a loaded value graph, replacing values in place: {@code recognise} turns described
 * nn.Module objects into {@link PickledModule}s; {@code materialise} turns {@link TensorRef}s into
 * tensors. Shared values stay shared (an identity map remembers each replacement), cycles end,
 * and nesting deeper than the limit is a {@link CheckpointException}, never a stack overflow.
 */
final class ValueGraph {
    private final CheckpointFile cf;
    private final int maxDepth;
    private final boolean materialise;
    private final IdentityHashMap<Object, Object> done = new IdentityHashMap<>();

    ValueGraph(CheckpointFile cf, int maxDepth) {
        this(cf, maxDepth, false);
    }

    private ValueGraph(CheckpointFile cf, int maxDepth, boolean materialise) {
        this.cf = cf;
        this.maxDepth = maxDepth;
        this.materialise = materialise;
    }

    Object recognise(Object root) throws CheckpointException {
        return walk(root, 0);
    }

    Object materialise(Object root) throws CheckpointException {
        return new ValueGraph(cf, maxDepth, true).walk(root, 0);
    }

    @SuppressWarnings("unchecked")
    private Object walk(Object v, int depth) throws CheckpointException {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof byte[]) {
            return v;
        }
        Object seen = done.get(v);
        if (seen != null) return seen;
        if (depth > maxDepth) {
            throw new CheckpointException(cf.name(), null, -1, "values nested deeper than " + maxDepth);
        }
        if (v instanceof TensorRef r) {
            Object out = materialise ? cf.tensor(r) : r;
            done.put(v, out);
            return out;
        }
        if (v instanceof StorageRef s) {
            Object out = materialise ? storageTensor(s) : s;
            done.put(v, out);
            return out;
        }
        if (v instanceof List<?> l && v instanceof ArrayList<?>) {
            done.put(v, v);
            List<Object> list = (List<Object>) l;
            for (int i = 0; i < list.size(); i++) list.set(i, walk(list.get(i), depth + 1));
            return v;
        }
        if (v instanceof Map<?, ?> m) {
            done.put(v, v);
            for (Map.Entry<Object, Object> e : ((Map<Object, Object>) m).entrySet()) {
                e.setValue(walk(e.getValue(), depth + 1));
            }
            if (v instanceof PyOrderedDict d) {
                for (Map.Entry<String, Object> e : d.attributes().entrySet()) e.setValue(walk(e.getValue(), depth + 1));
            }
            return v;
        }
        if (v instanceof PyTuple t) {
            done.put(v, v);
            List<Object> items = new ArrayList<>(t.size());
            boolean changed = false;
            for (Object o : t.items()) {
                Object w = walk(o, depth + 1);
                changed |= w != o;
                items.add(w);
            }
            Object out = changed ? new PyTuple(items) : t;
            done.put(v, out);
            return out;
        }
        if (v instanceof PyObject o) {
            if (!materialise && isModule(o)) {
                PickledModule m = new PickledModule(o.callable(), new LinkedHashMap<>());
                done.put(v, m);
                for (var e : o.attributes().entrySet()) {
                    m.attributes().put(String.valueOf(e.getKey()), walk(e.getValue(), depth + 1));
                }
                return m;
            }
            done.put(v, v);
            o.replaceArgs(walkAll(o.args(), depth));
            o.setState(walk(o.state(), depth + 1));
            List<Object> items = o.listItems();
            for (int i = 0; i < items.size(); i++) items.set(i, walk(items.get(i), depth + 1));
            for (Map.Entry<Object, Object> e : o.dictItems().entrySet()) e.setValue(walk(e.getValue(), depth + 1));
            return v;
        }
        if (v instanceof PickledModule m) {
            done.put(v, v);
            for (Map.Entry<String, Object> e : m.attributes().entrySet()) e.setValue(walk(e.getValue(), depth + 1));
            return v;
        }
        // sets hold only hashable values (no tensors); enums, globals: leaves
        if (v instanceof Set<?>) done.put(v, v);
        return v;
    }

    private List<Object> walkAll(List<Object> items, int depth) throws CheckpointException {
        List<Object> out = new ArrayList<>(items.size());
        for (Object o : items) out.add(walk(o, depth + 1));
        return out;
    }

    /** A whole storage saved on its own ({@code torch.save(t.storage())}) reads as a 1-D tensor. */
    private Tensor storageTensor(StorageRef s) throws CheckpointException {
        if (s.numel() > Integer.MAX_VALUE - 16 || s.base() > Integer.MAX_VALUE) {
            throw new CheckpointException(cf.name(), s.key(), -1, "storage too large");
        }
        return cf.tensor(new TensorRef(s.key(), s.dtype(), s.base() + s.numel(), s.location(),
                new int[] {(int) s.numel()}, new int[] {1}, (int) s.base(), false, false));
    }

    /** An object whose state is an nn.Module {@code __dict__}. */
    static boolean isModule(PyObject o) {
        if (o.kind() != PyObject.Kind.NEWOBJ) return false;
        Map<Object, Object> a = o.attributes();
        return a.containsKey("_modules") && a.containsKey("_parameters");
    }
}
