package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.LogSoftmax(dim)}. */
public class LogSoftmax extends Module {
    public final int dim;

    public LogSoftmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor input) { return input.logSoftmax(dim); }

    @Override
    public String extraRepr() { return "dim=" + dim; }
}
