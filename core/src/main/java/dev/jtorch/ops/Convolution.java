package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.SavedTensor;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/**
 * 2-D convolution and transposed convolution ({@code F.conv2d}, {@code F.conv_transpose2d}):
 * shape rules and PyTorch's error messages, dispatch to the backend's three convolution kernels,
 * and the backward formulas. The two ops are adjoint: a transposed convolution's forward is the
 * input gradient of a convolution, and its input gradient is a convolution, so three kernels
 * serve both ops in both directions.
 *
 * <p>Input is [N, C, H, W], or [C, H, W] unbatched as PyTorch allows. {@code stride},
 * {@code padding}, {@code dilation} and {@code outputPadding} take one value for both
 * dimensions or {height, width}.
 */
public final class Convolution {
    private Convolution() {}

    /** {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups)}; bias may be null. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        if (input.dim() == 3) {
            checkUnbatchedWeight(input, weight, "conv2d");
            return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0);
        }
        if (input.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                    + Arrays.toString(input.shape()));
        }
        int[] s = pair(stride, "stride"), p = pair(padding, "padding"), d = pair(dilation, "dilation");
        int[] in = input.shape(), w = weight.shape();
        int[] outShape = outputShape(input, weight, bias, s, p, d, groups);
        Tensor out = forwardKernel(input, weight, bias, outShape, s, p, d, groups);
        SavedTensor sx = SavedTensor.save(input), sw = SavedTensor.save(weight);
        return Autograd.record(out, "ConvolutionBackward0", g -> new Tensor[]{
                input.requiresGrad() ? inputGradKernel(g, sw.get(), in, s, p, d, groups) : null,
                weight.requiresGrad() ? weightGradKernel(g, sx.get(), w, s, p, d, groups) : null,
                bias != null && bias.requiresGrad() ? Reductions.sum(g, new int[]{0, 2, 3}, false) : null},
                input, weight, bias);
    }

    /**
     * {@code F.conv2d} with a string padding: {@code "valid"} (none) or {@code "same"} (output as
     * large as the input; stride 1 only). When the total padding of a dimension is odd, PyTorch
     * pads the extra row or column at the end, by padding the input, and so does this.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
                                int groups) {
        switch (padding) {
            case "valid" -> {
                return conv2d(input, weight, bias, stride, new int[]{0, 0}, dilation, groups);
            }
            case "same" -> {
                int[] s = pair(stride, "stride"), d = pair(dilation, "dilation");
                if (s[0] != 1 || s[1] != 1) {
                    throw new IllegalArgumentException("padding='same' is not supported for strided convolutions");
                }
                if (weight.dim() != 4) checkWeight(input, weight, false);
                int[] left = new int[2], extra = new int[2];
                for (int i = 0; i < 2; i++) {
                    int total = d[i] * (weight.size(2 + i) - 1);
                    left[i] = total / 2;
                    extra[i] = total - 2 * left[i];
                }
                Tensor x = input;
                if (extra[0] != 0 || extra[1] != 0) x = Joining.pad(input, new int[]{0, extra[1], 0, extra[0]}, 0);
                return conv2d(x, weight, bias, s, left, d, groups);
            }
            default -> throw new IllegalArgumentException("Invalid padding string: '" + padding + "'");
        }
    }

    /**
     * {@code F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)}:
     * weight is [inC, outC / groups, kH, kW]; the output is
     * {@code (H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1} high.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        if (input.dim() == 3) {
            checkUnbatchedWeight(input, weight, "conv_transpose2d");
            return convTranspose2d(input.unsqueeze(0), weight, bias, stride, padding, outputPadding, groups, dilation)
                    .squeeze(0);
        }
        if (input.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got "
                    + "input of size: " + Arrays.toString(input.shape()));
        }
        int[] s = pair(stride, "stride"), p = pair(padding, "padding"), d = pair(dilation, "dilation");
        int[] op = pair(outputPadding, "output_padding");
        checkParams(s, p, d, groups);
        for (int v : op) if (v < 0) throw new IllegalArgumentException("negative output_padding is not supported");
        checkWeight(input, weight, true);
        int[] in = input.shape(), w = weight.shape();
        if (w[0] % groups != 0) {
            throw new IllegalArgumentException("Given groups=" + groups + ", expected weight to be divisible by " + groups
                    + " at dimension 0, but got weight of size [" + Arrays.toString(w) + "] instead");
        }
        if (in[1] != w[0]) {
            throw new IllegalArgumentException("Given transposed=1, weight of size " + Arrays.toString(w)
                    + ", expected input" + Arrays.toString(in) + " to have " + w[0] + " channels, but got " + in[1]
                    + " channels instead");
        }
        if (op[0] >= Math.max(s[0], d[0]) || op[1] >= Math.max(s[1], d[1])) {
            throw new IllegalArgumentException("output padding must be smaller than either stride or dilation, but got "
                    + "output_padding_height: " + op[0] + " output_padding_width: " + op[1] + " stride_height: " + s[0]
                    + " stride_width: " + s[1] + " dilation_height: " + d[0] + " dilation_width: " + d[1]);
        }
        int outC = w[1] * groups;
        checkBias(bias, w, outC);
        checkTypes(input, weight, bias);
        int[] outShape = {in[0], outC, 0, 0};
        for (int i = 0; i < 2; i++) {
            outShape[2 + i] = (in[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (w[2 + i] - 1) + op[i] + 1;
            if (outShape[2 + i] <= 0) {
                throw new IllegalArgumentException("Given input size per channel: (" + in[2] + " x " + in[3] + "). "
                        + "Calculated output size per channel: (" + outShape[2] + " x " + outShape[3]
                        + "). Output size is too small");
            }
        }
        Tensor out = inputGradKernel(input.detach(), weight.detach(), outShape, s, p, d, groups);
        if (bias != null) addBias(out, bias);
        SavedTensor sx = SavedTensor.save(input), sw = SavedTensor.save(weight);
        return Autograd.record(out, "ConvolutionBackward0", g -> new Tensor[]{
                input.requiresGrad() ? forwardKernel(g, sw.get(), null, in, s, p, d, groups) : null,
                weight.requiresGrad() ? weightGradKernel(sx.get(), g, w, s, p, d, groups) : null,
                bias != null && bias.requiresGrad() ? Reductions.sum(g, new int[]{0, 2, 3}, false) : null},
                input, weight, bias);
    }

    /** Checks conv2d's operands as PyTorch does and returns the output shape. */
    private static int[] outputShape(Tensor input, Tensor weight, Tensor bias, int[] s, int[] p, int[] d, int groups) {
        checkParams(s, p, d, groups);
        checkWeight(input, weight, false);
        int[] in = input.shape(), w = weight.shape();
        if (w[0] % groups != 0) {
            throw new IllegalArgumentException("Given groups=" + groups + ", expected weight to be divisible by " + groups
                    + " at dimension 0, but got weight of size [" + Arrays.toString(w) + "] instead");
        }
        if (in[1] != w[1] * groups) {
            throw new IllegalArgumentException("Given groups=" + groups + ", weight of size " + Arrays.toString(w)
                    + ", expected input" + Arrays.toString(in) + " to have " + w[1] * groups + " channels, but got " + in[1]
                    + " channels instead");
        }
        checkBias(bias, w, w[0]);
        checkTypes(input, weight, bias);
        int[] outShape = new int[4];
        outShape[0] = in[0];
        outShape[1] = w[0];
        for (int i = 0; i < 2; i++) {
            int padded = in[2 + i] + 2 * p[i];
            int kernel = d[i] * (w[2 + i] - 1) + 1;
            if (padded < kernel) {
                throw new IllegalArgumentException("Calculated padded input size per channel: (" + (in[2] + 2 * p[0]) + " x "
                        + (in[3] + 2 * p[1]) + "). Kernel size: (" + (d[0] * (w[2] - 1) + 1) + " x " + (d[1] * (w[3] - 1) + 1)
                        + "). Kernel size can't be greater than actual input size");
            }
            outShape[2 + i] = (padded - kernel) / s[i] + 1;
        }
        return outShape;
    }

