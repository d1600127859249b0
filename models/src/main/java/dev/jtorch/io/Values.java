package dev.jtorch.io;

import dev.jtorch.Tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Small helpers over pickle values: Python-like printing and the hashability rule for dict keys. */
final class Values {
    private Values() {}

    /** A short Python-like rendering, for messages (long strings and containers are cut). */
    static String repr(Object v) {
        if (v == null) return "None";
        if (v instanceof String s) return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof byte[] b) return "b<" + b.length + " bytes>";
        if (v instanceof Tensor t) return "tensor(" + t.dtype().pyName() + Arrays.toString(t.shape()) + ")";
        if (v instanceof Map<?, ?> m) return "{<" + m.size() + " items>}";
        if (v instanceof Collection<?> c) return "[<" + c.size() + " items>]";
        if (v instanceof PyTuple t) return "(<" + t.size() + " items>)";
        return String.valueOf(v);
    }

    /** Python's type name of a value, for messages. */
    static String typeName(Object v) {
        if (v == null) return "NoneType";
        if (v instanceof String) return "str";
        if (v instanceof Long || v instanceof java.math.BigInteger) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof Boolean) return "bool";
        if (v instanceof byte[]) return "bytes";
        if (v instanceof PyOrderedDict) return "OrderedDict";
        if (v instanceof Map<?, ?>) return "dict";
        if (v instanceof java.util.List<?>) return "list";
        if (v instanceof java.util.Set<?>) return "set";
        if (v instanceof PyTuple) return "tuple";
        if (v instanceof PyGlobal g) return g.fullName();
        if (v instanceof PyObject o) return o.callable().fullName() + " object";
        if (v instanceof TensorRef || v instanceof Tensor) return "Tensor";
        if (v instanceof StorageRef) return "Storage";
        return v.getClass().getSimpleName();
    }

    /**
     * Null when {@code key} may be a dict key or set member, else why not. Mutable containers are
     * unhashable, as in Python; tuples are walked without recursion and with a node budget, so a
     * hostile key can neither recurse deeply nor loop.
     */
    static String unhashableReason(Object key, int budget) {
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(key);
        int seen = 0;
        while (!todo.isEmpty()) {
            Object v = todo.pop();
            if (++seen > budget) return "key too large (more than " + budget + " parts)";
            if (v instanceof Map<?, ?> || v instanceof java.util.List<?> || v instanceof java.util.Set<?>
                    || v instanceof PyObject || v instanceof TensorRef || v instanceof StorageRef) {
                return "unhashable type: '" + typeName(v) + "'";
            }
            if (v instanceof PyTuple t) for (Object o : t.items()) todo.push(o);
        }
        return null;
    }
}
