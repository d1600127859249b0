package dev.jtorch.backend;

import dev.jtorch.DType;
import dev.jtorch.Device;

/**
 * The kernels of one device. Every method receives storages with their layouts, so strided
 * views are read in place; shapes were already checked and broadcast by {@code dev.jtorch.ops}
 * (a broadcast operand arrives with stride 0 in the expanded dimensions). Nothing here records
 * autograd history or allocates outputs the caller did not ask for.
 *
 * <p>Host data crosses the boundary only through {@link #fromArray} and {@link #toArray}, so a
 * backend whose memory the JVM cannot read (CUDA) implements the same interface.
 */
public interface Backend {

    Device device();

    /** A new zero-filled storage. */
    Storage allocate(DType dtype, int size);

    /**
     * A storage holding the given host values. {@code array} must match the dtype: float[]
     * (float32), double[] (float64), long[] (int64), int[] (int32), short[] (int16, and the
     * raw bits of float16/bfloat16), byte[] (int8, uint8, bool as 0/1). A CPU backend may adopt
     * the array without copying: the caller hands it over.
     */
    Storage fromArray(DType dtype, Object array);

    /** A fresh host array (typed as in {@link #fromArray}) with a copy of the whole storage. */
    Object toArray(Storage storage);

    void fill(Storage dst, Layout layout, double value);

    /** Copies {@code src} into {@code dst} (same shape), converting the dtype when they differ. */
    void copy(Storage src, Layout srcLayout, Storage dst, Layout dstLayout);

    /** {@code dst = op(src)}; {@code p0}, {@code p1} are the op's scalar parameters (see {@link UnaryOp}). */
    void unary(UnaryOp op, double p0, double p1, Storage src, Layout srcLayout, Storage dst, Layout dstLayout);

    /** {@code dst = op(a, b)}; a and b share one dtype and are broadcast to dst's shape. */
    void binary(BinaryOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout);

    /** {@code dst = cond ? a : b}; cond is bool; all broadcast to dst's shape. */
    void where(Storage cond, Layout condLayout, Storage a, Layout aLayout, Storage b, Layout bLayout,
               Storage dst, Layout dstLayout);

    /**
     * Reduces {@code src} over every dimension where {@code dstLayout}'s shape is 1 and the source's
     * is not (the two layouts have the same rank).
     */
    void reduce(ReduceOp op, Storage src, Layout srcLayout, Storage dst, Layout dstLayout);

    /**
     * Max or min along {@code dim} with the index of the first extreme value; {@code outLayout}
     * has size 1 in {@code dim} and serves both outputs (values in src's dtype, indices int64).
     */
    void argReduce(boolean max, Storage src, Layout srcLayout, int dim, Storage values, Storage indices,
                   Layout outLayout);

    /**
     * Batched matrix product: a is [B, M, K], b is [B, K, N], c is [B, M, N] with unit stride in
     * its last dimension. {@code accumulate} adds into c instead of overwriting it.
     */
    void matmul(Storage a, Layout aLayout, Storage b, Layout bLayout, Storage c, Layout cLayout, boolean accumulate);

    /** {@code dst} = src with dimension {@code dim} indexed by the int64 vector {@code index}. */
    void indexSelect(Storage src, Layout srcLayout, int dim, Storage index, Layout indexLayout,
                     Storage dst, Layout dstLayout);

    /** {@code dst[..., index[i], ...] += src[..., i, ...]} along {@code dim} (the backward of indexSelect). */
    void indexAdd(Storage dst, Layout dstLayout, int dim, Storage index, Layout indexLayout,
                  Storage src, Layout srcLayout);

    /** {@code dst[i][j][k] = src[i][index[i][j][k]][k]} for dim 1, and likewise for any dim. */
    void gather(Storage src, Layout srcLayout, int dim, Storage index, Layout indexLayout,
                Storage dst, Layout dstLayout);

    /** {@code dst[i][index[i][j][k]][k] += src[i][j][k]} for dim 1 (the backward of gather). */
    void scatterAdd(Storage dst, Layout dstLayout, int dim, Storage index, Layout indexLayout,
                    Storage src, Layout srcLayout);

