package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.autograd.GradCheck;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layers whose backward comes from composing ops (batch norm, GELU, LeakyReLU, embedding)
 * against float64 central differences ({@link GradCheck}), over random shapes. Values come from a
 * {@link Random} seeded by jqwik, so every try replays; they keep away from LeakyReLU's kink.
 */
class LayerGradCheckTest {

    private static Tensor values(Random rnd, double lo, double hi, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextDouble();
        return Torch.tensor(v, shape);
    }

    @Property(tries = 25)
    void batchNormTrainingGradients(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 3) int c,
                                    @ForAll @IntRange(min = 0, max = 2) int spatialDims, @ForAll long seed) {
        Random rnd = new Random(seed);
        int[] shape = switch (spatialDims) {
            case 0 -> new int[]{n + 1, c};                                  // BatchNorm1d on [N, C]
            case 1 -> new int[]{n, c, 1 + rnd.nextInt(3) + (n == 1 ? 1 : 0)}; // BatchNorm1d on [N, C, L]
            default -> new int[]{n, c, 1 + rnd.nextInt(2), 2 + rnd.nextInt(2)};
        };
        Tensor x = values(rnd, -2, 2, shape).requiresGrad_(true);
        Tensor w = values(rnd, 0.5, 1.5, c).requiresGrad_(true);
        Tensor b = values(rnd, -1, 1, c).requiresGrad_(true);
        GradCheck.check(in -> F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5), x, w, b);
        // With running statistics: the forward also updates them, which must not disturb the gradient.
        GradCheck.check(in -> F.batchNorm(in[0], Torch.zeros(DType.FLOAT64, c), Torch.ones(DType.FLOAT64, c), null, null,
                true, 0.1, 1e-5), x);
    }

    @Property(tries = 10)
    void batchNormEvalGradients(@ForAll @IntRange(min = 1, max = 3) int c, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = values(rnd, -2, 2, 2, c, 2, 3).requiresGrad_(true);
        Tensor w = values(rnd, 0.5, 1.5, c).requiresGrad_(true);
        Tensor b = values(rnd, -1, 1, c).requiresGrad_(true);
        Tensor mean = values(rnd, -1, 1, c), var = values(rnd, 0.5, 2, c);
        GradCheck.check(in -> F.batchNorm(in[0], mean, var, in[1], in[2], false, 0.1, 1e-5), x, w, b);
    }

    @Property(tries = 20)
    void geluGradients(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 5) int cols,
                       @ForAll boolean tanh, @ForAll long seed) {
        Tensor x = values(new Random(seed), -4, 4, rows, cols).requiresGrad_(true);
        GradCheck.check(in -> F.gelu(in[0], tanh ? "tanh" : "none"), x);
    }

    @Property(tries = 20)
    void leakyReluGradients(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 5) int cols,
                            @ForAll @IntRange(min = 0, max = 100) int slopePercent, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (rnd.nextBoolean() ? 1 : -1) * (0.1 + 2 * rnd.nextDouble());
        Tensor x = Torch.tensor(v, rows, cols).requiresGrad_(true);
        double slope = slopePercent / 100.0;
        GradCheck.check(in -> F.leakyRelu(in[0], slope, false), x);
        // The in-place form on a non-leaf records the same gradient.
        GradCheck.check(in -> F.leakyRelu(in[0].mul(1.0), slope, true), x);
    }

    @Property(tries = 20)
    void embeddingGradients(@ForAll @IntRange(min = 1, max = 6) int numEmbeddings, @ForAll @IntRange(min = 1, max = 3) int dim,
                            @ForAll @IntRange(min = 1, max = 6) int lookups, @ForAll boolean withPadding, @ForAll long seed) {
        Random rnd = new Random(seed);
        long[] idx = new long[lookups];
        for (int i = 0; i < lookups; i++) idx[i] = rnd.nextInt(numEmbeddings);
        Tensor indices = Torch.tensor(idx);
        Integer pad = withPadding ? rnd.nextInt(numEmbeddings) : null;
        Tensor w = values(rnd, -1, 1, numEmbeddings, dim).requiresGrad_(true);
        GradCheck.check(in -> F.embedding(indices, in[0], null), w);

        // The padding row is looked up as stored but receives no gradient, however often it is used
        // (on purpose: finite differences would see it, so it is checked against use counts instead).
        Tensor out = F.embedding(indices, w, pad);
        out.backward(Torch.onesLike(out));
        double[] g = w.grad().toDoubleArray();
        for (int row = 0; row < numEmbeddings; row++) {
            long uses = 0;
            for (long i : idx) if (i == row) uses++;
            double expected = pad != null && row == pad ? 0 : uses;
            for (int d = 0; d < dim; d++) assertEquals(expected, g[row * dim + d], 0, "row " + row);
        }
        assertArrayEquals(new int[]{lookups, dim}, out.shape());
    }
}
