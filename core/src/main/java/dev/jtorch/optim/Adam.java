package dev.jtorch.optim;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam}, as PyTorch 1.13's single-tensor path computes it (L2 weight decay is
 * added to the gradient; see {@link AdamW} for the decoupled form):
 * <pre>
 * step += 1;  g = grad (negated if maximize) + weight_decay * p
 * exp_avg = beta1 * exp_avg + (1 - beta1) * g;   exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
 * denom = sqrt(amsgrad ? max_exp_avg_sq : exp_avg_sq) / sqrt(1 - beta2^step) + eps
 * p -= lr / (1 - beta1^step) * exp_avg / denom
 * </pre>
 * {@snippet :
 * var opt = new Adam(model.parameters(), 1e-3);
 * var opt2 = Adam.builder(model.parameters()).lr(1e-3).betas(0.9, 0.98).amsgrad(true).build();
 * }
 * State per parameter: {@code step} (a 0-dim float32 tensor), {@code exp_avg}, {@code exp_avg_sq}
 * and, with amsgrad, {@code max_exp_avg_sq}.
 */
public final class Adam extends Optimizer {

    /** Adam with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8). */
    public Adam(Iterable<Tensor> params) { this(params, 1e-3); }

    public Adam(Iterable<Tensor> params, double lr) {
        this(singleGroup(params), defaults(lr, 0.9, 0.999, 1e-8, 0, false, false, false));
    }

    private Adam(List<ParamGroup> groups, Map<String, Object> defaults) {
        super(groups, defaults);
    }

    public static Builder builder(Iterable<Tensor> params) { return new Builder(singleGroup(params)); }

    /** Several groups; options a group does not set come from the builder. */
    public static Builder builder(ParamGroup... groups) { return new Builder(List.of(groups)); }

    @Override
    protected void update(ParamGroup group, Tensor p, Tensor grad, Map<String, Object> state) {
        adamUpdate(group, p, grad, state, false);
    }

    /** The shared Adam/AdamW step; {@code decoupled} selects AdamW's {@code p *= 1 - lr * wd}. */
    static void adamUpdate(ParamGroup group, Tensor p, Tensor grad, Map<String, Object> state, boolean decoupled) {
        double lr = group.lr();
        double[] betas = group.getPair("betas");
        double beta1 = betas[0], beta2 = betas[1];
        double eps = group.getDouble("eps");
        double weightDecay = group.getDouble("weight_decay");
        boolean amsgrad = group.getBoolean("amsgrad");
        Tensor g = group.getBoolean("maximize") ? grad.neg() : grad;
        if (state.isEmpty()) {
            state.put("step", Torch.scalarTensor(0, DType.FLOAT32));
            state.put("exp_avg", Torch.zerosLike(p));
            state.put("exp_avg_sq", Torch.zerosLike(p));
            if (amsgrad) state.put("max_exp_avg_sq", Torch.zerosLike(p));
        } else if (state.get("step") instanceof Number n) {
            // A state dict from before PyTorch 1.12 holds the step as a number (Adam.__setstate__).
            state.put("step", Torch.scalarTensor(n.doubleValue(), DType.FLOAT32));
        }
        Tensor stepT = tensorState(state, "step");
        Tensor expAvg = tensorState(state, "exp_avg");
        Tensor expAvgSq = tensorState(state, "exp_avg_sq");
        stepT.add_(1.0);
        if (decoupled) {
            p.mul_(1 - lr * weightDecay);
        } else if (weightDecay != 0) {
            g = g.add(p, weightDecay);
        }
        expAvg.mul_(beta1).add_(g, 1 - beta1);
        expAvgSq.mul_(beta2).add_(g.mul(1 - beta2).mul(g)); // addcmul_(g, g, value=1-beta2)
        double step = stepT.item();
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        Tensor second = expAvgSq;
        if (amsgrad) {
            Tensor maxSq = tensorState(state, "max_exp_avg_sq");
            maxSq.copy_(maxSq.maximum(expAvgSq));
            second = maxSq;
        }
        Tensor denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
        p.add_(expAvg.mul(-stepSize).div(denom)); // addcdiv_(exp_avg, denom, value=-step_size)
    }

    /** Validates Adam/AdamW options (PyTorch's messages) and lays them out in PyTorch's key order. */
    static Map<String, Object> defaults(double lr, double beta1, double beta2, double eps, double weightDecay,
                                        boolean amsgrad, boolean maximize, boolean decoupled) {
        checkNonNegative(lr, "learning rate");
        checkNonNegative(eps, "epsilon value");
        if (!(0.0 <= beta1 && beta1 < 1.0)) throw new IllegalArgumentException("Invalid beta parameter at index 0: " + pyRepr(beta1));
        if (!(0.0 <= beta2 && beta2 < 1.0)) throw new IllegalArgumentException("Invalid beta parameter at index 1: " + pyRepr(beta2));
        checkNonNegative(weightDecay, "weight_decay value");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", lr);
        d.put("betas", new ArrayList<>(List.of(beta1, beta2)));
        d.put("eps", eps);
        d.put("weight_decay", weightDecay);
        d.put("amsgrad", amsgrad);
        if (decoupled) { // AdamW's order of keys
            d.put("foreach", null);
            d.put("maximize", maximize);
            d.put("capturable", false);
        } else {
            d.put("maximize", maximize);
            d.put("foreach", null);
            d.put("capturable", false);
            d.put("differentiable", false);
            d.put("fused", false);
        }
        return d;
    }

    static List<ParamGroup> nonEmpty(List<ParamGroup> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        return groups;
    }

    /** Options of {@link Adam}, with PyTorch's defaults. */
    public static final class Builder {
        private final List<ParamGroup> groups;
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0;
        private boolean amsgrad = false, maximize = false;

        private Builder(List<ParamGroup> groups) { this.groups = groups; }

        public Builder lr(double v) { lr = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder amsgrad(boolean v) { amsgrad = v; return this; }
        public Builder maximize(boolean v) { maximize = v; return this; }

        public Adam build() {
            Map<String, Object> d = defaults(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, false);
            return new Adam(nonEmpty(groups), d);
        }
    }
}
