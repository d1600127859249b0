package dev.jtorch;

import java.util.random.RandomGenerator;

/**
 * A seedable source of random numbers ({@code torch.Generator}). The streams are jtorch's own:
 * the same seed gives the same numbers in every jtorch run, but not PyTorch's numbers.
 */
public final class Generator {
    private SplitMix random;
    private long seed;

    public Generator(long seed) { manualSeed(seed); }

    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.random = new SplitMix(seed);
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

    /** Draws {@link #fillUniform} would take for {@code n} values. */
    public static long uniformDraws(long n) { return n; }

    /** Draws {@link #fillNormal} would take for {@code n} values: two per pair, the last pair's too. */
    public static long normalDraws(long n) { return n + (n & 1); }

    /**
     * Moves the stream on by {@code draws} numbers in constant time, leaving it where drawing them
     * would have: an initialiser whose values are overwritten anyway (see
     * {@code Init.forOverwrite}) skips them this way, and what is drawn after it is unchanged.
     */
    public synchronized void skip(long draws) {
        if (draws < 0) throw new IllegalArgumentException("draws must be >= 0, got " + draws);
        random.skip(draws);
    }

    /**
     * {@link java.util.SplittableRandom}'s stream (SplitMix64 with the golden gamma), which this
     * class used before and whose numbers it keeps; its own because SplittableRandom cannot jump
     * ahead. nextDouble and bounded nextLong are RandomGenerator's defaults, as in
     * SplittableRandom, so they consume the same numbers.
     */
    private static final class SplitMix implements RandomGenerator {
        private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
        private long state;

        SplitMix(long seed) { this.state = seed; }

        @Override
        public long nextLong() {
            long z = state += GOLDEN_GAMMA;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        /** Each draw adds the gamma once (wrapping), so n draws add n times it. */
        void skip(long draws) { state += draws * GOLDEN_GAMMA; }
    }
}
