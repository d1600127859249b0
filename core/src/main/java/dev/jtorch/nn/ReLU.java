package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.ReLU(inplace=False)}. */
public class ReLU extends Module {
    public final boolean inplace;

    public ReLU(boolean inplace) { this.inplace = inplace; }

    public ReLU() { this(false); }

    @Override
    public Tensor forward(Tensor input) { return F.relu(input, inplace); }

    @Override
    public String extraRepr() { return inplace ? "inplace=True" : ""; }
}
