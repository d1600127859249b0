package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

/** {@code nn.Linear(in_features, out_features, bias=True)}: y = x W^T + b. */
public class Linear extends Module {
    public final int inFeatures, outFeatures;

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Tensor w = registerParameter("weight", Torch.empty(outFeatures, inFeatures));
        Tensor b = registerParameter("bias", bias ? Torch.empty(outFeatures) : null);
        Init.defaultLinearInit(w, b);
    }

    public Linear(int inFeatures, int outFeatures) { this(inFeatures, outFeatures, true); }

    @Override
    public Tensor forward(Tensor input) { return F.linear(input, parameter("weight"), parameter("bias")); }

    @Override
    public String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + py(parameter("bias") != null);
    }
}
