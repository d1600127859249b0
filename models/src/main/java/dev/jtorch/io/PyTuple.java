package dev.jtorch.io;

import java.util.Arrays;
import java.util.List;

/**
 * A Python tuple. Kept apart from {@code List} (a Python list) so that a value read from a
 * pickle writes back as the same type. Items may be null (Python {@code None}).
 */
public record PyTuple(List<Object> items) {

    public PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    public static PyTuple of(Object... items) {
        return new PyTuple(Arrays.asList(items));
    }

    public int size() { return items.size(); }

    public Object get(int i) { return items.get(i); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(Values.repr(items.get(i)));
        }
        return sb.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
