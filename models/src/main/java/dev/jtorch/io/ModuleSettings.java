package dev.jtorch.io;

import dev.jtorch.nn.IntOrTuple;

import java.util.Map;

/**
 * Typed reads of a pickled module's settings (its plain {@code __dict__} entries, see
 * {@link PickledModule#settings()}): Python ints arrive as Long, floats as Double, tuples as
 * {@link PyTuple}, None as null. Every failure names the setting and what was found.
 */
public final class ModuleSettings {
    private final Map<String, Object> values;

    public ModuleSettings(PickledModule description) { this.values = description.settings(); }

    /** Whether the setting is present (it may be None). */
    public boolean has(String key) { return values.containsKey(key); }

    /** The raw pickled value, or null. */
    public Object raw(String key) { return values.get(key); }

    /** A required int. */
    public int integer(String key) {
        Integer v = optInteger(key);
        if (v == null) throw missing(key, "an int");
        return v;
    }

    /** An int or None (also null when absent). */
    public Integer optInteger(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return l.intValue();
        throw wrong(key, "an int", v);
    }

    public int integer(String key, int fallback) {
        Integer v = optInteger(key);
        return v == null ? fallback : v;
    }

    /** An int or a tuple of ints, as the values ({@code 3} gives {@code [3]}). */
    public int[] ints(String key) {
        Object v = values.get(key);
        if (v == null) throw missing(key, "an int or a tuple of ints");
        if (v instanceof PyTuple t) {
            int[] out = new int[t.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(t.get(i) instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                    throw wrong(key, "a tuple of ints", v);
                }
                out[i] = l.intValue();
            }
            return out;
        }
        return new int[]{integer(key)};
    }

    /** An int or a tuple of ints, remembering which (PyTorch prints them differently). */
    public IntOrTuple intOrTuple(String key) {
        return values.get(key) instanceof PyTuple ? IntOrTuple.tuple(ints(key)) : IntOrTuple.of(integer(key));
    }

    /** An output size: an int, or a tuple whose entries may be None; null entries stay null. */
    public Integer[] sizeWithNones(String key) {
        Object v = values.get(key);
        if (v instanceof PyTuple t) {
            Integer[] out = new Integer[t.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = t.get(i);
                if (e == null) continue;
                if (!(e instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) throw wrong(key, "a tuple of ints or None", v);
                out[i] = l.intValue();
            }
            return out;
        }
        return new Integer[]{integer(key)};
    }

    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        throw wrong(key, "a bool", v);
    }

    /** A Python bool or None (null). */
    public Boolean optBool(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof Boolean) return (Boolean) v;
        throw wrong(key, "a bool or None", v);
    }

    /** A float (an int is taken as one, as Python would) or None (null). */
    public Double optNumber(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l.doubleValue();
        throw wrong(key, "a float", v);
    }

    public double number(String key, double fallback) {
        Double v = optNumber(key);
        return v == null ? fallback : v;
    }

    /** A float or a tuple of floats, or null for None. */
    public double[] optNumbers(String key) {
        Object v = values.get(key);
        if (v == null) return null;
        if (v instanceof PyTuple t) {
            double[] out = new double[t.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = t.get(i);
                if (e instanceof Double d) out[i] = d;
                else if (e instanceof Long l) out[i] = l;
                else throw wrong(key, "a tuple of floats", v);
            }
            return out;
        }
        return new double[]{optNumber(key)};
    }

    public String string(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof String s) return s;
        throw wrong(key, "a str", v);
    }

    private static IllegalArgumentException missing(String key, String what) {
        return new IllegalArgumentException("setting '" + key + "' is missing (expected " + what + ")");
    }

    private static IllegalArgumentException wrong(String key, String what, Object v) {
        return new IllegalArgumentException("setting '" + key + "' should be " + what + ", got " + Values.typeName(v)
                + " " + Values.repr(v));
    }
}
