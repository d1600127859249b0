package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.ReLU6(inplace=False)}: min(max(x, 0), 6). */
public class ReLU6 extends Module {
    public final boolean inplace;

    public ReLU6(boolean inplace) { this.inplace = inplace; }

    public ReLU6() { this(false); }

    @Override
    public Tensor forward(Tensor input) { return F.relu6(input, inplace); }

    @Override
    public String extraRepr() { return inplace ? "inplace=True" : ""; }
}
