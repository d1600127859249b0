package dev.jtorch.cli;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated image dataset for the demo: each class is a kind of pattern (stripes, checks,
 * rings, ...) drawn with random colours, scale, phase and noise, so only the shape tells classes
 * apart. Nothing is downloaded.
 */
record PatternImages(Tensor images, Tensor labels, List<Pattern> classes) {

    enum Pattern {
        HORIZONTAL_STRIPES, VERTICAL_STRIPES, DIAGONAL_STRIPES, CHECKS, RINGS, DOTS, WAVES, GRID,
        ANTI_DIAGONAL_STRIPES, DIAGONAL_GRID, SQUARES, SPOKES
    }

    /** {@code perClass} images of each pattern, {@code size} x {@code size} RGB, in shuffled order. */
    static PatternImages make(List<Pattern> classes, int perClass, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = perClass * classes.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[] pixels = new float[n * 3 * size * size];
        long[] labels = new long[n];
        for (int k = 0; k < n; k++) {
            int label = order[k] % classes.size();
            labels[k] = label;
            draw(classes.get(label), random, pixels, k * 3 * size * size, size);
        }
        return new PatternImages(Torch.tensor(pixels, n, 3, size, size), Torch.tensor(labels, n), classes);
    }

    private static void draw(Pattern p, SplittableRandom r, float[] out, int base, int size) {
        // Random colours, but never so close that the pattern vanishes: a class no image shows is
        // noise in the labels, and caps every model's accuracy alike.
        float[] fg = new float[3], bg = new float[3];
        do {
            for (int c = 0; c < 3; c++) {
                fg[c] = (float) r.nextDouble();
                bg[c] = (float) r.nextDouble();
            }
        } while (Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2]) < 0.9);
        double period = 4 + r.nextDouble() * 6, phase = r.nextDouble() * 2 * Math.PI;
        double cx = r.nextDouble() * size, cy = r.nextDouble() * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean on = switch (p) {
                    case HORIZONTAL_STRIPES -> Math.sin(2 * Math.PI * y / period + phase) > 0;
                    case VERTICAL_STRIPES -> Math.sin(2 * Math.PI * x / period + phase) > 0;
                    case DIAGONAL_STRIPES -> Math.sin(2 * Math.PI * (x + y) / period / 1.4 + phase) > 0;
                    case ANTI_DIAGONAL_STRIPES -> Math.sin(2 * Math.PI * (x - y) / period / 1.4 + phase) > 0;
                    case CHECKS -> (Math.floor((x + phase) / period) + Math.floor((y + phase) / period)) % 2 == 0;
                    case RINGS -> Math.sin(2 * Math.PI * Math.hypot(x - cx, y - cy) / period + phase) > 0;
                    case SQUARES -> Math.sin(2 * Math.PI * Math.max(Math.abs(x - cx), Math.abs(y - cy)) / period + phase) > 0;
                    case DOTS -> Math.hypot((x + phase) % period - period / 2, (y + phase) % period - period / 2) < period / 4;
                    case WAVES -> Math.sin(2 * Math.PI * (y + period / 3 * Math.sin(Math.PI * x / period)) / period
                            + phase) > 0;
                    case GRID -> floorMod(x + phase, period) < period / 4 || floorMod(y + phase, period) < period / 4;
                    case DIAGONAL_GRID -> floorMod(x + y + phase, period) < period / 4
                            || floorMod(x - y + phase, period) < period / 4;
                    case SPOKES -> Math.sin(Math.atan2(y - cy, x - cx) * (int) (3 + period / 2) + phase) > 0;
                };
                for (int c = 0; c < 3; c++) {
                    float v = (on ? fg[c] : bg[c]) + (float) (0.1 * (r.nextDouble() - 0.5));
                    out[base + (c * size + y) * size + x] = v;
                }
            }
        }
    }

    private static double floorMod(double v, double m) {
        return v - Math.floor(v / m) * m;
    }

    int size() { return labels.size(0); }

    /** Rows [from, to) as a new dataset (views, no copy). */
    PatternImages slice(int from, int to) {
        return new PatternImages(images.slice(0, from, to), labels.slice(0, from, to), classes);
    }
}
