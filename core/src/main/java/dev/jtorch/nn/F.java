package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.ValuesIndices;

import java.util.List;

/** {@code torch.nn.functional}: the stateless forms of the layers. */
public final class F {
    private F() {}

    /** y = x W^T + b; a 2-D input takes one fused addmm, others a broadcast matmul. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() == 2 && bias != null) return Torch.addmm(bias, input, weight.t());
        Tensor out = input.matmul(weight.t());
        return bias == null ? out : out.add(bias);
    }

    public static Tensor relu(Tensor x) { return x.relu(); }

    public static Tensor relu(Tensor x, boolean inplace) { return inplace ? x.relu_() : x.relu(); }

    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    public static Tensor tanh(Tensor x) { return x.tanh(); }

    /**
     * Zeroes each element with probability p during training and scales the rest by 1/(1-p), so
     * evaluation needs no rescaling.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, boolean inplace) {
        checkProbability(p);
        if (!training || p == 0) return x;
        Tensor mask = p == 1 ? Torch.zerosLike(x) : Torch.bernoulli(Torch.fullLike(x, 1 - p)).div(1 - p);
        return inplace ? x.mul_(mask) : x.mul(mask);
    }

    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, false); }

    static void checkProbability(double p) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
    }

    /** {@code F.pad(x, pad, mode="constant", value=value)}. */
    public static Tensor pad(Tensor x, int[] pad, double value) { return x.pad(pad, value); }

    public static Tensor pad(Tensor x, int... pad) { return x.pad(pad, 0); }

    public static Tensor cat(List<Tensor> tensors, int dim) { return Torch.cat(tensors, dim); }

    public static Tensor unsqueeze(Tensor x, int dim) { return x.unsqueeze(dim); }

