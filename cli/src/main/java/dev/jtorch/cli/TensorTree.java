package dev.jtorch.cli;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.io.PickledModule;
import dev.jtorch.io.PyTuple;
import dev.jtorch.io.TensorRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors inside a checkpoint value, named by their path with keys joined by {@code .}
 * ({@code model_state_dict.fc.weight}, {@code param_groups.0.params}): dict keys, list and tuple
 * indices, and a whole pickled model's state dict. Leaves that are not tensors are counted, not
 * listed. A value that is itself a tensor is named {@value #ROOT}.
 */
final class TensorTree {
    static final String ROOT = "<root>";

    /** One tensor: its {@link Tensor}, or null when only its description was read. */
    record Leaf(String name, DType dtype, int[] shape, Tensor tensor) {
        long numel() {
            long n = 1;
            for (int d : shape()) n *= d;
            return n;
        }
    }

    private final List<Leaf> leaves = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Map<Object, Boolean> visiting = new IdentityHashMap<>();

    private TensorTree() {}

    static TensorTree of(Object root) {
        TensorTree tree = new TensorTree();
        tree.walk(root, "");
        return tree;
    }

    List<Leaf> leaves() { return leaves; }

    /** Names of the non-tensor leaves (numbers, strings, None...), in order. */
    List<String> skipped() { return skipped; }

    /** The tensors by name; fails if two paths flatten to the same name. */
    Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Leaf l : leaves) {
            if (out.put(l.name, l.tensor) != null) {
                throw new IllegalArgumentException("two tensors are both named '" + l.name + "' once keys are joined with '.'");
            }
        }
        return out;
    }

    private void walk(Object v, String name) {
        switch (v) {
            case Tensor t -> leaves.add(new Leaf(name.isEmpty() ? ROOT : name, t.dtype(), t.shape(), t));
            case TensorRef r -> leaves.add(new Leaf(name.isEmpty() ? ROOT : name, r.dtype(), r.shape(), null));
            case Map<?, ?> m -> {
                if (enter(m)) {
                    for (var e : m.entrySet()) walk(e.getValue(), join(name, e.getKey()));
                    visiting.remove(m);
                }
            }
            case List<?> l -> {
                if (enter(l)) {
                    for (int i = 0; i < l.size(); i++) walk(l.get(i), join(name, i));
                    visiting.remove(l);
                }
            }
            case PyTuple t -> walk(t.items(), name);
            case PickledModule m -> walk(m.stateDict(), name);
            case null, default -> skipped.add(name.isEmpty() ? ROOT : name);
        }
    }

    /** False for a container already on the path (a cyclic value), which is then skipped. */
    private boolean enter(Object container) {
        return visiting.put(container, Boolean.TRUE) == null;
    }

    private static String join(String prefix, Object key) {
        return prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
    }

    /** {@code [64, 3, 7, 7]}; {@code []} for a 0-dim tensor. */
    static String shape(int[] shape) {
        return Arrays.toString(shape);
    }
}
