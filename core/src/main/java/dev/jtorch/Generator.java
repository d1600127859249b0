package dev.jtorch;

import java.util.SplittableRandom;

/**
 * A seedable source of random numbers ({@code torch.Generator}). The streams are jtorch's own:
 * the same seed gives the same numbers in every jtorch run, but not PyTorch's numbers.
 */
public final class Generator {
    private SplittableRandom random;
    private long seed;

    public Generator(long seed) { manualSeed(seed); }

    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        return this;
    }

    public synchronized long initialSeed() { return seed; }

    /** Uniform in [0, 1). */
    public synchronized double nextDouble() { return random.nextDouble(); }

    /** Uniform in [low, high). */
    public synchronized long nextLong(long low, long high) { return random.nextLong(low, high); }

    /** Fills {@code out} with standard normal samples (Box–Muller, both values of each pair used). */
    public synchronized void fillNormal(double[] out) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - random.nextDouble(); // in (0, 1], so log(u1) is finite
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
        }
    }

    public synchronized void fillUniform(double[] out) {
        for (int i = 0; i < out.length; i++) out[i] = random.nextDouble();
    }
}
