package dev.jtorch.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.RandomTensors;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.ops.Convolution;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * Winograd F(4x4, 3x3) convolution against the float64 direct convolution: random channel counts
 * (whole vectors and partial ones), plane sizes that end inside a tile, paddings 0 to 2,
 * non-contiguous inputs, the fused scale / bias / residual / ReLU, one and two threads; plus the
 * kept transform following in-place writes of the weight.
 */
class WinogradConvTest {

    private final int defaultThreads = Parallel.numThreads();

    @AfterEach
    void restoreThreads() {
        Parallel.setNumThreads(defaultThreads);
    }

    /**
     * Largest error relative to the output's largest magnitude. Direct float32 convolution stays
     * near 1e-7 of it; the transforms' factors (up to 8, summed) make Winograd's a few 1e-6.
     */
    private static double worstRelativeError(Tensor expected64, Tensor actual32) {
        double[] e = expected64.toDoubleArray(), a = actual32.toDoubleArray();
        assertEquals(e.length, a.length);
        double scale = 1e-30, worst = 0;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (!(d <= worst)) worst = d; // NaN-aware: a NaN makes the error NaN and fails below
        }
        return worst / scale;
    }

    @Property(tries = 60)
    void matchesDirectConvolution(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 0, max = 2) int padding,
                                  @ForAll @IntRange(min = 1, max = 2) int threads, @ForAll boolean transposedInput,
                                  @ForAll boolean fused, @ForAll long seed) {
        Random rnd = new Random(seed);
        Parallel.setNumThreads(threads);
        int inC = 16 + rnd.nextInt(40), outC = 1 + rnd.nextInt(40);
        int h = 19 + rnd.nextInt(20), w = 19 + rnd.nextInt(20); // at least 16 tiles even at batch 1
        ConvShape shape = new ConvShape(batch, inC, h, w, outC, 3, 3, h + 2 * padding - 2, w + 2 * padding - 2,
                1, 1, padding, padding, 1, 1, 1);
        assertTrue(WinogradConv.applies(shape), "the Winograd route is taken for " + shape);

        Tensor x64 = transposedInput ? RandomTensors.gaussian(rnd, batch, inC, w, h).transpose(2, 3) : RandomTensors.gaussian(rnd, batch, inC, h, w);
        Tensor w64 = RandomTensors.gaussian(rnd, outC, inC, 3, 3);
        Tensor x32 = transposedInput ? x64.transpose(2, 3).to(DType.FLOAT32).transpose(2, 3) : x64.to(DType.FLOAT32);
        Tensor w32 = w64.to(DType.FLOAT32);
        int[] one = {1}, pad = {padding};
        Tensor expected = Convolution.conv2d(x64, w64, null, one, pad, one, 1);
        Tensor actual;
        if (fused) {
            Tensor scale = RandomTensors.gaussian(rnd, outC), bias = RandomTensors.gaussian(rnd, outC), residual = RandomTensors.gaussian(rnd, expected.shape());
            expected = expected.mul(scale.view(1, outC, 1, 1)).add(bias.view(1, outC, 1, 1)).add(residual).relu();
            Tensor s32 = scale.to(DType.FLOAT32), b32 = bias.to(DType.FLOAT32), r32 = residual.to(DType.FLOAT32);
            Convolution.conv2dInference(x32, w32, s32, b32, r32, true, one, pad, one, 1); // the weight's first use: direct
            actual = Convolution.conv2dInference(x32, w32, s32, b32, r32, true, one, pad, one, 1);
        } else {
            Convolution.conv2dInference(x32, w32, null, null, null, false, one, pad, one, 1);
            actual = Convolution.conv2dInference(x32, w32, null, null, null, false, one, pad, one, 1);
        }
        double error = worstRelativeError(expected, actual);
        assertTrue(error < 2e-5, "relative error " + error + " for " + shape);
    }

    /**
     * A weight's first use runs direct (a one-shot forward would pay the transform for nothing);
     * from its second use on, Winograd with the transform kept between calls; an in-place write of
     * the weight is seen at once.
     */
    @Test
    void keptTransformFollowsInPlaceWrites() {
        Random rnd = new Random(3);
        Tensor x = RandomTensors.gaussian(rnd, 1, 32, 20, 20).to(DType.FLOAT32), w = RandomTensors.gaussian(rnd, 24, 32, 3, 3).to(DType.FLOAT32);
        int[] one = {1};
        Tensor direct = Convolution.conv2d(x, w, null, one, one, one, 1);
        assertEquals(0.0, infer(x, w).sub(direct).abs().max().item(), "first use: the direct route");
        Tensor first = infer(x, w);
        assertTrue(first.sub(direct).abs().max().item() > 0, "second use: Winograd, which rounds differently");
        assertEquals(first.toDoubleArray()[5], infer(x, w).toDoubleArray()[5], 0.0);
        w.mul_(-2f);
        Tensor after = infer(x, w);
        double error = worstRelativeError(first.mul(-2f).to(DType.FLOAT64), after);
        assertTrue(error < 2e-5, "after w.mul_(-2) the convolution uses the new weight: relative error " + error);
        // Two halves of one storage are two weights, each with its own transform.
        Tensor both = RandomTensors.gaussian(rnd, 48, 32, 3, 3).to(DType.FLOAT32);
        Tensor lo = both.narrow(0, 0, 24), hi = both.narrow(0, 24, 24);
        infer(x, lo);
        infer(x, hi);
        Tensor yLo = infer(x, lo), yHi = infer(x, hi);
        assertTrue(worstRelativeError(Convolution.conv2d(x.to(DType.FLOAT64), lo.to(DType.FLOAT64), null, one, one, one, 1), yLo) < 2e-5);
        assertTrue(worstRelativeError(Convolution.conv2d(x.to(DType.FLOAT64), hi.to(DType.FLOAT64), null, one, one, one, 1), yHi) < 2e-5);
    }

    private static Tensor infer(Tensor x, Tensor w) {
        int[] one = {1};
        return Convolution.conv2dInference(x, w, null, null, null, false, one, one, one, 1);
    }

    /**
     * Conv2d in eval mode without gradients runs the inference form (Winograd here); training mode,
     * and any forward that records gradients, the direct convolution PyTorch's CPU kernels compute.
     */
    @Test
    void onlyEvalModeWithoutGradientsTakesTheInferenceForm() {
        Torch.manualSeed(1);
        var conv = new dev.jtorch.nn.Conv2d(32, 16, 3, 1, 1);
        Tensor x = Torch.randn(1, 32, 24, 24);
        int[] one = {1};
        Tensor w = conv.parameter("weight"), b = conv.parameter("bias");
        Tensor direct, inference;
        try (var g = Torch.noGrad()) {
            direct = Convolution.conv2d(x, w, b, one, one, one, 1);
            Convolution.conv2dInference(x, w, null, b, null, false, one, one, one, 1); // first use: direct
            inference = Convolution.conv2dInference(x, w, null, b, null, false, one, one, one, 1);
            assertEquals(0.0, conv.forward(x).sub(direct).abs().max().item(), "training mode: direct");
            conv.eval();
            assertEquals(0.0, conv.forward(x).sub(inference).abs().max().item(), "eval mode: inference form");
        }
        assertEquals(0.0, conv.forward(x).sub(direct).abs().max().item(), "eval mode recording gradients: direct");
        assertTrue(inference.sub(direct).abs().max().item() > 0, "the two forms differ in rounding (else this test proves nothing)");
    }

    @Test
    void smallPlanesAndShallowInputsKeepTheDirectRoute() {
        // ResNet's last stage at batch 1: 7x7 output, four tiles; a network's RGB input.
        assertFalse(WinogradConv.applies(new ConvShape(1, 512, 7, 7, 512, 3, 3, 7, 7, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(WinogradConv.applies(new ConvShape(1, 3, 224, 224, 64, 3, 3, 224, 224, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(WinogradConv.applies(new ConvShape(1, 64, 56, 56, 64, 3, 3, 28, 28, 2, 2, 1, 1, 1, 1, 1)));
        assertTrue(WinogradConv.applies(new ConvShape(1, 64, 56, 56, 64, 3, 3, 56, 56, 1, 1, 1, 1, 1, 1, 1)));
        assertTrue(WinogradConv.applies(new ConvShape(1, 256, 14, 14, 256, 3, 3, 14, 14, 1, 1, 1, 1, 1, 1, 1)));
    }
}
