package dev.jtorch.data.transforms;

/**
 * A transform of torchvision's {@code transforms} module: a function from one sample
 * representation to another ({@code Image -> Image}, {@code Image -> Tensor},
 * {@code Tensor -> Tensor}). Chain them with {@link #then} or {@link Compose}.
 *
 * <p>Thread safety: the transforms of this package hold no mutable state (random ones draw from
 * {@link dev.jtorch.data.TransformGenerator#current()}), so one pipeline serves every
 * {@link dev.jtorch.data.DataLoader} worker.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface Transform<I, O> {
    O apply(I input);

    /** This transform followed by {@code next}, as a {@link Compose}. */
    default <R> Compose<I, R> then(Transform<? super O, ? extends R> next) {
        return Compose.of(this).then(next);
    }
}
