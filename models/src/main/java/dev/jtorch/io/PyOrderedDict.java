package dev.jtorch.io;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code collections.OrderedDict}. It is a {@link LinkedHashMap} (a plain dict reads as a plain
 * {@code LinkedHashMap}; telling the two apart lets a writer emit the same type back) and it
 * keeps the instance attributes a pickle set on it with BUILD. PyTorch's {@code state_dict()}
 * sets one: {@code _metadata}, an OrderedDict from module prefix ({@code ""}, {@code "fc"},
 * {@code "layer1.0.bn1"}) to a dict such as {@code {"version": 1}}. Keys may be any pickle value
 * (strings in state dicts, ints in optimizer states).
 */
public final class PyOrderedDict extends LinkedHashMap<Object, Object> {
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    public PyOrderedDict() {}

    public PyOrderedDict(Map<?, ?> items) { super(items); }

    /** Attributes set on the dict object itself (e.g. {@code _metadata}); mutable. */
    public Map<String, Object> attributes() { return attributes; }

    @Override
    public boolean equals(Object o) {
        return super.equals(o); // attributes are not part of dict equality, as in Python
    }

    @Override
    public int hashCode() { return super.hashCode(); }
}
