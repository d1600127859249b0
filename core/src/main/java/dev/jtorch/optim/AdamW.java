package dev.jtorch.optim;

import dev.jtorch.Tensor;

import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW}: Adam with decoupled weight decay. Each step first shrinks the
 * parameter, {@code p *= 1 - lr * weight_decay}, then applies Adam's update with the raw gradient
 * (see {@link Adam} for the rest). Default weight decay is 1e-2.
 * {@snippet :
 * var opt = AdamW.builder(model.parameters()).lr(3e-4).weightDecay(0.05).build();
 * }
 * State per parameter: as {@link Adam}'s.
 */
public final class AdamW extends Optimizer {

    /** AdamW with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2). */
    public AdamW(Iterable<Tensor> params) { this(params, 1e-3); }

    public AdamW(Iterable<Tensor> params, double lr) {
        this(singleGroup(params), Adam.defaults(lr, 0.9, 0.999, 1e-8, 1e-2, false, false, true));
    }

    private AdamW(List<ParamGroup> groups, Map<String, Object> defaults) {
        super(groups, defaults);
    }

    public static Builder builder(Iterable<Tensor> params) { return new Builder(singleGroup(params)); }

    /** Several groups; options a group does not set come from the builder. */
    public static Builder builder(ParamGroup... groups) { return new Builder(List.of(groups)); }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, Map<String, Object> state) {
        Adam.adamUpdate(group, p, grad, state, true);
    }

    /** Options of {@link AdamW}, with PyTorch's defaults. */
    public static final class Builder {
        private final List<ParamGroup> groups;
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 1e-2;
        private boolean amsgrad = false, maximize = false;

        private Builder(List<ParamGroup> groups) { this.groups = groups; }

        public Builder lr(double v) { lr = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder amsgrad(boolean v) { amsgrad = v; return this; }
        public Builder maximize(boolean v) { maximize = v; return this; }

        public AdamW build() {
            Map<String, Object> d = Adam.defaults(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, true);
            return new AdamW(Adam.nonEmpty(groups), d);
        }
    }
}
