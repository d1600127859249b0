package dev.jtorch.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The description of an object a pickle builds by calling something (REDUCE, NEWOBJ, NEWOBJ_EX)
 * and then filling it (BUILD, APPEND(S), SETITEM(S)). Nothing is called: the reader records the
 * callable's name, the arguments and the state, and only afterwards recognises known shapes
 * (tensors, OrderedDicts, {@link PickledModule}s). An object is mutable only while its pickle is
 * being read (BUILD may arrive after other objects already refer to it).
 *
 * <p>Writers may build one to emit {@code callable(*args)} followed by BUILD of {@code state}.
 */
public final class PyObject {
    /** How the object was made: REDUCE is {@code f(*args)}, NEWOBJ is {@code cls.__new__(cls, *args)}. */
    public enum Kind { REDUCE, NEWOBJ }

    private final PyGlobal callable;
    private final Kind kind;
    private List<Object> args;
    private final Map<String, Object> kwargs;
    private Object state;
    private final List<Object> listItems = new ArrayList<>();
    private final Map<Object, Object> dictItems = new LinkedHashMap<>();

    public PyObject(PyGlobal callable, Kind kind, List<Object> args, Map<String, Object> kwargs) {
        this.callable = callable;
        this.kind = kind;
        this.args = nullSafe(args);
        this.kwargs = kwargs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    }

    private static List<Object> nullSafe(List<Object> args) {
        // List.copyOf refuses nulls; Python arguments may be None.
        return args == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(args));
    }

    public PyGlobal callable() { return callable; }

    public Kind kind() { return kind; }

    public List<Object> args() { return args; }

    public Map<String, Object> kwargs() { return kwargs; }

    /** Used by the reader when it replaces tensor descriptions inside the arguments. */
    void replaceArgs(List<Object> newArgs) { this.args = nullSafe(newArgs); }

    /** The BUILD argument (usually a dict of attributes, or a tuple (dict, slots)), or null. */
    public Object state() { return state; }

    public void setState(Object state) { this.state = state; }

    /** Items added by APPEND/APPENDS (list subclasses). */
    public List<Object> listItems() { return listItems; }

    /** Items added by SETITEM/SETITEMS (dict subclasses). */
    public Map<Object, Object> dictItems() { return dictItems; }

    /**
     * The instance attributes set by BUILD: the state itself when it is a dict, the first item of a
     * {@code (dict, slots)} tuple merged with the slots dict, else an empty map.
     */
    @SuppressWarnings("unchecked")
    public Map<Object, Object> attributes() {
        Map<Object, Object> out = new LinkedHashMap<>();
        if (state instanceof Map<?, ?> m) {
            out.putAll((Map<Object, Object>) m);
        } else if (state instanceof PyTuple t && t.size() == 2) {
            if (t.get(0) instanceof Map<?, ?> m) out.putAll((Map<Object, Object>) m);
            if (t.get(1) instanceof Map<?, ?> m) out.putAll((Map<Object, Object>) m);
        }
        return out;
    }

    @Override
    public String toString() {
        return callable.fullName() + "(" + args.size() + " args" + (state == null ? "" : ", state") + ")";
    }
}
