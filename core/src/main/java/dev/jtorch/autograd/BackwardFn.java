package dev.jtorch.autograd;

import dev.jtorch.Tensor;

/** Gradients of an op's inputs (one entry per input, null where none is needed) from its output's gradient. */
@FunctionalInterface
public interface BackwardFn {
    Tensor[] apply(Tensor gradOutput);
}
