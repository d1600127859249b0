package dev.jtorch.io;

import dev.jtorch.DType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What GLOBAL, REDUCE, NEWOBJ and BUILD mean for the allowed globals. Known constructors are
 * recognised by name and turned into values (a tensor description, an OrderedDict, a set,
 * bytes); any other allowed call becomes a {@link PyObject} description. Nothing is called.
 */
final class GlobalCalls {
    /** Most dimensions a checkpoint tensor may have (PyTorch allows 64). */
    static final int MAX_DIMS = 64;

    private final Unpickler u;

    GlobalCalls(Unpickler u) { this.u = u; }

    /** A name pushed by GLOBAL/STACK_GLOBAL: allowed, or refused here with how to allow it. */
    Object global(String module, String name) throws CheckpointException {
        PyGlobal g = new PyGlobal(Allowlist.python3Module(module), name);
        if (DangerousGlobals.runsCode(g)) {
            // Refused before any opt-in is consulted: no option makes such a global data.
            throw u.error("global '" + g.fullName() + "' runs code when Python unpickles this file (the way malicious"
                    + " model files start commands); jtorch refuses it even with describeModules or allowGlobal."
                    + " Do not load this file in Python either; `jtorch scan` lists every such global in it");
        }
        DType dtype = Allowlist.dtype(g);
        if (dtype != null) return dtype;
        if (Allowlist.isKnown(g) || u.options.extraGlobals.contains(g)) return g;
        if (u.options.describeAnyClass) return new UncheckedClass(g);
        throw u.error("global '" + g.fullName() + "' is not allowed: jtorch never runs code from a checkpoint and"
                + " only resolves PyTorch's weights-only globals. If you trust this file and '" + g.fullName()
                + "' only names data, allow it with new Unpickler.Options().allowGlobal(\"" + g.module() + "\", \""
                + g.name() + "\") (it is then described, never called)"
                + (Character.isUpperCase(name.isEmpty() ? 'x' : name.charAt(0))
                        ? "; for a whole pickled model of your own class use Options.describeModules(true)" : ""));
    }

    /**
     * A class that reached the file only because {@link Unpickler.Options#describeModules} is on:
     * it may be instantiated as a description (NEWOBJ) but never called as a function (REDUCE).
     */
    record UncheckedClass(PyGlobal global) {}

