package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * A criterion: {@code loss = criterion.forward(output, target)}, what PyTorch writes
 * {@code criterion(output, target)}. Every loss module implements it, so a training loop can take any.
 */
@FunctionalInterface
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
