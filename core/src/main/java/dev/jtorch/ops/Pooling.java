package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.ValuesIndices;
import dev.jtorch.autograd.Autograd;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/**
 * 2-D pooling: {@code F.max_pool2d} (with or without indices), {@code F.avg_pool2d},
 * {@code F.adaptive_avg_pool2d} and {@code F.adaptive_max_pool2d}, over [N, C, H, W] or
 * unbatched [C, H, W]. Size arguments take one value for both dimensions or {height, width};
 * a null or empty stride means the kernel size, as in PyTorch. Max-pool indices are PyTorch's:
 * the flat position {@code h * W + w} of the maximum inside its own plane.
 */
public final class Pooling {
    private Pooling() {}

    /** {@code F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)}. */
    public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return maxPool(input, kernelSize, stride, padding, dilation, ceilMode, Autograd.needsGrad(input)).values();
    }

    /** {@code F.max_pool2d(..., return_indices=True)}: the values and the int64 indices. */
    public static ValuesIndices maxPool2dWithIndices(Tensor input, int[] kernelSize, int[] stride, int[] padding,
                                                     int[] dilation, boolean ceilMode) {
        return maxPool(input, kernelSize, stride, padding, dilation, ceilMode, true);
    }

    private static ValuesIndices maxPool(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                                         boolean ceilMode, boolean wantIndices) {
        checkInput(input, "max_pool2d");
        if (input.dim() == 3) {
            ValuesIndices r;
            r = maxPool(input.unsqueeze(0), kernelSize, stride, padding, dilation, ceilMode, wantIndices);
            return new ValuesIndices(r.values().squeeze(0), r.indices() == null ? null : r.indices().squeeze(0));
        }
        int[] k = pair(kernelSize, "max_pool2d", "kernel_size");
        int[] s = stride == null || stride.length == 0 ? k : pair(stride, "max_pool2d", "stride");
        int[] p = pair(padding, "max_pool2d", "padding");
        int[] d = pair(dilation, "max_pool2d", "dilation");
        int[] in = input.shape();
        int[] outShape = poolShape(in, k, s, p, d, ceilMode);
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        Tensor indices = wantIndices ? Creation.zeros(outShape, DType.INT64, input.device()) : null;
        backend(input).maxPool2d(storage(input), layout(input), storage(out), indices == null ? null : storage(indices),
                layout(out), k, s, p, d);
        if (indices != null) {
            Tensor idx = indices;
            out = Autograd.record(out, "MaxPool2DWithIndicesBackward0", g -> new Tensor[]{scatterMax(g, idx, in)}, input);
        }
        return new ValuesIndices(out, indices);
    }

    /** {@code F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)}. */
    public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad, Integer divisorOverride) {
        checkInput(input, "avg_pool2d");
        if (input.dim() == 3) {
            return avgPool2d(input.unsqueeze(0), kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride)
                    .squeeze(0);
        }
        int[] k = pair(kernelSize, "avg_pool2d", "kernel_size");
        int[] s = stride == null || stride.length == 0 ? k : pair(stride, "avg_pool2d", "stride");
        int[] p = pair(padding, "avg_pool2d", "padding");
        if (divisorOverride != null && divisorOverride == 0) throw new IllegalArgumentException("divisor must be not zero");
        int divisor = divisorOverride == null ? 0 : divisorOverride;
        int[] in = input.shape();
        int[] outShape = poolShape(in, k, s, p, new int[]{1, 1}, ceilMode);
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        backend(input).avgPool2d(storage(input), layout(input), storage(out), layout(out), k, s, p, countIncludePad,
                divisor);
        return Autograd.record(out, "AvgPool2DBackward0", g -> {
            Tensor gx = Creation.zeros(in, g.dtype(), g.device());
            backend(g).avgPool2dBackward(storage(g), layout(g), storage(gx), layout(gx), k, s, p, countIncludePad,
                    divisor);
            return new Tensor[]{gx};
        }, input);
    }

    /**
     * {@code F.adaptive_avg_pool2d(input, output_size)}: one size for both dimensions or {h, w};
     * a negative entry stands for PyTorch's None (keep that input dimension).
     */
    public static Tensor adaptiveAvgPool2d(Tensor input, int... outputSize) {
        checkAdaptiveInput(input, "adaptive_avg_pool2d");
        if (input.dim() == 3) return adaptiveAvgPool2d(input.unsqueeze(0), outputSize).squeeze(0);
        int[] in = input.shape();
        int[] outShape = adaptiveShape(in, outputSize);
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        backend(input).adaptiveAvgPool2d(storage(input), layout(input), storage(out), layout(out));
        return Autograd.record(out, "AdaptiveAvgPool2DBackward0", g -> {
            Tensor gx = Creation.zeros(in, g.dtype(), g.device());
            backend(g).adaptiveAvgPool2dBackward(storage(g), layout(g), storage(gx), layout(gx));
            return new Tensor[]{gx};
        }, input);
    }

    /** {@code F.adaptive_max_pool2d(input, output_size, return_indices=True)}; sizes as in adaptiveAvgPool2d. */
    public static ValuesIndices adaptiveMaxPool2d(Tensor input, int... outputSize) {
        checkAdaptiveInput(input, "adaptive_max_pool2d");
        if (input.dim() == 3) {
            ValuesIndices r = adaptiveMaxPool2d(input.unsqueeze(0), outputSize);
            return new ValuesIndices(r.values().squeeze(0), r.indices().squeeze(0));
        }
        int[] in = input.shape();
        int[] outShape = adaptiveShape(in, outputSize);
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        Tensor indices = Creation.zeros(outShape, DType.INT64, input.device());
        backend(input).adaptiveMaxPool2d(storage(input), layout(input), storage(out), storage(indices), layout(out));
        out = Autograd.record(out, "AdaptiveMaxPool2DBackward0", g -> new Tensor[]{scatterMax(g, indices, in)}, input);
        return new ValuesIndices(out, indices);
    }

    private static Tensor scatterMax(Tensor g, Tensor indices, int[] inShape) {
        Tensor gx = Creation.zeros(inShape, g.dtype(), g.device());
        backend(g).maxPool2dBackward(storage(g), layout(g), storage(indices), layout(indices), storage(gx), layout(gx));
        return gx;
    }

    // ---- shapes and checks ------------------------------------------------------------------

    private static int[] pair(int[] v, String op, String name) {
        if (v != null && v.length == 1) return new int[]{v[0], v[0]};
        if (v != null && v.length == 2) return v.clone();
        throw new IllegalArgumentException(op + ": " + name + " must either be a single int, or a tuple of two ints");
    }

    private static void checkInput(Tensor input, String op) {
        int[] shape = input.shape();
        boolean ok = (input.dim() == 3 || input.dim() == 4) && shape[input.dim() - 1] != 0 && shape[input.dim() - 2] != 0
                && shape[input.dim() - 3] != 0;
        if (!ok) throw new IllegalArgumentException("non-empty 3D or 4D (batch mode) tensor expected for input");
        if (!input.isFloatingPoint()) {
            throw new UnsupportedOperationException("\"" + op + "\" not implemented for '" + input.dtype().legacyName() + "'");
        }
    }

    private static void checkAdaptiveInput(Tensor input, String op) {
        if (input.dim() != 3 && input.dim() != 4) {
            throw new IllegalArgumentException(op + "(): Expected 3D or 4D tensor, but got " + Arrays.toString(input.shape()));
        }
        int[] shape = input.shape();
        for (int i = input.dim() - 3; i < input.dim(); i++) {
            if (shape[i] == 0) {
                throw new IllegalArgumentException(op + "(): Expected input to have non-zero size for non-batch dimensions, "
                        + "but input has sizes " + Arrays.toString(shape) + " with dimension " + i + " being empty");
            }
        }
        if (!input.isFloatingPoint()) {
            throw new UnsupportedOperationException("\"" + op + "\" not implemented for '" + input.dtype().legacyName() + "'");
        }
    }

    /** PyTorch's pooling_output_shape and pool2d_shape_check. */
    static int[] poolShape(int[] in, int[] k, int[] s, int[] p, int[] d, boolean ceilMode) {
        if (k[0] <= 0 || k[1] <= 0) {
            throw new IllegalArgumentException("kernel size should be greater than zero, but got kH: " + k[0] + " kW: " + k[1]);
        }
        if (s[0] <= 0 || s[1] <= 0) {
            throw new IllegalArgumentException("stride should be greater than zero, but got dH: " + s[0] + " dW: " + s[1]);
        }
        if (d[0] <= 0 || d[1] <= 0) {
            throw new IllegalArgumentException("dilation should be greater than zero, but got dilationH: " + d[0]
                    + " dilationW: " + d[1]);
        }
        for (int i = 0; i < 2; i++) {
            if (p[i] < 0) throw new IllegalArgumentException("pad must be non-negative, but got pad: " + p[i]);
            if (p[i] > k[i] / 2) {
                throw new IllegalArgumentException("pad should be at most half of kernel size, but got pad=" + p[i]
                        + " and kernel_size=" + k[i]);
            }
        }
        int oh = outputSize(in[2], k[0], p[0], s[0], d[0], ceilMode);
        int ow = outputSize(in[3], k[1], p[1], s[1], d[1], ceilMode);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("Given input size: (" + in[1] + "x" + in[2] + "x" + in[3] + "). Calculated "
                    + "output size: (" + in[1] + "x" + oh + "x" + ow + "). Output size is too small");
        }
        return new int[]{in[0], in[1], oh, ow};
    }

    private static int outputSize(int in, int k, int p, int s, int d, boolean ceilMode) {
        int out = Math.floorDiv(in + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0), s) + 1;
        // The last window must start inside the image or the left padding, never in the right padding.
        if (ceilMode && (out - 1) * s >= in + p) out--;
        return out;
    }

    private static int[] adaptiveShape(int[] in, int[] outputSize) {
        if (outputSize == null || (outputSize.length != 1 && outputSize.length != 2)) {
            throw new IllegalArgumentException("adaptive pool: output_size must be 2, got "
                    + (outputSize == null ? "None" : Arrays.toString(outputSize)));
        }
        int oh = outputSize[0], ow = outputSize.length == 1 ? outputSize[0] : outputSize[1];
        return new int[]{in[0], in[1], oh < 0 ? in[2] : oh, ow < 0 ? in[3] : ow};
    }
}