    Object reduce(Object f, List<Object> args) throws CheckpointException {
        if (f instanceof UncheckedClass c) {
            throw u.error("call of '" + c.global().fullName() + "' refused: describeModules only allows classes to be"
                    + " described; allow the global explicitly with Options.allowGlobal(\"" + c.global().module()
                    + "\", \"" + c.global().name() + "\")");
        }
        if (!(f instanceof PyGlobal g)) throw u.error("REDUCE of a " + Values.typeName(f) + ", not a global");
        return switch (g.fullName()) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> rebuildTensor(args);
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.size() < 2) throw u.error(g.name() + " needs (data, requires_grad, ...)");
                yield parameter(args.get(0), args.get(1));
            }
            case "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type" -> {
                // (func, new_type, args, state): the tensor func builds, as a Parameter if new_type says so
                if (args.size() < 3) throw u.error(g.name() + " needs (func, type, args, ...)");
                Object inner = reduce(args.get(0), tupleOf(args.get(2)));
                if (args.get(1) instanceof PyGlobal t && t.fullName().equals("torch.nn.parameter.Parameter")
                        && inner instanceof TensorRef r) {
                    yield r.asParameter(r.requiresGrad());
                }
                yield inner;
            }
            case "collections.OrderedDict" -> {
                PyOrderedDict d = new PyOrderedDict();
                if (!args.isEmpty()) fillPairs(d, args.get(0));
                yield d;
            }
            case "collections.defaultdict" -> new LinkedHashMap<>();
            case "builtins.set" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty()) s.addAll(iterable(args.get(0)));
                yield s;
            }
            case "builtins.frozenset" -> {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty()) s.addAll(iterable(args.get(0)));
                yield Collections.unmodifiableSet(s);
            }
            case "builtins.bytearray" -> {
                if (args.isEmpty()) yield new byte[0];
                if (args.get(0) instanceof byte[] b) yield b;
                yield encode(args);
            }
            case "_codecs.encode" -> encode(args);
            case "torch.Size" -> {
                if (args.size() != 1) throw u.error("torch.Size takes one tuple");
                yield new PyTuple(tupleOf(args.get(0)));
            }
            case "torch.storage._load_from_bytes" -> {
                if (args.size() != 1 || !(args.get(0) instanceof byte[] b)) throw u.error("_load_from_bytes takes bytes");
                yield u.hostLoadFromBytes(b);
            }
            case "torch.serialization._get_layout" -> args.isEmpty() ? null : args.get(0);
            default -> {
                if (g.fullName().startsWith("builtins.")) throw u.error("call of '" + g.fullName() + "' is not allowed");
                yield new PyObject(g, PyObject.Kind.REDUCE, args, Map.of());
            }
        };
    }

    Object newObj(Object cls, List<Object> args, Map<String, Object> kwargs) throws CheckpointException {
        PyGlobal g;
        if (cls instanceof UncheckedClass c) g = c.global();
        else if (cls instanceof PyGlobal p) g = p;
        else throw u.error("NEWOBJ of a " + Values.typeName(cls) + ", not a class");
        switch (g.fullName()) {
            case "torch.nn.parameter.Parameter" -> {
                if (args.isEmpty()) throw u.error("Parameter() without data is not supported");
                return parameter(args.get(0), args.size() > 1 ? args.get(1) : Boolean.TRUE);
            }
            case "collections.OrderedDict" -> { return new PyOrderedDict(); }
            case "builtins.set" -> { return new LinkedHashSet<>(); }
            default -> { return new PyObject(g, PyObject.Kind.NEWOBJ, args, kwargs); }
        }
    }

    @SuppressWarnings("unchecked")
    void build(Object inst, Object state) throws CheckpointException {
        if (inst instanceof PyObject o) {
            o.setState(state);
        } else if (inst instanceof PyOrderedDict d) {
            Object dict = state instanceof PyTuple t && t.size() == 2 ? t.get(0) : state;
            if (dict instanceof Map<?, ?> m) {
                for (var e : m.entrySet()) d.attributes().put(String.valueOf(e.getKey()), e.getValue());
            } else if (dict != null) {
                throw u.error("BUILD of an OrderedDict with a " + Values.typeName(dict));
            }
        } else if (inst instanceof TensorRef) {
            // Tensor/Parameter __setstate__ with extra Python attributes: nothing jtorch keeps.
        } else if (inst instanceof Map<?, ?> m && !(inst instanceof PyOrderedDict) && state instanceof Map<?, ?> s
                && m.getClass() == LinkedHashMap.class && s.isEmpty()) {
            // a defaultdict with no instance attributes
        } else {
            throw u.error("can only build tensors, parameters, OrderedDicts and described objects, but got "
                    + Values.typeName(inst));
        }
    }

    // ---- tensors -------------------------------------------------------------------------------

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(List<Object> args) throws CheckpointException {
        if (args.size() < 4) throw u.error("_rebuild_tensor needs (storage, offset, size, stride, ...)");
        if (!(args.get(0) instanceof StorageRef s)) {
            throw u.error("tensor storage is a " + Values.typeName(args.get(0)) + ", not a storage");
        }
        long offset = integer(args.get(1), "storage offset");
        List<Object> size = tupleOf(args.get(2));
        List<Object> stride = tupleOf(args.get(3));
        boolean requiresGrad = args.size() > 4 && Boolean.TRUE.equals(args.get(4));
        if (size.size() != stride.size()) {
            throw u.error("size has " + size.size() + " dimensions but stride has " + stride.size());
        }
        if (size.size() > MAX_DIMS) throw u.error("tensor with " + size.size() + " dimensions");
        int[] shape = new int[size.size()];
        int[] strides = new int[size.size()];
        long numel = 1;
        long last = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                long d = integer(size.get(i), "size");
                long st = integer(stride.get(i), "stride");
                if (d < 0) throw u.error("negative size " + d + " in " + tupleText(size));
                if (st < 0) throw u.error("negative stride " + st + " in " + tupleText(stride));
                numel = Math.multiplyExact(numel, d);
                if (d > 0) last = Math.addExact(last, Math.multiplyExact(d - 1, st));
                shape[i] = (int) Math.min(d, Integer.MAX_VALUE);
                strides[i] = (int) Math.min(st, Integer.MAX_VALUE);
            }
        } catch (ArithmeticException e) {
            throw u.error("tensor size " + tupleText(size) + " with stride " + tupleText(stride) + " overflows");
        }
        if (offset < 0) throw u.error("negative storage offset " + offset);
        if (numel > 0 && last >= s.numel()) {
            throw u.error("tensor of size " + tupleText(size) + ", stride " + tupleText(stride) + " and offset "
                    + offset + " needs " + (last + 1) + " elements but its storage '" + s.key() + "' holds "
                    + s.numel());
        }
        if (numel > Integer.MAX_VALUE || offset > Integer.MAX_VALUE || last > Integer.MAX_VALUE) {
            throw u.error("tensor of size " + tupleText(size) + " is too large for jtorch (int32 element indexing)");
        }
        long at = offset + s.base();
        if (at > Integer.MAX_VALUE) throw u.error("storage offset " + at + " is too large for jtorch");
        return new TensorRef(s.key(), s.dtype(), s.base() + s.numel(), s.location(), shape, strides, (int) at,
                requiresGrad, false);
    }

    private TensorRef parameter(Object data, Object requiresGrad) throws CheckpointException {
        if (!(data instanceof TensorRef r)) throw u.error("Parameter data is a " + Values.typeName(data));
        return r.asParameter(!Boolean.FALSE.equals(requiresGrad));
    }

    private long integer(Object o, String what) throws CheckpointException {
        if (o instanceof Long l) return l;
        if (o instanceof Boolean b) return b ? 1 : 0;
        if (o instanceof java.math.BigInteger) throw u.error(what + " " + o + " is out of range");
        throw u.error(what + " is a " + Values.typeName(o) + ", not an int");
    }

    private List<Object> tupleOf(Object o) throws CheckpointException {
        if (o instanceof PyTuple t) return t.items();
        if (o instanceof List<?> l) return new ArrayList<>(l);
        throw u.error("expected a tuple, got " + Values.typeName(o));
    }

    private static String tupleText(List<Object> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) sb.append(i > 0 ? ", " : "").append(items.get(i));
        return sb.append("]").toString();
    }

    // ---- plain values --------------------------------------------------------------------------

    private byte[] encode(List<Object> args) throws CheckpointException {
        if (args.isEmpty() || !(args.get(0) instanceof String s)) throw u.error("_codecs.encode takes a str");
        String enc = args.size() > 1 && args.get(1) instanceof String e ? e.toLowerCase() : "utf-8";
        return switch (enc) {
            case "latin1", "latin-1", "iso-8859-1" -> {
                byte[] b = new byte[s.length()];
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c > 0xff) throw u.error("_codecs.encode: character outside latin-1");
                    b[i] = (byte) c;
                }
                yield b;
            }
            case "utf-8", "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            case "ascii" -> s.getBytes(StandardCharsets.US_ASCII);
            default -> throw u.error("_codecs.encode with encoding '" + enc + "' is not supported");
        };
    }

    private Collection<Object> iterable(Object o) throws CheckpointException {
        if (o instanceof PyTuple t) return t.items();
        if (o instanceof List<?> l) return new ArrayList<>(l);
        if (o instanceof Set<?> s) return new ArrayList<>(s);
        throw u.error("expected a list or tuple, got " + Values.typeName(o));
    }

    private void fillPairs(PyOrderedDict d, Object items) throws CheckpointException {
        for (Object pair : iterable(items)) {
            List<Object> kv = tupleOf(pair);
            if (kv.size() != 2) throw u.error("OrderedDict item is not a pair");
            String why = Values.unhashableReason(kv.get(0), 10_000);
            if (why != null) throw u.error(why);
            d.put(kv.get(0), kv.get(1));
        }
    }
}
