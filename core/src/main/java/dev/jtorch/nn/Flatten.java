package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Flatten(start_dim=1, end_dim=-1)}. */
public class Flatten extends Module {
    public final int startDim, endDim;

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    public Flatten() { this(1, -1); }

    @Override
    public Tensor forward(Tensor input) { return input.flatten(startDim, endDim); }

    @Override
    public String extraRepr() { return "start_dim=" + startDim + ", end_dim=" + endDim; }
}