    /**
     * Inference form of {@code relu(conv2d(input, weight) * scale + bias + residual)}, with scale
     * and bias per output channel ([outC] vectors): a convolution followed by a batch norm in eval
     * mode, a residual add and a ReLU. scale, bias and residual may be null, relu false. No
     * autograd history is recorded, so this is only for tensors that need no gradient (it refuses
     * otherwise); the backend may compute it as one fused pass. Conv-BatchNorm(-ReLU) blocks of
     * models in eval mode run through here ({@code dev.jtorch.nn.ConvBnFolding}).
     */
    public static Tensor conv2dInference(Tensor input, Tensor weight, Tensor scale, Tensor bias, Tensor residual,
                                         boolean relu, int[] stride, int[] padding, int[] dilation, int groups) {
        if (Autograd.needsGrad(input, weight, scale, bias, residual)) {
            throw new IllegalStateException("conv2dInference records no gradient, but an operand requires grad"
                    + " (use conv2d, or run under Torch.noGrad())");
        }
        if (input.dim() != 4) {
            throw new IllegalArgumentException("conv2dInference expects a 4D (batched) input, but got input of size: "
                    + Arrays.toString(input.shape()));
        }
        int[] s = pair(stride, "stride"), p = pair(padding, "padding"), d = pair(dilation, "dilation");
        int[] outShape = outputShape(input, weight, bias, s, p, d, groups);
        if (scale != null) {
            if (scale.dim() != 1 || scale.size(0) != weight.size(0)) {
                throw new IllegalArgumentException("conv2dInference: expected scale to be 1-dimensional with "
                        + weight.size(0) + " elements, but got scale of size " + Arrays.toString(scale.shape()));
            }
            checkTypes(input, weight, scale);
        }
        if (residual != null) {
            if (!Arrays.equals(residual.shape(), outShape)) {
                throw new IllegalArgumentException("conv2dInference: residual of size " + Arrays.toString(residual.shape())
                        + " does not match the output size " + Arrays.toString(outShape));
            }
            checkTypes(input, residual, null);
        }
        Tensor out = Creation.zeros(outShape, input.dtype(), input.device());
        backend(input).conv2dInference(storage(input), layout(input), storage(weight), layout(weight),
                scale == null ? null : storage(scale), scale == null ? null : layout(scale),
                bias == null ? null : storage(bias), bias == null ? null : layout(bias),
                residual == null ? null : storage(residual), residual == null ? null : layout(residual), relu,
                storage(out), layout(out), s, p, d, groups, WeightCaches.of(weight));
        return out;
    }

