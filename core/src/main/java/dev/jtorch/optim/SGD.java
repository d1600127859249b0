package dev.jtorch.optim;

import dev.jtorch.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD}: stochastic gradient descent with optional momentum, dampening,
 * Nesterov momentum and L2 weight decay, as PyTorch 1.13 computes it:
 * <pre>
 * g = grad (negated if maximize) + weight_decay * p
 * buf = g on the first step, else momentum * buf + (1 - dampening) * g
 * g = nesterov ? g + momentum * buf : buf          (when momentum != 0)
 * p -= lr * g
 * </pre>
 * {@snippet :
 * var opt = new SGD(model.parameters(), 0.1);
 * var opt2 = SGD.builder(model.parameters()).lr(0.1).momentum(0.9).weightDecay(5e-4).nesterov(true).build();
 * }
 * State per parameter: {@code momentum_buffer} (a tensor, or null while momentum is 0).
 */
public final class SGD extends Optimizer {

    /** Plain SGD with learning rate {@code lr}. */
    public SGD(Iterable<Tensor> params, double lr) {
        this(singleGroup(params), builderDefaults(lr));
    }

    private SGD(List<ParamGroup> groups, Map<String, Object> defaults) {
        super(groups, defaults);
    }

    private static Map<String, Object> builderDefaults(double lr) {
        return new Builder(List.of()).lr(lr).defaults();
    }

    public static Builder builder(Iterable<Tensor> params) { return new Builder(singleGroup(params)); }

    /** Several groups; options a group does not set come from the builder. */
    public static Builder builder(ParamGroup... groups) { return new Builder(List.of(groups)); }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, Map<String, Object> state) {
        double lr = group.lr();
        double momentum = group.getDouble("momentum");
        double dampening = group.getDouble("dampening");
        double weightDecay = group.getDouble("weight_decay");
        boolean nesterov = group.getBoolean("nesterov");
        Tensor d = group.getBoolean("maximize") ? grad.neg() : grad;
        if (weightDecay != 0) d = d.add(p, weightDecay);
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer") instanceof Tensor t ? t : null;
            if (buf == null) {
                buf = d.clone();
                state.put("momentum_buffer", buf);
            } else {
                buf.mul_(momentum).add_(d, 1 - dampening);
            }
            d = nesterov ? d.add(buf, momentum) : buf;
        } else {
            state.putIfAbsent("momentum_buffer", null);
        }
        p.add_(d, -lr);
    }

    /** Options of {@link SGD}, with PyTorch's defaults (lr has none and must be set). */
    public static final class Builder {
        private final List<ParamGroup> groups;
        private Double lr;
        private double momentum = 0, dampening = 0, weightDecay = 0;
        private boolean nesterov = false, maximize = false;

        private Builder(List<ParamGroup> groups) { this.groups = groups; }

        public Builder lr(double v) { lr = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder dampening(double v) { dampening = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder nesterov(boolean v) { nesterov = v; return this; }
        public Builder maximize(boolean v) { maximize = v; return this; }

        private Map<String, Object> defaults() {
            if (lr != null && lr < 0.0) throw new IllegalArgumentException("Invalid learning rate: " + pyRepr(lr));
            if (momentum < 0.0) throw new IllegalArgumentException("Invalid momentum value: " + pyRepr(momentum));
            if (weightDecay < 0.0) throw new IllegalArgumentException("Invalid weight_decay value: " + pyRepr(weightDecay));
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("lr", lr == null ? REQUIRED : lr);
            d.put("momentum", momentum);
            d.put("dampening", dampening);
            d.put("weight_decay", weightDecay);
            d.put("nesterov", nesterov);
            d.put("maximize", maximize);
            d.put("foreach", null);
            d.put("differentiable", false);
            return d;
        }

        public SGD build() {
            Map<String, Object> d = defaults();
            if (groups.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
            return new SGD(groups, d);
        }
    }
}
