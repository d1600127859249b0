package dev.jtorch.optim;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.RMSprop}, as PyTorch 1.13 computes it:
 * <pre>
 * g = grad (negated if maximize) + weight_decay * p
 * square_avg = alpha * square_avg + (1 - alpha) * g * g
 * avg = sqrt(square_avg - grad_avg^2) + eps   (centered: grad_avg = alpha * grad_avg + (1 - alpha) * g)
 * avg = sqrt(square_avg) + eps                (otherwise)
 * momentum > 0:  buf = momentum * buf + g / avg;  p -= lr * buf
 * else:          p -= lr * g / avg
 * </pre>
 * {@snippet :
 * var opt = new RMSprop(model.parameters());   // lr 0.01, alpha 0.99, eps 1e-8
 * var opt2 = RMSprop.builder(model.parameters()).lr(1e-3).momentum(0.9).centered(true).build();
 * }
 * State per parameter: {@code step} (an Integer, as in 1.13), {@code square_avg}, and
 * {@code momentum_buffer} / {@code grad_avg} when momentum / centered are on.
 */
public final class RMSprop extends Optimizer {

    /** RMSprop with PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8). */
    public RMSprop(Iterable<Tensor> params) { this(params, 1e-2); }

    public RMSprop(Iterable<Tensor> params, double lr) {
        this(singleGroup(params), new Builder(List.of()).lr(lr).defaults());
    }

    private RMSprop(List<ParamGroup> groups, Map<String, Object> defaults) {
        super(groups, defaults);
    }

    public static Builder builder(Iterable<Tensor> params) { return new Builder(singleGroup(params)); }

    /** Several groups; options a group does not set come from the builder. */
    public static Builder builder(ParamGroup... groups) { return new Builder(List.of(groups)); }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, Map<String, Object> state) {
        double lr = group.lr();
        double alpha = group.getDouble("alpha");
        double eps = group.getDouble("eps");
        double weightDecay = group.getDouble("weight_decay");
        double momentum = group.getDouble("momentum");
        boolean centered = group.getBoolean("centered");
        if (state.isEmpty()) {
            state.put("step", 0);
            state.put("square_avg", Torch.zerosLike(p));
            if (momentum > 0) state.put("momentum_buffer", Torch.zerosLike(p));
            if (centered) state.put("grad_avg", Torch.zerosLike(p));
        }
        Object step = state.get("step");
        int steps = step instanceof Tensor t ? (int) t.item() : step instanceof Number n ? n.intValue() : 0;
        state.put("step", steps + 1);

        Tensor g = group.getBoolean("maximize") ? grad.neg() : grad;
        if (weightDecay != 0) g = g.add(p, weightDecay);
        Tensor squareAvg = tensorState(state, "square_avg");
        squareAvg.mul_(alpha).add_(g.mul(1 - alpha).mul(g)); // addcmul_(g, g, value=1-alpha)
        Tensor avg;
        if (centered) {
            Tensor gradAvg = tensorState(state, "grad_avg");
            gradAvg.mul_(alpha).add_(g, 1 - alpha);
            avg = squareAvg.add(gradAvg.mul(-1.0).mul(gradAvg)).sqrt(); // addcmul(ga, ga, value=-1).sqrt_()
        } else {
            avg = squareAvg.sqrt();
        }
        avg = avg.add(eps);
        if (momentum > 0) {
            Tensor buf = tensorState(state, "momentum_buffer");
            buf.mul_(momentum).add_(g.div(avg)); // addcdiv_(g, avg)
            p.add_(buf, -lr);
        } else {
            p.add_(g.mul(-lr).div(avg)); // addcdiv_(g, avg, value=-lr)
        }
    }

    /** Options of {@link RMSprop}, with PyTorch's defaults. */
    public static final class Builder {
        private final List<ParamGroup> groups;
        private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0;
        private boolean centered = false, maximize = false;

        private Builder(List<ParamGroup> groups) { this.groups = groups; }

        public Builder lr(double v) { lr = v; return this; }
        public Builder alpha(double v) { alpha = v; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder centered(boolean v) { centered = v; return this; }
        public Builder maximize(boolean v) { maximize = v; return this; }

        private Map<String, Object> defaults() {
            checkNonNegative(lr, "learning rate");
            checkNonNegative(eps, "epsilon value");
            checkNonNegative(momentum, "momentum value");
            checkNonNegative(weightDecay, "weight_decay value");
            checkNonNegative(alpha, "alpha value");
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("lr", lr);
            d.put("momentum", momentum);
            d.put("alpha", alpha);
            d.put("eps", eps);
            d.put("centered", centered);
            d.put("weight_decay", weightDecay);
            d.put("foreach", null);
            d.put("maximize", maximize);
            d.put("differentiable", false);
            return d;
        }

        public RMSprop build() {
            Map<String, Object> d = defaults();
            return new RMSprop(Adam.nonEmpty(groups), d);
        }
    }
}
