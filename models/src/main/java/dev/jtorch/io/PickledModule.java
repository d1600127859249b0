package dev.jtorch.io;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code torch.nn.Module} from a whole pickled model ({@code torch.save(model)}), described and
 * never instantiated: its class name and its {@code __dict__} as the pickle stored it
 * ({@code _parameters}, {@code _buffers}, {@code _modules}, {@code training}, and settings such as
 * {@code in_features} or {@code kernel_size}). Read with {@link Checkpoints}; turn into a live
 * module with {@code dev.jtorch.models.PickledModelLoader} (see {@link ModuleRebuilder}).
 *
 * @param type       the class, e.g. {@code torch.nn.modules.linear.Linear} or {@code __main__.Net}
 * @param attributes the instance {@code __dict__}, in pickle order
 */
public record PickledModule(PyGlobal type, Map<String, Object> attributes) {

    /** {@code _parameters}: name → tensor (or null for a parameter set to None). */
    public Map<String, Object> parameters() { return stringMap(attributes.get("_parameters")); }

    /** {@code _buffers}: name → tensor (or null). */
    public Map<String, Object> buffers() { return stringMap(attributes.get("_buffers")); }

    /** {@code _modules}: child name → child (null for a child set to None). */
    public Map<String, PickledModule> children() {
        Map<String, PickledModule> out = new LinkedHashMap<>();
        for (var e : stringMap(attributes.get("_modules")).entrySet()) {
            out.put(e.getKey(), e.getValue() instanceof PickledModule m ? m : null);
        }
        return out;
    }

    /** {@code training}, default true when the pickle did not say. */
    public boolean training() { return !(attributes.get("training") instanceof Boolean b) || b; }

    /**
     * The plain settings of the module: attributes that do not start with {@code _} and are not
     * {@code training} ({@code in_features}, {@code stride}, {@code eps}, ...).
     */
    public Map<String, Object> settings() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : attributes.entrySet()) {
            if (!e.getKey().startsWith("_") && !e.getKey().equals("training")) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /**
     * The state dict {@code module.state_dict()} would return: parameters then persistent buffers
     * of each module, then its children, names joined with {@code .}. Values are {@link Tensor}s
     * after a full load, {@link TensorRef}s from {@link CheckpointFile#root()}.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        collect("", out, new LinkedHashSet<>());
        return out;
    }

    private void collect(String prefix, Map<String, Object> out, Set<PickledModule> path) {
        if (!path.add(this)) return; // a module that contains itself: stop rather than loop
        for (var e : parameters().entrySet()) {
            if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue());
        }
        Set<Object> nonPersistent = nonPersistentBuffers();
        for (var e : buffers().entrySet()) {
            if (e.getValue() != null && !nonPersistent.contains(e.getKey())) out.put(prefix + e.getKey(), e.getValue());
        }
        for (var e : children().entrySet()) {
            if (e.getValue() != null) e.getValue().collect(prefix + e.getKey() + ".", out, path);
        }
        path.remove(this);
    }

    private Set<Object> nonPersistentBuffers() {
        Object s = attributes.get("_non_persistent_buffers_set");
        return s instanceof Set<?> set ? new LinkedHashSet<>(set) : Set.of();
    }

    /**
     * The module tree as indented lines, {@code name: class} per module (root name empty), e.g.
     * {@code ": torch.nn.modules.container.Sequential"}, {@code "  0: torch.nn.modules.linear.Linear"}.
     */
    public List<String> tree() {
        List<String> out = new ArrayList<>();
        tree("", "", out, new LinkedHashSet<>());
        return out;
    }

    private void tree(String indent, String name, List<String> out, Set<PickledModule> path) {
        out.add(indent + name + ": " + type.fullName());
        if (!path.add(this)) return;
        for (var e : children().entrySet()) {
            if (e.getValue() == null) out.add(indent + "  " + e.getKey() + ": None");
            else e.getValue().tree(indent + "  ", e.getKey(), out, path);
        }
        path.remove(this);
    }

    /** Classes in the tree that are not from {@code torch.nn} or {@code torchvision}: a user's own models. */
    public Set<String> unknownClasses() {
        Set<String> out = new LinkedHashSet<>();
        unknown(out, new LinkedHashSet<>());
        return out;
    }

    private void unknown(Set<String> out, Set<PickledModule> path) {
        if (!path.add(this)) return;
        if (!Allowlist.isLibraryModuleClass(type)) out.add(type.fullName());
        for (PickledModule c : children().values()) if (c != null) c.unknown(out, path);
        path.remove(this);
    }

    private static Map<String, Object> stringMap(Object o) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    // Identity semantics: two modules with equal contents are still two modules.
    @Override
    public boolean equals(Object o) { return this == o; }

    @Override
    public int hashCode() { return System.identityHashCode(this); }

    @Override
    public String toString() { return "PickledModule[" + type.fullName() + "]"; }
}
