package dev.jtorch.optim;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code torch.optim.Optimizer}: parameter groups, per-parameter state, {@code step()},
 * {@code zero_grad()} and a state dict with PyTorch's structure.
 *
 * <p>{@link #step()} runs under {@link Torch#noGrad()} and updates every parameter in place, so a
 * module's parameters keep their identity. A parameter whose {@code grad()} is null is skipped
 * entirely: no weight decay, no state, not a bit changed.
 *
 * <p>Differences from PyTorch 1.13, on purpose: {@link #zeroGrad()} sets grads to null (PyTorch
 * 2.0's default; 1.13 zeroed them); {@link #loadStateDict} also checks that every state tensor has
 * its parameter's shape and that every state entry belongs to a parameter, instead of failing (or
 * keeping an orphan entry) later. The options {@code foreach}, {@code capturable},
 * {@code differentiable} and {@code fused} are kept in the groups so that a state dict reads as
 * PyTorch's, but jtorch has one implementation and ignores them.
 */
public abstract class Optimizer {
    /** PyTorch's {@code required}: a default that each group must override (SGD's lr). */
    static final Object REQUIRED = new Object() {
        @Override
        public String toString() { return "<required parameter>"; }
    };

    private final Map<String, Object> defaults;
    private final List<ParamGroup> paramGroups = new ArrayList<>();
    /** Keyed by identity (Tensor does not override equals); insertion order is PyTorch's state order. */
    private final Map<Tensor, Map<String, Object>> state = new LinkedHashMap<>();

    /**
     * @param groups   the parameter groups (at least one)
     * @param defaults every option this optimizer reads, in PyTorch's order, with its default value
     */
    protected Optimizer(List<ParamGroup> groups, Map<String, Object> defaults) {
        this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        if (groups.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        for (ParamGroup g : groups) addParamGroup(g);
    }

    /** One group holding all of {@code params}; an empty list is refused as PyTorch refuses it. */
    protected static List<ParamGroup> singleGroup(Iterable<Tensor> params) {
        ParamGroup g = ParamGroup.of(params);
        if (g.params().isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        return List.of(g);
    }

    /**
     * Adds a group ({@code add_param_group}): options it does not set take the optimizer's
     * defaults. Useful to unfreeze layers during fine-tuning.
     */
    public void addParamGroup(ParamGroup group) {
        for (Tensor p : group.params()) {
            if (!p.isLeaf()) throw new IllegalArgumentException("can't optimize a non-leaf Tensor");
        }
        for (Map.Entry<String, Object> d : defaults.entrySet()) {
            if (d.getValue() == REQUIRED && !group.has(d.getKey())) {
                throw new IllegalArgumentException(
                        "parameter group didn't specify a value of required optimization parameter " + d.getKey());
            }
            group.options().putIfAbsent(d.getKey(), copyValue(d.getValue()));
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup g : paramGroups) seen.addAll(g.params());
        for (Tensor p : group.params()) {
            if (seen.contains(p)) throw new IllegalArgumentException("some parameters appear in more than one parameter group");
        }
        paramGroups.add(group);
    }

    /** The groups, live: a scheduler changes their lr. */
    public List<ParamGroup> paramGroups() { return Collections.unmodifiableList(paramGroups); }

    /** The defaults given to the constructor, in PyTorch's order. */
    public Map<String, Object> defaults() { return defaults; }

    /** The state of one parameter ({@code optimizer.state[p]}); empty before its first step. */
    public Map<String, Object> state(Tensor param) {
        Map<String, Object> s = state.get(param);
        return s == null ? Map.of() : Collections.unmodifiableMap(s);
    }

    // ---- stepping ----------------------------------------------------------------------------

    /** One optimization step over every parameter that has a grad. */
    public void step() {
        try (var g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups) {
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    update(group, p, grad, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                }
            }
        }
    }

    /**
     * {@code step(closure)}: re-evaluates the loss with grad enabled (the closure usually zeroes the
     * grads, runs the model and calls backward), then steps; returns the closure's loss.
     */
    public Tensor step(Supplier<Tensor> closure) {
        Tensor loss;
        try (var g = Torch.enableGrad()) {
            loss = closure.get();
        }
        step();
        return loss;
    }

    /**
     * Updates one parameter in place (called under no-grad, only when {@code grad} is non-null).
     * {@code state} is the parameter's own state map, empty on its first step.
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, Map<String, Object> state);

    /** Sets every parameter's grad to null. */
    public void zeroGrad() { zeroGrad(true); }

    /**
     * {@code zero_grad(set_to_none)}: with {@code false} the grads are detached and zeroed in place
     * instead (they keep their identity).
     */
    public void zeroGrad(boolean setToNone) {
        try (var g = Torch.noGrad()) {
            for (ParamGroup group : paramGroups) {
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    if (setToNone) {
                        p.setGrad(null);
                    } else {
                        if (grad.gradFn() != null) grad.detach_();
                        else grad.requiresGrad_(false);
                        grad.zero_();
                    }
                }
            }
        }
    }

    // ---- state dict --------------------------------------------------------------------------

    /**
     * {@code state_dict()}: {@code {"state": {index: {name: value}}, "param_groups": [{option: value,
     * ..., "params": [index, ...]}]}}, where parameters are numbered across groups in order. As in
     * PyTorch the state tensors are the live ones (a later step changes them); the maps and lists
     * are fresh copies.
     */
    public Map<String, Object> stateDict() {
        Map<Tensor, Integer> index = new IdentityHashMap<>();
        List<Object> groups = new ArrayList<>();
        int next = 0;
        for (ParamGroup g : paramGroups) {
            Map<String, Object> packed = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : g.options().entrySet()) packed.put(e.getKey(), copyValue(e.getValue()));
            List<Object> ids = new ArrayList<>();
            for (Tensor p : g.params()) {
                Integer id = index.get(p);
                if (id == null) {
                    id = next++;
                    index.put(p, id);
                }
                ids.add(id);
            }
            packed.put("params", ids);
            groups.add(packed);
        }
        Map<Object, Object> packedState = new LinkedHashMap<>();
        for (Map.Entry<Tensor, Map<String, Object>> e : state.entrySet()) {
            packedState.put(index.get(e.getKey()), new LinkedHashMap<>(e.getValue()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", packedState);
        out.put("param_groups", groups);
        return out;
    }

    /**
     * {@code load_state_dict()}: takes a copy of the saved state (tensors cloned, converted to
     * their parameter's dtype except {@code step}) and the saved groups' options; this optimizer's
     * parameters stay. Nothing changes unless the whole dict is valid.
     */
    public void loadStateDict(Map<String, ?> stateDict) {
        if (!(stateDict.get("param_groups") instanceof List<?> savedGroups)) {
            throw new IllegalArgumentException("state dict has no 'param_groups' list");
        }
        if (!(stateDict.get("state") instanceof Map<?, ?> savedState)) {
            throw new IllegalArgumentException("state dict has no 'state' dict");
        }
        if (savedGroups.size() != paramGroups.size()) {
            throw new IllegalArgumentException("loaded state dict has a different number of parameter groups");
        }
        List<Map<String, Object>> newOptions = new ArrayList<>();
        Map<Integer, Tensor> idMap = new LinkedHashMap<>();
        for (int gi = 0; gi < savedGroups.size(); gi++) {
            if (!(savedGroups.get(gi) instanceof Map<?, ?> saved) || !(saved.get("params") instanceof List<?> ids)) {
                throw new IllegalArgumentException("param_groups[" + gi + "] is not a dict with a 'params' list");
            }
            List<Tensor> params = paramGroups.get(gi).params();
            if (ids.size() != params.size()) {
                throw new IllegalArgumentException(
                        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
            }
            for (int i = 0; i < ids.size(); i++) idMap.put(asIndex(ids.get(i), "param_groups[" + gi + "].params"), params.get(i));
            Map<String, Object> options = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : saved.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("param_groups[" + gi + "] has a non-string key: " + e.getKey());
                }
                if (!key.equals("params")) options.put(key, copyValue(e.getValue()));
            }
            newOptions.add(options);
        }
        Map<Tensor, Map<String, Object>> newState = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : savedState.entrySet()) {
            int id = asIndex(e.getKey(), "state");
            Tensor p = idMap.get(id);
            if (p == null) throw new IllegalArgumentException("loaded state dict has state for parameter " + id
                    + ", which is in none of the parameter groups");
            if (!(e.getValue() instanceof Map<?, ?> entries)) {
                throw new IllegalArgumentException("state[" + id + "] is not a dict: " + e.getValue());
            }
            Map<String, Object> s = new LinkedHashMap<>();
            for (Map.Entry<?, ?> se : entries.entrySet()) {
                String key = String.valueOf(se.getKey());
                s.put(key, castState(p, id, key, se.getValue()));
            }
            newState.put(p, s);
        }
        for (int gi = 0; gi < paramGroups.size(); gi++) {
            Map<String, Object> options = paramGroups.get(gi).options();
            options.clear();
            options.putAll(newOptions.get(gi));
            // __setstate__'s setdefault: options saved by an older version take today's defaults.
            for (Map.Entry<String, Object> d : defaults.entrySet()) {
                if (d.getValue() != REQUIRED) options.putIfAbsent(d.getKey(), copyValue(d.getValue()));
            }
        }
        state.clear();
        state.putAll(newState);
    }

    private static int asIndex(Object o, String where) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short) {
            long v = ((Number) o).longValue();
            if (v >= 0 && v <= Integer.MAX_VALUE) return (int) v;
        }
        throw new IllegalArgumentException(where + ": parameter index must be a non-negative integer, got " + o);
    }

    private static Object castState(Tensor param, int id, String key, Object value) {
        if (value instanceof Tensor t) {
            Tensor c = t;
            if (!key.equals("step")) {
                if (!Arrays.equals(t.shape(), param.shape())) {
                    throw new IllegalArgumentException("state[" + id + "]." + key + ": expected " + Arrays.toString(param.shape())
                            + " (the parameter's shape), got " + Arrays.toString(t.shape()));
                }
                if (param.isFloatingPoint()) c = t.to(param.dtype());
            }
            try (var g = Torch.noGrad()) {
                return c == t ? t.clone() : c;
            }
        }
        return copyValue(value);
    }

    /** Lists and maps are copied (deeply); everything else is immutable or a tensor. */
    static Object copyValue(Object v) {
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>(l.size());
            for (Object o : l) c.add(copyValue(o));
            return c;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) c.put(e.getKey(), copyValue(e.getValue()));
            return c;
        }
        return v;
    }

    // ---- helpers for subclasses --------------------------------------------------------------

    /** The 1.13 validation, in its words: {@code Invalid learning rate: -1.0}. */
    static void checkNonNegative(double value, String what) {
        if (!(value >= 0.0)) throw new IllegalArgumentException("Invalid " + what + ": " + pyRepr(value));
    }

    /** Python's {@code repr(float)}: {@code 0.1}, {@code -1.0}, {@code 1e-08}, {@code inf}. */
    static String pyRepr(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        // Double.toString gives the shortest digits that round-trip, as Python's repr does.
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - d.scale();
        String sign = v < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = d.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** A tensor-valued state entry, or an error naming it (a state dict from another optimizer). */
    static Tensor tensorState(Map<String, Object> state, String key) {
        if (state.get(key) instanceof Tensor t) return t;
        throw new IllegalStateException("optimizer state has no tensor '" + key + "' (was a state dict of another "
                + "optimizer or other options loaded?)");
    }

    /** PyTorch's repr: class name, then each group's options sorted by name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append(" (");
        for (int i = 0; i < paramGroups.size(); i++) {
            sb.append("\nParameter Group ").append(i).append('\n');
            Map<String, Object> options = paramGroups.get(i).options();
            for (String key : new TreeSet<>(options.keySet())) {
                sb.append("    ").append(key).append(": ").append(options.get(key)).append('\n');
            }
        }
        return sb.append(')').toString();
    }
}
