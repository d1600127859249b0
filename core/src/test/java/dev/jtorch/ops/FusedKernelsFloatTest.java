package dev.jtorch.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.nn.F;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

/**
 * The float32 fast paths of batch norm and of the convolution gradients against the same op in
 * float64 (the scalar reference kernels), on random shapes and a transposed (non-contiguous) input.
 */
class FusedKernelsFloatTest {

    private static Tensor values(Random rnd, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian() * 2 + 0.5;
        return Torch.tensor(v).reshape(shape);
    }

    private static void close(Tensor expected64, Tensor actual32, double tol, String what) {
        double[] e = expected64.toDoubleArray(), a = actual32.toDoubleArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " element " + i);
        }
    }

    @Property(tries = 40)
    void batchNormFloatMatchesDouble(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int c,
                                     @ForAll @IntRange(min = 1, max = 40) int h, @ForAll boolean training,
                                     @ForAll boolean transposed, @ForAll long seed) {
        Random rnd = new Random(seed);
        int w = 3 + rnd.nextInt(30);
        if (n * h * w < 2) h = 2;
        Tensor x64 = values(rnd, n, c, transposed ? w : h, transposed ? h : w);
        if (transposed) x64 = x64.transpose(2, 3);
        Tensor g64 = values(rnd, n, c, h, w);
        Tensor wt64 = values(rnd, c), b64 = values(rnd, c);
        Tensor rm64 = values(rnd, c), rv64 = values(rnd, c).abs().add(0.5);
        Tensor rm32 = rm64.to(DType.FLOAT32), rv32 = rv64.to(DType.FLOAT32);
        Tensor x32 = x64.to(DType.FLOAT32);
        if (transposed) x32 = x64.transpose(2, 3).to(DType.FLOAT32).transpose(2, 3);
        Tensor[] r64 = run(x64, g64, wt64, b64, rm64, rv64, training);
        Tensor[] r32 = run(x32, g64.to(DType.FLOAT32), wt64.to(DType.FLOAT32), b64.to(DType.FLOAT32), rm32, rv32, training);
        String[] names = {"out", "grad_input", "grad_weight", "grad_bias"};
        for (int i = 0; i < 4; i++) close(r64[i], r32[i], 2e-4, names[i]);
        close(rm64, rm32, 1e-5, "running_mean");
        close(rv64, rv32, 1e-4, "running_var");
    }

    private static Tensor[] run(Tensor x, Tensor g, Tensor w, Tensor b, Tensor rm, Tensor rv, boolean training) {
        x = x.detach().requiresGrad_(true);
        w = w.detach().requiresGrad_(true);
        b = b.detach().requiresGrad_(true);
        Tensor out = F.batchNorm(x, rm, rv, w, b, training, 0.1, 1e-5);
        out.backward(g);
        return new Tensor[]{out, x.grad(), w.grad(), b.grad()};
    }

    /** Stride 1 with padding up to dilation * (k - 1) takes the input gradient as a convolution (InputGradAsConv). */
    @Property(tries = 80)
    void convGradientsFloatMatchDouble(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 3) int groups,
                                       @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 1, max = 2) int stride,
                                       @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll @IntRange(min = 1, max = 2) int dilation,
                                       @ForAll long seed) {
        Random rnd = new Random(seed);
        int cin = groups * (1 + rnd.nextInt(5)), cout = groups * (1 + rnd.nextInt(6));
        int span = dilation * (k - 1) + 1;
        int h = span + rnd.nextInt(20), w = span + rnd.nextInt(20);
        Tensor x64 = values(rnd, n, cin, h, w), w64 = values(rnd, cout, cin / groups, k, k);
        Tensor y = Convolution.conv2d(x64, w64, null, new int[]{stride}, new int[]{pad}, new int[]{dilation}, groups);
        Tensor g64 = values(rnd, y.shape());
        Tensor[] r64 = conv(x64, w64, g64, stride, pad, dilation, groups);
        Tensor[] r32 = conv(x64.to(DType.FLOAT32), w64.to(DType.FLOAT32), g64.to(DType.FLOAT32), stride, pad, dilation, groups);
        close(r64[0], r32[0], 1e-4, "out");
        close(r64[1], r32[1], 1e-4, "grad_input");
        close(r64[2], r32[2], 1e-4, "grad_weight");
    }

    private static Tensor[] conv(Tensor x, Tensor w, Tensor g, int stride, int pad, int dilation, int groups) {
        x = x.detach().requiresGrad_(true);
        w = w.detach().requiresGrad_(true);
        Tensor out = Convolution.conv2d(x, w, null, new int[]{stride}, new int[]{pad}, new int[]{dilation}, groups);
        out.backward(g);
        return new Tensor[]{out, x.grad(), w.grad()};
    }
}
