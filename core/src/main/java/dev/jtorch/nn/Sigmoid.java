package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Sigmoid()}: 1 / (1 + exp(-x)). */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) { return input.sigmoid(); }
}
