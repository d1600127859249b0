package dev.jtorch.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.DType;
import dev.jtorch.RandomTensors;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The float32 convolution forward, every route of it (pointwise, shifted rows over a padded
 * image, im2col, several images per GEMM) and its fused inference form (scale, bias, residual, ReLU),
 * against the float64 convolution (the plain im2col + scalar GEMM loop) on random shapes,
 * strides, paddings, dilations, groups and non-contiguous inputs.
 */
class ConvForwardFloatTest {

    private static void close(Tensor expected64, Tensor actual32, String what) {
        double[] e = expected64.toDoubleArray(), a = actual32.toDoubleArray();
        assertEquals(e.length, a.length, what);
        double scale = 1;
        for (double v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            // NaN-aware: a NaN on either side fails unless both are NaN.
            if (Double.isNaN(e[i]) || Double.isNaN(a[i])) assertEquals(Double.isNaN(e[i]), Double.isNaN(a[i]), what + " element " + i);
            else assertEquals(e[i], a[i], 1e-5 * scale, what + " element " + i);
        }
    }

    @Property(tries = 150)
    void floatForwardMatchesDouble(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 2) int groups,
                                   @ForAll @IntRange(min = 1, max = 5) int kernel, @ForAll @IntRange(min = 1, max = 2) int stride,
                                   @ForAll @IntRange(min = 0, max = 2) int padding, @ForAll @IntRange(min = 1, max = 2) int dilation,
                                   @ForAll boolean transposedInput, @ForAll boolean bias, @ForAll boolean residual,
                                   @ForAll boolean relu, @ForAll long seed) {
        Random rnd = new Random(seed);
        int inC = groups * (1 + rnd.nextInt(5)), outC = groups * (1 + rnd.nextInt(9));
        int h = dilation * (kernel - 1) + 1 + rnd.nextInt(30), w = dilation * (kernel - 1) + 1 + rnd.nextInt(40);
        Tensor x64 = transposedInput ? RandomTensors.gaussian(rnd, batch, inC, w, h).transpose(2, 3) : RandomTensors.gaussian(rnd, batch, inC, h, w);
        Tensor w64 = RandomTensors.gaussian(rnd, outC, inC / groups, kernel, kernel);
        Tensor b64 = bias ? RandomTensors.gaussian(rnd, outC) : null;
        int[] s = {stride}, p = {padding}, d = {dilation};
        Tensor expected = Convolution.conv2d(x64, w64, b64, s, p, d, groups);
        Tensor x32 = transposedInput ? x64.transpose(2, 3).to(DType.FLOAT32).transpose(2, 3) : x64.to(DType.FLOAT32);
        Tensor w32 = w64.to(DType.FLOAT32), b32 = bias ? b64.to(DType.FLOAT32) : null;
        close(expected, Convolution.conv2d(x32, w32, b32, s, p, d, groups), "conv2d");

        Tensor r64 = residual ? RandomTensors.gaussian(rnd, expected.shape()) : null;
        Tensor scale64 = rnd.nextBoolean() ? RandomTensors.gaussian(rnd, outC) : null;
        Tensor fused64 = Convolution.conv2d(x64, w64, null, s, p, d, groups);
        if (scale64 != null) fused64 = fused64.mul(scale64.view(1, outC, 1, 1));
        if (b64 != null) fused64 = fused64.add(b64.view(1, outC, 1, 1));
        if (r64 != null) fused64 = fused64.add(r64);
        if (relu) fused64 = fused64.relu();
        Tensor fused32 = Convolution.conv2dInference(x32, w32, scale64 == null ? null : scale64.to(DType.FLOAT32), b32,
                r64 == null ? null : r64.to(DType.FLOAT32), relu, s, p, d, groups);
        close(fused64, fused32, "conv2dInference");
        close(fused64, Convolution.conv2dInference(x64, w64, scale64, b64, r64, relu, s, p, d, groups),
                "conv2dInference float64");
    }

    /**
     * Stride-2 convolutions with kernels of 5 and 7 on planes large enough that each image is its
     * own product: the phase-split route (cpu/ConvPhaseSplit), odd and even sizes, every padding
     * a kernel allows, strided inputs, with and without the fused epilogue.
     */
    @Property(tries = 40)
    void phaseSplitStrideTwoMatchesDouble(@ForAll @IntRange(min = 1, max = 2) int batch, @ForAll @IntRange(min = 2, max = 3) int halfKernel,
                                          @ForAll @IntRange(min = 0, max = 3) int padding, @ForAll boolean transposedInput,
                                          @ForAll boolean fused, @ForAll long seed) {
        Random rnd = new Random(seed);
        int kernel = 2 * halfKernel + 1, inC = 1 + rnd.nextInt(4), outC = 1 + rnd.nextInt(12);
        int h = 46 + rnd.nextInt(20), w = 46 + rnd.nextInt(21);
        Tensor x64 = transposedInput ? RandomTensors.gaussian(rnd, batch, inC, w, h).transpose(2, 3) : RandomTensors.gaussian(rnd, batch, inC, h, w);
        Tensor w64 = RandomTensors.gaussian(rnd, outC, inC, kernel, kernel);
        Tensor b64 = RandomTensors.gaussian(rnd, outC);
        int[] s = {2}, p = {Math.min(padding, kernel / 2)}, d = {1};
        Tensor x32 = transposedInput ? x64.transpose(2, 3).to(DType.FLOAT32).transpose(2, 3) : x64.to(DType.FLOAT32);
        Tensor w32 = w64.to(DType.FLOAT32), b32 = b64.to(DType.FLOAT32);
        if (!fused) {
            close(Convolution.conv2d(x64, w64, b64, s, p, d, 1), Convolution.conv2d(x32, w32, b32, s, p, d, 1), "conv2d stride 2");
        } else {
            Tensor expected = Convolution.conv2d(x64, w64, b64, s, p, d, 1).relu();
            close(expected, Convolution.conv2dInference(x32, w32, null, b32, null, true, s, p, d, 1), "conv2dInference stride 2");
        }
    }

    @Test
    void inferenceRefusesOperandsThatNeedGradients() {
        Tensor x = Torch.randn(1, 2, 5, 5), w = Torch.randn(3, 2, 3, 3).requiresGrad_(true);
        var e = assertThrows(IllegalStateException.class,
                () -> Convolution.conv2dInference(x, w, null, null, null, true, new int[]{1}, new int[]{1}, new int[]{1}, 1));
        assertEquals(true, e.getMessage().contains("requires grad"), e.getMessage());
    }

    @Test
    void inferenceChecksTheResidualShape() {
        Tensor x = Torch.randn(1, 2, 5, 5), w = Torch.randn(3, 2, 3, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Convolution.conv2dInference(x, w, null, null,
                Torch.randn(1, 3, 4, 4), false, new int[]{1}, new int[]{1}, new int[]{1}, 1));
        assertEquals("conv2dInference: residual of size [1, 3, 4, 4] does not match the output size [1, 3, 5, 5]",
                e.getMessage());
    }
}
