package dev.jtorch.io;

import dev.jtorch.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A state dict as read from a checkpoint: dotted name to tensor, in file order, plus the
 * {@code _metadata} PyTorch attached to it ({@link #metadata()}: module prefix to its settings,
 * e.g. {@code "bn1" -> {"version": 2}}; empty when the file had none). Tensors that shared a
 * storage in the file share one {@link dev.jtorch.backend.Storage} here.
 */
public final class StateDict extends LinkedHashMap<String, Tensor> {
    private final Map<String, Map<String, Object>> metadata = new LinkedHashMap<>();

    public StateDict() {}

    public StateDict(Map<String, Tensor> tensors) { super(tensors); }

    /** {@code state_dict._metadata}: module prefix → {@code {"version": n, ...}}; mutable. */
    public Map<String, Map<String, Object>> metadata() { return metadata; }

    /** A copy with {@code prefix} removed from every key that has it (e.g. {@code "module."} of DataParallel). */
    public StateDict withoutPrefix(String prefix) {
        StateDict out = new StateDict();
        for (var e : entrySet()) {
            String k = e.getKey();
            out.put(k.startsWith(prefix) ? k.substring(prefix.length()) : k, e.getValue());
        }
        for (var e : metadata.entrySet()) {
            String k = e.getKey();
            String stripped = k.equals(prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix) ? ""
                    : k.startsWith(prefix) ? k.substring(prefix.length()) : k;
            out.metadata.put(stripped, e.getValue());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) { return super.equals(o); }

    @Override
    public int hashCode() { return super.hashCode(); }
}
