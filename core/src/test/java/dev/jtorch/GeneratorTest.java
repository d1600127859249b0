package dev.jtorch;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Generator keeps SplittableRandom's numbers (seeded runs from before still reproduce), and skip equals drawing. */
class GeneratorTest {

    @Test
    void streamIsSplittableRandoms() {
        for (long seed : new long[]{0, 1, -7, 0x5eed_1234L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            Generator g = new Generator(seed);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++) {
                assertEquals(r.nextDouble(), g.nextDouble(), "seed " + seed + " draw " + i);
                assertEquals(r.nextLong(-3, 1L << 40), g.nextLong(-3, 1L << 40));
                assertEquals(r.nextLong(0, 7), g.nextLong(0, 7));
                assertEquals(r.nextLong(Long.MIN_VALUE, Long.MAX_VALUE), g.nextLong(Long.MIN_VALUE, Long.MAX_VALUE));
            }
        }
    }

    @Test
    void skipLeavesTheStreamWhereDrawingWould() {
        for (int n : new int[]{0, 1, 2, 3, 17, 1000}) {
            Generator drawn = new Generator(42), skipped = new Generator(42);
            double[] normal = new double[n], uniform = new double[n];
            drawn.fillNormal(normal);
            drawn.fillUniform(uniform);
            skipped.skip(Generator.normalDraws(n) + Generator.uniformDraws(n));
            double[] next = new double[5], nextSkipped = new double[5];
            drawn.fillUniform(next);
            skipped.fillUniform(nextSkipped);
            assertArrayEquals(next, nextSkipped, "n = " + n);
        }
    }
}
