package dev.jtorch.data;

import dev.jtorch.Generator;
import dev.jtorch.Torch;

import java.util.function.Supplier;

/**
 * The generator random transforms draw from ({@code RandomHorizontalFlip} and the like).
 *
 * <p>Inside a {@link DataLoader}, each batch is loaded under a generator of its own, seeded from
 * the loader's per-epoch base seed and the batch index; so an epoch draws the same flips whether
 * it runs with 0 workers or 8, in whatever order the workers pick batches up. (PyTorch seeds each
 * worker process once with {@code base_seed + worker_id}, which makes results depend on the number
 * of workers; per-batch seeding removes that.) Outside a loader it is the global generator
 * ({@link Torch#defaultGenerator()}), as torchvision's transforms use the global torch RNG.
 */
public final class TransformGenerator {
    private static final ThreadLocal<Generator> CURRENT = new ThreadLocal<>();

    private TransformGenerator() {}

    /** The generator of the batch being loaded on this thread, or the global one. */
    public static Generator current() {
        Generator g = CURRENT.get();
        return g != null ? g : Torch.defaultGenerator();
    }

    /** Runs {@code body} with {@code generator} as this thread's current one. */
    static <R> R with(Generator generator, Supplier<R> body) {
        Generator previous = CURRENT.get();
        CURRENT.set(generator);
        try {
            return body.get();
        } finally {
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        }
    }

    /** The seed of batch {@code batch} in an epoch whose base seed is {@code baseSeed} (a SplitMix64 step). */
    static long batchSeed(long baseSeed, int batch) {
        long z = baseSeed + 0x9E3779B97F4A7C15L * (batch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
