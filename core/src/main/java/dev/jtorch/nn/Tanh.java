package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Tanh()}. */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) { return input.tanh(); }
}