    // ---- spatial: convolution, pooling, upsampling over [N, C, H, W] -----------------------
    // Outputs and gradients of inputs are contiguous and overwritten; the other operands may have
    // any layout. stride, padding, dilation and kernel arrays hold {height, width}. float32 and
    // float64 at least.

    /**
     * {@code out = conv2d(input, weight) + bias}: input [N, C, H, W], weight [outC, C / groups, kH, kW],
     * bias [outC] or null, out [N, outC, outH, outW]. Computed as PyTorch's CPU convolution does
     * it (sums of products, no fast transform that trades accuracy for speed).
     */
    void conv2d(Storage input, Layout inputLayout, Storage weight, Layout weightLayout, Storage bias, Layout biasLayout,
                Storage out, Layout outLayout, int[] stride, int[] padding, int[] dilation, int groups);

    /**
     * Inference convolution with what follows it fused: {@code out = conv2d(input, weight) * scale + bias}
     * with scale and bias [outC] vectors (either may be null), then {@code + residual} when residual
     * is not null (same shape as out), then ReLU when {@code relu}. A batch norm in eval mode is
     * such a scale and bias. Nothing here is differentiated, so a backend may apply the steps while
     * the product is in cache; this default runs them one after another. A backend may also use a
     * faster algorithm with a slightly larger rounding error (Winograd's), keeping what it derives
     * from the weight in {@code weights} for the next call with the same weight.
     */
    default void conv2dInference(Storage input, Layout inputLayout, Storage weight, Layout weightLayout,
                                 Storage scale, Layout scaleLayout, Storage bias, Layout biasLayout,
                                 Storage residual, Layout residualLayout, boolean relu,
                                 Storage out, Layout outLayout, int[] stride, int[] padding, int[] dilation, int groups,
                                 WeightCache weights) {
        conv2d(input, inputLayout, weight, weightLayout, null, null, out, outLayout, stride, padding, dilation, groups);
        if (scale != null) binary(BinaryOp.MUL, out, outLayout, scale, perChannel(scaleLayout, outLayout), out, outLayout);
        if (bias != null) binary(BinaryOp.ADD, out, outLayout, bias, perChannel(biasLayout, outLayout), out, outLayout);
        if (residual != null) binary(BinaryOp.ADD, out, outLayout, residual, residualLayout, out, outLayout);
        if (relu) unary(UnaryOp.RELU, 0, 0, out, outLayout, out, outLayout);
    }

    /** A [C] vector's layout broadcast over an [N, C, H, W] output (strides 0 but along C). */
    private static Layout perChannel(Layout vector, Layout out) {
        return new Layout(out.shape(), new int[]{0, vector.strides()[0], 0, 0}, vector.offset());
    }

    /**
     * The input gradient of conv2d: {@code gradInput} (whose layout gives the input size, which
     * the output size alone does not fix) from gradOut and the weight. Also the forward of a
     * transposed convolution.
     */
    void conv2dBackwardInput(Storage gradOut, Layout gradOutLayout, Storage weight, Layout weightLayout,
                             Storage gradInput, Layout gradInputLayout, int[] stride, int[] padding, int[] dilation,
                             int groups);

    /** The weight gradient of conv2d, summed over the batch, from gradOut and the input. */
    void conv2dBackwardWeight(Storage gradOut, Layout gradOutLayout, Storage input, Layout inputLayout,
                              Storage gradWeight, Layout gradWeightLayout, int[] stride, int[] padding, int[] dilation,
                              int groups);

    /**
     * Max pooling; {@code out}'s layout gives the output size (ceil_mode already applied).
     * {@code indices} (int64, same layout as out, or null when not wanted) receives the flat index
     * {@code h * W + w} of each maximum within its plane. NaN propagates.
     */
    void maxPool2d(Storage input, Layout inputLayout, Storage out, Storage indices, Layout outLayout,
                   int[] kernel, int[] stride, int[] padding, int[] dilation);

