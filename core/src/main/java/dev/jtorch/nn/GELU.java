package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.GELU(approximate='none')}: x * Phi(x) exactly (erf), or its tanh approximation with "tanh". */
public class GELU extends Module {
    public final String approximate;

    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("approximate argument must be either none or tanh.");
        }
        this.approximate = approximate;
    }

    public GELU() { this("none"); }

    @Override
    public Tensor forward(Tensor input) { return F.gelu(input, approximate); }

    @Override
    public String extraRepr() { return "approximate='" + approximate + "'"; }
}
