package dev.jtorch.data.transforms;

import dev.jtorch.Generator;
import dev.jtorch.data.Image;
import dev.jtorch.data.TransformGenerator;

/**
 * {@code transforms.RandomHorizontalFlip(p)}: mirrors the image left to right with probability
 * {@code p}, drawing one uniform number per image from {@link TransformGenerator#current()} (a
 * per-batch seeded generator inside a {@link dev.jtorch.data.DataLoader}), or from a generator
 * given here.
 */
public final class RandomHorizontalFlip implements Transform<Image, Image> {
    private final double p;
    private final Generator generator;

    public RandomHorizontalFlip() { this(0.5); }

    public RandomHorizontalFlip(double p) { this(p, null); }

    /** Draws from {@code generator} (null: the current transform generator). */
    public RandomHorizontalFlip(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Image apply(Image img) {
        Generator g = generator != null ? generator : TransformGenerator.current();
        return g.nextDouble() < p ? hflip(img) : img;
    }

    /** {@code F.hflip}. */
    public static Image hflip(Image img) {
        int w = img.width(), h = img.height(), ch = img.channels();
        byte[] src = img.pixels(), out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) System.arraycopy(src, (y * w + x) * ch, out, (y * w + (w - 1 - x)) * ch, ch);
        }
        return new Image(w, h, img.mode(), out);
    }

    @Override
    public String toString() { return "RandomHorizontalFlip(p=" + p + ")"; }
}