    // ---- kernels (no history: the ops above record it) --------------------------------------

    private static Tensor forwardKernel(Tensor x, Tensor w, Tensor bias, int[] outShape, int[] s, int[] p, int[] d,
                                        int groups) {
        Tensor out = Creation.zeros(outShape, x.dtype(), x.device());
        backend(x).conv2d(storage(x), layout(x), storage(w), layout(w), bias == null ? null : storage(bias),
                bias == null ? null : layout(bias), storage(out), layout(out), s, p, d, groups);
        return out;
    }

    private static Tensor inputGradKernel(Tensor gradOut, Tensor w, int[] inShape, int[] s, int[] p, int[] d, int groups) {
        Tensor gx = Creation.zeros(inShape, gradOut.dtype(), gradOut.device());
        backend(gradOut).conv2dBackwardInput(storage(gradOut), layout(gradOut), storage(w), layout(w), storage(gx),
                layout(gx), s, p, d, groups);
        return gx;
    }

    private static Tensor weightGradKernel(Tensor gradOut, Tensor x, int[] wShape, int[] s, int[] p, int[] d, int groups) {
        Tensor gw = Creation.zeros(wShape, gradOut.dtype(), gradOut.device());
        backend(gradOut).conv2dBackwardWeight(storage(gradOut), layout(gradOut), storage(x), layout(x), storage(gw),
                layout(gw), s, p, d, groups);
        return gw;
    }

    /** out += bias over the channel dimension, in place on a fresh output (no history). */
    private static void addBias(Tensor out, Tensor bias) {
        Layout b = layout(bias);
        int[] shape = layout(out).shape();
        Layout expanded = new Layout(shape, new int[]{0, b.strides()[0], 0, 0}, b.offset());
        backend(out).binary(BinaryOp.ADD, storage(out), layout(out), storage(bias), expanded, storage(out), layout(out));
    }

    // ---- argument checks, in PyTorch's words --------------------------------------------------

    /** One value for both dimensions, or {height, width}. */
    static int[] pair(int[] v, String name) {
        if (v == null) throw new IllegalArgumentException(name + " must not be null");
        if (v.length == 1) return new int[]{v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException("expected " + name + " to be a single integer value or a list of 2 values to "
                + "match the convolution dimensions, but got " + name + "=" + Arrays.toString(v));
    }

    private static void checkParams(int[] s, int[] p, int[] d, int groups) {
        if (groups <= 0) throw new IllegalArgumentException("non-positive groups is not supported");
        for (int v : s) if (v <= 0) throw new IllegalArgumentException("non-positive stride is not supported");
        for (int v : p) if (v < 0) throw new IllegalArgumentException("negative padding is not supported");
        for (int v : d) {
            if (v <= 0) throw new IllegalArgumentException("dilation should be greater than zero, but got " + Arrays.toString(d));
        }
    }

    private static void checkWeight(Tensor input, Tensor weight, boolean transposed) {
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("Expected " + weight.dim() + "-dimensional input for " + weight.dim()
                    + "-dimensional weight " + Arrays.toString(weight.shape()) + ", but got " + input.dim()
                    + "-dimensional input of size " + Arrays.toString(input.shape()) + " instead");
        }
    }

    private static void checkUnbatchedWeight(Tensor input, Tensor weight, String op) {
        if (weight.dim() != 4) checkWeight(input, weight, false);
    }

    private static void checkBias(Tensor bias, int[] w, int channels) {
        if (bias != null && (bias.dim() != 1 || bias.size(0) != channels)) {
            throw new IllegalArgumentException("Given weight of size " + Arrays.toString(w) + ", expected bias to be "
                    + "1-dimensional with " + channels + " elements, but got bias of size " + Arrays.toString(bias.shape())
                    + " instead");
        }
    }

    private static void checkTypes(Tensor input, Tensor weight, Tensor bias) {
        if (!input.device().equals(weight.device())) {
            throw new IllegalArgumentException("Input type (" + input.device() + ") and weight type (" + weight.device()
                    + ") should be the same");
        }
        if (weight.dtype() != input.dtype() || (bias != null && bias.dtype() != input.dtype())) {
            DType other = weight.dtype() != input.dtype() ? weight.dtype() : bias.dtype();
            throw new IllegalArgumentException("expected scalar type " + input.dtype().legacyName() + " but found "
                    + other.legacyName());
        }
        if (input.dtype() != DType.FLOAT32 && input.dtype() != DType.FLOAT64) {
            throw new UnsupportedOperationException("\"slow_conv2d_cpu\" not implemented for '" + input.dtype().legacyName()
                    + "'");
        }
    }
}
