package dev.jtorch.optim;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code optimizer.param_groups}: a list of parameters and the options that apply to
 * them ({@code lr}, {@code momentum}, {@code weight_decay}, ...). Options not given here are filled
 * in from the optimizer's defaults when the group is added, as PyTorch's {@code add_param_group}
 * does, and the optimizer keeps this very object: changing {@link #setLr} later (what an LR
 * scheduler does) changes the next {@code step()}.
 * {@snippet :
 * var opt = SGD.builder(
 *         ParamGroup.of(backbone),                   // uses the builder's lr
 *         ParamGroup.of(head).with("lr", 1e-2))      // its own lr
 *     .lr(1e-3).momentum(0.9).build();
 * }
 * Option values are what PyTorch stores: {@link Double} (or any {@link Number}), {@link Boolean},
 * {@code null} for None, and {@link List} for tuples such as Adam's {@code betas}.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Object> options = new LinkedHashMap<>();

    private ParamGroup(List<Tensor> params) {
        this.params = Collections.unmodifiableList(params);
    }

    /** A group over these parameters (in this order), with no options of its own yet. */
    public static ParamGroup of(Iterable<Tensor> params) {
        List<Tensor> list = new ArrayList<>();
        for (Tensor p : params) {
            if (p == null) throw new IllegalArgumentException("optimizer can only optimize Tensors, but one of the params is null");
            list.add(p);
        }
        return new ParamGroup(list);
    }

    public static ParamGroup of(Tensor... params) { return of(List.of(params)); }

    /** Sets an option (returns this, for building a group in one expression). */
    public ParamGroup with(String option, Object value) {
        if (option.equals("params")) throw new IllegalArgumentException("'params' is not an option; pass the parameters to of()");
        options.put(option, value);
        return this;
    }

    /** The parameters, in order (unmodifiable). */
    public List<Tensor> params() { return params; }

    /** The options, live and in PyTorch's key order (the group's own keys first, then the defaults). */
    public Map<String, Object> options() { return options; }

    public boolean has(String option) { return options.containsKey(option); }

    /** The option's value; throws naming the option when the group has none. */
    public Object get(String option) {
        if (!options.containsKey(option)) throw new IllegalStateException("param group has no option '" + option + "'");
        return options.get(option);
    }

    public double getDouble(String option) {
        Object v = get(option);
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalStateException("param group option '" + option + "' is not a number: " + v);
    }

    public boolean getBoolean(String option) {
        Object v = get(option);
        if (v instanceof Boolean b) return b;
        throw new IllegalStateException("param group option '" + option + "' is not a bool: " + v);
    }

    /** A two-number option such as {@code betas}. */
    public double[] getPair(String option) {
        Object v = get(option);
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number a && l.get(1) instanceof Number b) {
            return new double[] {a.doubleValue(), b.doubleValue()};
        }
        throw new IllegalStateException("param group option '" + option + "' is not a pair of numbers: " + v);
    }

    public double lr() { return getDouble("lr"); }

    public void setLr(double lr) { options.put("lr", lr); }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + options + ")";
    }
}
