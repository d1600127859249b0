package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** {@code nn.Identity}: returns its input; the placeholder for a removed layer. */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor input) { return input; }
}