    /**
     * ReLU's backward in one pass, PyTorch's {@code threshold_backward(grad, out, 0)}:
     * {@code dst = out <= 0 ? 0 : grad} (a NaN in out passes the gradient). One floating dtype,
     * one shape; any layouts.
     */
    void reluBackward(Storage grad, Layout gradLayout, Storage out, Layout outLayout, Storage dst, Layout dstLayout);

    /**
     * {@code gradInput[n, c].flat[indices[n, c, i]] += gradOut[n, c, i]}: the backward of max pooling
     * and of adaptive max pooling.
     */
    void maxPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage indices, Layout indicesLayout,
                           Storage gradInput, Layout gradInputLayout);

    /** Average pooling; {@code divisorOverride} 0 means none. */
    void avgPool2d(Storage input, Layout inputLayout, Storage out, Layout outLayout, int[] kernel, int[] stride,
                   int[] padding, boolean countIncludePad, int divisorOverride);

    void avgPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput, Layout gradInputLayout,
                           int[] kernel, int[] stride, int[] padding, boolean countIncludePad, int divisorOverride);

    /** Adaptive average pooling to {@code out}'s spatial size. */
    void adaptiveAvgPool2d(Storage input, Layout inputLayout, Storage out, Layout outLayout);

    void adaptiveAvgPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput, Layout gradInputLayout);

    /** Adaptive max pooling; indices as in {@link #maxPool2d} (backward: {@link #maxPool2dBackward}). */
    void adaptiveMaxPool2d(Storage input, Layout inputLayout, Storage out, Storage indices, Layout outLayout);

    /**
     * Nearest-neighbour resize to {@code out}'s spatial size. {@code scaleH}/{@code scaleW} are the
     * user's scale factors, or 0 when a size was given (PyTorch then maps with in/out instead).
     */
    void upsampleNearest2d(Storage input, Layout inputLayout, Storage out, Layout outLayout, double scaleH, double scaleW);

    void upsampleNearest2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput, Layout gradInputLayout,
                                   double scaleH, double scaleW);

    /** Bilinear resize to {@code out}'s spatial size; scales as in {@link #upsampleNearest2d}. */
    void upsampleBilinear2d(Storage input, Layout inputLayout, Storage out, Layout outLayout, boolean alignCorners,
                            double scaleH, double scaleW);

    void upsampleBilinear2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput, Layout gradInputLayout,
                                    boolean alignCorners, double scaleH, double scaleW);

    // ---- normalisation -----------------------------------------------------------------------

    /**
     * Batch normalisation of {@code input} [N, C, *] into {@code out} (contiguous, same shape).
     * Training: normalises with the batch mean and biased variance per channel and, when given,
     * moves {@code runningMean}/{@code runningVar} in place toward the batch mean and the unbiased
     * variance by {@code momentum}. Eval: normalises with the running statistics. weight, bias and
     * the running statistics are [C] or null. {@code saveMean} and {@code saveInvstd}
     * (contiguous [C], input dtype) receive the mean and 1/sqrt(var + eps) used, for the backward.
     */
    void batchNormForward(Storage input, Layout inputLayout, Storage weight, Layout weightLayout, Storage bias,
                          Layout biasLayout, Storage runningMean, Layout runningMeanLayout, Storage runningVar,
                          Layout runningVarLayout, boolean training, double momentum, double eps, Storage out,
                          Layout outLayout, Storage saveMean, Storage saveInvstd);

    /**
     * The gradients of {@link #batchNormForward} from gradOut, the input, the weight (or null) and
     * the saved statistics: {@code gradInput} (contiguous, overwritten), {@code gradWeight} and
     * {@code gradBias} (contiguous [C]); each may be null when not wanted. {@code training} says
     * whether the statistics came from the batch (and so depend on the input).
     */
    void batchNormBackward(Storage gradOut, Layout gradOutLayout, Storage input, Layout inputLayout, Storage weight,
                           Layout weightLayout, Storage saveMean, Storage saveInvstd, boolean training,
                           Storage gradInput, Layout gradInputLayout, Storage gradWeight, Storage gradBias);
}