    /** One-hot rows of int64 class indices (PyTorch's {@code F.one_hot}), as int64. */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        long[] idx = indices.toLongArray();
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = numClasses;
        long[] out = new long[idx.length * numClasses];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= numClasses) throw new IllegalArgumentException("Class values must be smaller than num_classes.");
            out[i * numClasses + (int) idx[i]] = 1;
        }
        return Torch.tensor(out, shape).to(DType.INT64);
    }

    // ---- activations -----------------------------------------------------------------------

    /** {@code F.gelu(x, approximate='none')}: x * Phi(x), through erf. */
    public static Tensor gelu(Tensor x) { return gelu(x, "none"); }

    /** {@code approximate} is "none" (exact, erf) or "tanh" (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))). */
    public static Tensor gelu(Tensor x, String approximate) {
        return switch (approximate) {
            case "none" -> x.mul(x.mul(1 / Math.sqrt(2)).erf().add(1)).mul(0.5);
            case "tanh" -> {
                Tensor inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
                yield x.mul(inner.tanh().add(1)).mul(0.5);
            }
            default -> throw new IllegalArgumentException("approximate argument must be either none or tanh.");
        };
    }

    /** {@code F.leaky_relu(x, negative_slope=0.01, inplace=False)}; the gradient at 0 is the slope, as PyTorch's. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope, boolean inplace) {
        Tensor out = Torch.where(x.gt(0), x, x.mul(negativeSlope));
        return inplace ? inPlace(x, out) : out;
    }

    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return leakyRelu(x, negativeSlope, false); }

    public static Tensor leakyRelu(Tensor x) { return leakyRelu(x, 0.01, false); }

    /**
     * {@code F.relu6}: min(max(x, 0), 6). PyTorch computes it as hardtanh, whose gradient is zero at
     * both ends (0 and 6 themselves), unlike clamp's; the same here.
     */
    public static Tensor relu6(Tensor x, boolean inplace) { return hardtanh(x, 0, 6, inplace); }

    public static Tensor relu6(Tensor x) { return relu6(x, false); }

    /** {@code F.hardtanh(x, min_val, max_val)}: clamp with a gradient only strictly inside (min, max). */
    public static Tensor hardtanh(Tensor x, double minVal, double maxVal, boolean inplace) {
        Tensor above = x.gt(minVal);
        Tensor inside = Torch.where(above, x.lt(maxVal), above);
        Tensor out = Torch.where(inside, x, x.detach().clamp(minVal, maxVal));
        return inplace ? inPlace(x, out) : out;
    }

    /** Writes an out-of-place result back into x, recording the in-place op for autograd. */
    private static Tensor inPlace(Tensor x, Tensor out) { return dev.jtorch.ops.InPlace.assign(x, out); }

    /**
     * {@code F.dropout2d} ({@code feature_dropout}): zeroes whole channels, one draw per (sample,
     * channel) of an {@code [N, C, ...]} input, and scales the kept ones by 1/(1-p). A 3-D input is
     * {@code [N, C, L]}, as PyTorch 1.13 reads it.
     */
    public static Tensor dropout2d(Tensor x, double p, boolean training, boolean inplace) {
        checkProbability(p);
        if (!training || p == 0) return x;
        if (x.dim() < 2) throw new IllegalArgumentException("Feature dropout requires at least 2 dimensions in the input");
        int[] maskShape = new int[x.dim()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[0] = x.size(0);
        maskShape[1] = x.size(1);
        Tensor mask = p == 1 ? Torch.zeros(x.dtype(), maskShape)
                : Torch.bernoulli(Torch.full(1 - p, x.dtype(), maskShape)).div(1 - p);
        return inplace ? x.mul_(mask) : x.mul(mask);
    }

    public static Tensor dropout2d(Tensor x, double p, boolean training) { return dropout2d(x, p, training, false); }

    // ---- convolution -----------------------------------------------------------------------

    /**
     * {@code F.conv2d(input, weight, bias, stride, padding, dilation, groups)} over {@code [N, C, H, W]}
     * (or unbatched {@code [C, H, W]}); weight {@code [out, in/groups, kH, kW]}, bias may be null.
     * Each int[] holds one value for both dims or {height, width}.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return dev.jtorch.ops.Convolution.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code padding="same"} (stride 1; an odd total pads the extra row/column at the end) or {@code "valid"}. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation,
                                int groups) {
        return dev.jtorch.ops.Convolution.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** Stride 1, no padding, no dilation, one group. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return conv2d(input, weight, bias, new int[]{1}, new int[]{0}, new int[]{1}, 1);
    }

    /**
     * {@code F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)};
     * weight {@code [in, out/groups, kH, kW]}.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        return dev.jtorch.ops.Convolution.convTranspose2d(input, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
        return convTranspose2d(input, weight, bias, new int[]{1}, new int[]{0}, new int[]{0}, 1, new int[]{1});
    }

    // ---- pooling and upsampling ------------------------------------------------------------

    /**
     * {@code F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)} over {@code [N, C, H, W]}
     * or {@code [C, H, W]}; each int[] holds one value or {height, width}, a null stride means the kernel.
     */
    public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return dev.jtorch.ops.Pooling.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    /** {@code F.max_pool2d(input, kernel_size)}: stride = kernel, no padding. */
    public static Tensor maxPool2d(Tensor input, int... kernelSize) {
        return maxPool2d(input, kernelSize, null, new int[]{0}, new int[]{1}, false);
    }

    /** {@code return_indices=True}: also the flat index {@code h * W + w} of each maximum in its plane (int64). */
    public static ValuesIndices maxPool2dWithIndices(Tensor input, int[] kernelSize, int[] stride, int[] padding,
                                                     int[] dilation, boolean ceilMode) {
        return dev.jtorch.ops.Pooling.maxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);
    }

    /**
     * {@code F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)};
     * a null stride means the kernel, a null divisorOverride divides by the window.
     */
    public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad, Integer divisorOverride) {
        return dev.jtorch.ops.Pooling.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
    }

    /** {@code F.avg_pool2d(input, kernel_size)}: stride = kernel, no padding. */
    public static Tensor avgPool2d(Tensor input, int... kernelSize) {
        return avgPool2d(input, kernelSize, null, new int[]{0}, false, true, null);
    }

    /** {@code F.adaptive_avg_pool2d(input, output_size)}: one size or {h, w}. */
    public static Tensor adaptiveAvgPool2d(Tensor input, int... outputSize) {
        return dev.jtorch.ops.Pooling.adaptiveAvgPool2d(input, outputSize);
    }

    /** {@code F.adaptive_max_pool2d(input, output_size)}: the maxima. */
    public static Tensor adaptiveMaxPool2d(Tensor input, int... outputSize) {
        return adaptiveMaxPool2dWithIndices(input, outputSize).values();
    }

    /** {@code F.adaptive_max_pool2d(input, output_size, return_indices=True)}. */
    public static ValuesIndices adaptiveMaxPool2dWithIndices(Tensor input, int... outputSize) {
        return dev.jtorch.ops.Pooling.adaptiveMaxPool2d(input, outputSize);
    }

    /**
     * {@code F.interpolate(input, size, scale_factor, mode, align_corners)} for 4-D input, modes
     * "nearest" and "bilinear". Give exactly one of size and scaleFactor (one value or {h, w});
     * alignCorners may be null (PyTorch's None, allowed for every mode, meaning false).
     */
    public static Tensor interpolate(Tensor input, int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        return dev.jtorch.ops.Upsampling.interpolate(input, size, scaleFactor, mode, alignCorners, null);
    }

    /** {@code F.interpolate(input, scale_factor=s, mode=mode)}. */
    public static Tensor interpolate(Tensor input, double scaleFactor, String mode) {
        return interpolate(input, null, new double[]{scaleFactor}, mode, null);
    }

    /** {@code F.interpolate(input, size=(h, w), mode=mode)}. */
    public static Tensor interpolate(Tensor input, int[] size, String mode) {
        return interpolate(input, size, null, mode, null);
    }

    // ---- normalisation ---------------------------------------------------------------------

    /**
     * {@code F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)} over
     * dim 1 of {@code [N, C, ...]}. Training normalises with the batch mean and biased variance and,
     * when running stats are given, moves them by {@code momentum} toward the batch mean and the
     * unbiased variance (without recording history). Otherwise the running stats normalise.
     * One fused op ({@link dev.jtorch.ops.Normalization#batchNorm}) with its own backward.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (input.dim() < 2) {
            throw new IllegalArgumentException("batch_norm: expected an input of at least 2 dimensions [N, C, ...], got "
                    + input.dim() + "D");
        }
        if (training) {
            long perChannel = input.numel() / Math.max(input.size(1), 1);
            if (perChannel == 1) {
                throw new IllegalArgumentException("Expected more than 1 value per channel when training, got input size "
                        + torchSize(input.shape()));
            }
        } else if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("running_mean and running_var must be defined in evaluation mode");
        }
        return dev.jtorch.ops.Normalization.batchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** PyTorch's {@code torch.Size([2, 3])} spelling, for error messages. */
    static String torchSize(int[] shape) {
        StringBuilder sb = new StringBuilder("torch.Size([");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append("])").toString();
    }

    // ---- embedding -------------------------------------------------------------------------

    /**
     * {@code F.embedding(input, weight, padding_idx)}: rows of {@code weight} picked by the int64/int32
     * indices of {@code input}, shape {@code input.shape + [embedding_dim]}. The row at
     * {@code paddingIdx} (null for none; negative counts from the end) is looked up as usual but
     * receives no gradient.
     */
    public static Tensor embedding(Tensor input, Tensor weight, Integer paddingIdx) {
        if (input.isFloatingPoint() || input.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("Expected tensor for argument #1 'indices' to have one of the following scalar "
                    + "types: Long, Int; but got " + input.dtype().pyName() + " instead (while checking arguments for embedding)");
        }
        if (weight.dim() != 2) throw new IllegalArgumentException("'weight' must be 2-D");
        int[] outShape = java.util.Arrays.copyOf(input.shape(), input.dim() + 1);
        outShape[input.dim()] = weight.size(1);
        Tensor flat = input.reshape(-1);
        Tensor rows = weight.indexSelect(0, flat);
        if (paddingIdx != null) {
            int pad = normalisePaddingIdx(paddingIdx, weight.size(0));
            rows = Torch.where(flat.eq(pad).unsqueeze(1), rows.detach(), rows);
        }
        return rows.reshape(outShape);
    }

    public static Tensor embedding(Tensor input, Tensor weight) { return embedding(input, weight, null); }

    static int normalisePaddingIdx(int paddingIdx, int numEmbeddings) {
        if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
            throw new IllegalArgumentException(paddingIdx >= 0 ? "Padding_idx must be within num_embeddings"
                    : "Padding_idx must be within num_embedding");
        }
        return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    }

    // ---- losses (PyTorch 1.13 semantics; see Losses for the few deliberate differences) ----------

    /** {@code F.cross_entropy(input, target)}: class indices (int64) or class probabilities (input's shape). */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target, null, -100, Reduction.MEAN, 0);
    }

    /**
     * {@code F.cross_entropy(input, target, weight, ignore_index=..., reduction=..., label_smoothing=...)}.
     * Input [C], [N, C] or [N, C, d1, ...]; target of class indices ([], [N], [N, d1, ...]) or of
     * probabilities (the input's shape). The weighted mean divides by the summed weights of the kept targets.
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction,
                                      double labelSmoothing) {
        return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    /** {@code F.nll_loss(input, target)} over log-probabilities. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return Losses.nllLoss(input, target, null, -100, Reduction.MEAN);
    }

    /** {@code F.nll_loss(input, target, weight, ignore_index=..., reduction=...)}. */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        return Losses.nllLoss(input, target, weight, ignoreIndex, reduction);
    }

    /** {@code F.mse_loss}; input and target must have the same shape (PyTorch only warns). */
    public static Tensor mseLoss(Tensor input, Tensor target) { return Losses.mseLoss(input, target, Reduction.MEAN); }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return Losses.mseLoss(input, target, reduction);
    }

    /** {@code F.l1_loss}; input and target must have the same shape (PyTorch only warns). */
    public static Tensor l1Loss(Tensor input, Tensor target) { return Losses.l1Loss(input, target, Reduction.MEAN); }

    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return Losses.l1Loss(input, target, reduction);
    }

    /** {@code F.binary_cross_entropy(input, target)}: input probabilities in [0, 1]; each log is clamped at -100. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropy(input, target, null, Reduction.MEAN);
    }

    /** {@code F.binary_cross_entropy(input, target, weight, reduction=...)}; weight broadcasts to the target. */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        return Losses.binaryCrossEntropy(input, target, weight, reduction);
    }

    /** {@code F.binary_cross_entropy_with_logits(input, target)}: sigmoid and BCE in one stable formula. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target, null, Reduction.MEAN, null);
    }

    /** {@code F.binary_cross_entropy_with_logits(input, target, weight, reduction=..., pos_weight=...)}. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                      Tensor posWeight) {
        return Losses.binaryCrossEntropyWithLogits(input, target, weight, reduction, posWeight);
    }
}
