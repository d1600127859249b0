package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Softmax(dim)}. */
public class Softmax extends Module {
    public final int dim;

    public Softmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor input) { return input.softmax(dim); }

    @Override
    public String extraRepr() { return "dim=" + dim; }
}
