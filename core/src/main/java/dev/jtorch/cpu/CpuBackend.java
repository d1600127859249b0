package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.ReduceOp;
import dev.jtorch.backend.Storage;
import dev.jtorch.backend.UnaryOp;
import dev.jtorch.backend.WeightCache;

/**
 * The CPU backend: float32 work goes to the fast kernels ({@link FloatKernels}, {@link Gemm}),
 * everything else (and everything, under {@code -Djtorch.simd=false}) to {@link ReferenceKernels}.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    /** Read once: the fast kernels are on unless {@code -Djtorch.simd=false}. */
    public static final boolean FAST = Boolean.parseBoolean(System.getProperty("jtorch.simd", "true"));

    private CpuBackend() {}

    private static CpuStorage cpu(Storage s) {
        if (s instanceof CpuStorage c) return c;
        throw new IllegalArgumentException("Expected all tensors to be on the same device, but found at least two devices, cpu and "
                + s.device());
    }

    private static boolean fastFloat(Storage... storages) {
        if (!FAST) return false;
        for (Storage s : storages) if (s.dtype() != DType.FLOAT32) return false;
        return true;
    }

    private static boolean isByte(DType t) {
        return t == DType.BOOL || t == DType.INT8 || t == DType.UINT8;
    }

    @Override public Device device() { return Device.CPU; }

    @Override public Storage allocate(DType dtype, int size) { return CpuStorage.allocate(dtype, size); }

    @Override public Storage fromArray(DType dtype, Object array) { return new CpuStorage(dtype, array); }

    @Override public Object toArray(Storage storage) {
        Object data = cpu(storage).array();
        int n = java.lang.reflect.Array.getLength(data);
        Object copy = CpuStorage.newArray(storage.dtype(), n);
        System.arraycopy(data, 0, copy, 0, n);
        return copy;
    }

    @Override public void fill(Storage dst, Layout layout, double value) {
        if (fastFloat(dst)) FloatKernels.fill(cpu(dst), layout, (float) value);
        else ReferenceKernels.fill(cpu(dst), layout, value);
    }

    @Override public void copy(Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        if (fastFloat(src, dst)) FloatKernels.copy(cpu(src), srcLayout, cpu(dst), dstLayout);
        else if (fastFloat(dst) && isByte(src.dtype())) FloatKernels.copyFromBytes(cpu(src), srcLayout, cpu(dst), dstLayout);
        else ReferenceKernels.copy(cpu(src), srcLayout, cpu(dst), dstLayout);
    }

    @Override public void unary(UnaryOp op, double p0, double p1, Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        if (fastFloat(src, dst)) FloatKernels.unary(op, p0, p1, cpu(src), srcLayout, cpu(dst), dstLayout);
        else ReferenceKernels.unary(op, p0, p1, cpu(src), srcLayout, cpu(dst), dstLayout);
    }

    @Override public void binary(BinaryOp op, Storage a, Layout aLayout, Storage b, Layout bLayout, Storage dst, Layout dstLayout) {
        if (fastFloat(a, b) && (dst.dtype() == DType.FLOAT32 || op.isComparison())) {
            FloatKernels.binary(op, cpu(a), aLayout, cpu(b), bLayout, cpu(dst), dstLayout);
        } else {
            ReferenceKernels.binary(op, cpu(a), aLayout, cpu(b), bLayout, cpu(dst), dstLayout);
        }
    }

    @Override public void where(Storage cond, Layout condLayout, Storage a, Layout aLayout, Storage b, Layout bLayout,
                                Storage dst, Layout dstLayout) {
        ReferenceKernels.where(cpu(cond), condLayout, cpu(a), aLayout, cpu(b), bLayout, cpu(dst), dstLayout);
    }

    @Override public void reduce(ReduceOp op, Storage src, Layout srcLayout, Storage dst, Layout dstLayout) {
        if (fastFloat(src, dst)) FloatKernels.reduce(op, cpu(src), srcLayout, cpu(dst), dstLayout);
        else ReferenceKernels.reduce(op, cpu(src), srcLayout, cpu(dst), dstLayout);
    }

    @Override public void argReduce(boolean max, Storage src, Layout srcLayout, int dim, Storage values, Storage indices,
                                    Layout outLayout) {
        ReferenceKernels.argReduce(max, cpu(src), srcLayout, dim, values == null ? null : cpu(values), cpu(indices), outLayout);
    }

    @Override public void matmul(Storage a, Layout la, Storage b, Layout lb, Storage c, Layout lc, boolean accumulate) {
        int batch = lc.shape()[0], m = lc.shape()[1], n = lc.shape()[2], k = la.shape()[2];
        if (lc.strides()[2] != 1 && n > 1) throw new IllegalArgumentException("matmul output rows must be contiguous: " + lc);
        if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32 && c.dtype() == DType.FLOAT32) {
            float[] x = cpu(a).floats(), y = cpu(b).floats(), z = cpu(c).floats();
            for (int i = 0; i < batch; i++) {
                int ao = la.offset() + i * la.strides()[0], bo = lb.offset() + i * lb.strides()[0];
                int co = lc.offset() + i * lc.strides()[0];
                if (FAST) {
                    Gemm.sgemm(m, n, k, x, ao, la.strides()[1], la.strides()[2], y, bo, lb.strides()[1], lb.strides()[2],
                            z, co, lc.strides()[1], accumulate);
                } else {
                    Gemm.sgemmReference(m, n, k, x, ao, la.strides()[1], la.strides()[2], y, bo, lb.strides()[1],
                            lb.strides()[2], z, co, lc.strides()[1], accumulate);
                }
            }
        } else if (a.dtype() == DType.FLOAT64 && b.dtype() == DType.FLOAT64 && c.dtype() == DType.FLOAT64) {
            double[] x = cpu(a).doubles(), y = cpu(b).doubles(), z = cpu(c).doubles();
            for (int i = 0; i < batch; i++) {
                Gemm.dgemm(m, n, k, x, la.offset() + i * la.strides()[0], la.strides()[1], la.strides()[2],
                        y, lb.offset() + i * lb.strides()[0], lb.strides()[1], lb.strides()[2],
                        z, lc.offset() + i * lc.strides()[0], lc.strides()[1], accumulate);
            }
        } else {
            ReferenceKernels.matmul(cpu(a), la, cpu(b), lb, cpu(c), lc, accumulate);
        }
    }

    @Override public void indexSelect(Storage src, Layout srcLayout, int dim, Storage index, Layout indexLayout,
                                      Storage dst, Layout dstLayout) {
        ReferenceKernels.indexSelect(cpu(src), srcLayout, dim, cpu(index), indexLayout, cpu(dst), dstLayout, false);
    }

    @Override public void indexAdd(Storage dst, Layout dstLayout, int dim, Storage index, Layout indexLayout,
                                   Storage src, Layout srcLayout) {
        ReferenceKernels.indexSelect(cpu(dst), dstLayout, dim, cpu(index), indexLayout, cpu(src), srcLayout, true);
    }

    @Override public void gather(Storage src, Layout srcLayout, int dim, Storage index, Layout indexLayout,
                                 Storage dst, Layout dstLayout) {
        ReferenceKernels.gather(cpu(src), srcLayout, dim, cpu(index), indexLayout, cpu(dst), dstLayout, false);
    }

    @Override public void scatterAdd(Storage dst, Layout dstLayout, int dim, Storage index, Layout indexLayout,
                                     Storage src, Layout srcLayout) {
        ReferenceKernels.gather(cpu(dst), dstLayout, dim, cpu(index), indexLayout, cpu(src), srcLayout, true);
    }

    // ---- spatial ---------------------------------------------------------------------------

    @Override public void conv2d(Storage input, Layout inputLayout, Storage weight, Layout weightLayout, Storage bias,
                                 Layout biasLayout, Storage out, Layout outLayout, int[] stride, int[] padding,
                                 int[] dilation, int groups) {
        ConvKernels.forward(cpu(input), inputLayout, cpu(weight), weightLayout, bias == null ? null : cpu(bias), biasLayout,
                cpu(out), outLayout, stride, padding, dilation, groups);
    }

    @Override public void conv2dInference(Storage input, Layout inputLayout, Storage weight, Layout weightLayout,
                                          Storage scale, Layout scaleLayout, Storage bias, Layout biasLayout,
                                          Storage residual, Layout residualLayout, boolean relu, Storage out,
                                          Layout outLayout, int[] stride, int[] padding, int[] dilation, int groups,
                                          WeightCache weights) {
        if (input.dtype() != DType.FLOAT32) { // float64 (gradient checks): one step after another
            Backend.super.conv2dInference(input, inputLayout, weight, weightLayout, scale, scaleLayout, bias, biasLayout,
                    residual, residualLayout, relu, out, outLayout, stride, padding, dilation, groups, weights);
            return;
        }
        ConvKernels.forwardFused(cpu(input), inputLayout, cpu(weight), weightLayout, scale == null ? null : cpu(scale),
                scaleLayout, bias == null ? null : cpu(bias), biasLayout, residual == null ? null : cpu(residual),
                residualLayout, relu, cpu(out), outLayout, stride, padding, dilation, groups, weights);
    }

    @Override public void conv2dBackwardInput(Storage gradOut, Layout gradOutLayout, Storage weight, Layout weightLayout,
                                              Storage gradInput, Layout gradInputLayout, int[] stride, int[] padding,
                                              int[] dilation, int groups) {
        ConvKernels.backwardInput(cpu(gradOut), gradOutLayout, cpu(weight), weightLayout, cpu(gradInput), gradInputLayout,
                stride, padding, dilation, groups);
    }

    @Override public void conv2dBackwardWeight(Storage gradOut, Layout gradOutLayout, Storage input, Layout inputLayout,
                                               Storage gradWeight, Layout gradWeightLayout, int[] stride, int[] padding,
                                               int[] dilation, int groups) {
        ConvKernels.backwardWeight(cpu(gradOut), gradOutLayout, cpu(input), inputLayout, cpu(gradWeight), gradWeightLayout,
                stride, padding, dilation, groups);
    }

    @Override public void maxPool2d(Storage input, Layout inputLayout, Storage out, Storage indices, Layout outLayout,
                                    int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] in = inputLayout.shape(), o = outLayout.shape();
        PoolKernels.max(cpu(input), inputLayout, cpu(out), indices == null ? null : cpu(indices), outLayout,
                PoolWindows.max(in[2], in[3], o[2], o[3], kernel, stride, padding, dilation));
    }

    @Override public void reluBackward(Storage grad, Layout gradLayout, Storage out, Layout outLayout, Storage dst,
                                       Layout dstLayout) {
        if (fastFloat(grad, out, dst)) FloatKernels.reluBackward(cpu(grad), gradLayout, cpu(out), outLayout, cpu(dst), dstLayout);
        else FloatKernels.reluBackwardScalar(cpu(grad), gradLayout, cpu(out), outLayout, cpu(dst), dstLayout);
    }

    @Override public void maxPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage indices, Layout indicesLayout,
                                            Storage gradInput, Layout gradInputLayout) {
        PoolKernels.maxBackward(cpu(gradOut), gradOutLayout, cpu(indices), indicesLayout, cpu(gradInput), gradInputLayout);
    }

    @Override public void avgPool2d(Storage input, Layout inputLayout, Storage out, Layout outLayout, int[] kernel,
                                    int[] stride, int[] padding, boolean countIncludePad, int divisorOverride) {
        int[] in = inputLayout.shape(), o = outLayout.shape();
        PoolKernels.mean(cpu(input), inputLayout, cpu(out), outLayout,
                PoolWindows.avg(in[2], in[3], o[2], o[3], kernel, stride, padding, countIncludePad, divisorOverride));
    }

    @Override public void avgPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput, Layout gradInputLayout,
                                            int[] kernel, int[] stride, int[] padding, boolean countIncludePad,
                                            int divisorOverride) {
        int[] in = gradInputLayout.shape(), o = gradOutLayout.shape();
        PoolKernels.meanBackward(cpu(gradOut), gradOutLayout, cpu(gradInput), gradInputLayout,
                PoolWindows.avg(in[2], in[3], o[2], o[3], kernel, stride, padding, countIncludePad, divisorOverride));
    }

    @Override public void adaptiveAvgPool2d(Storage input, Layout inputLayout, Storage out, Layout outLayout) {
        int[] in = inputLayout.shape(), o = outLayout.shape();
        PoolKernels.mean(cpu(input), inputLayout, cpu(out), outLayout, PoolWindows.adaptive(in[2], in[3], o[2], o[3], true));
    }

    @Override public void adaptiveAvgPool2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput,
                                                    Layout gradInputLayout) {
        int[] in = gradInputLayout.shape(), o = gradOutLayout.shape();
        PoolKernels.meanBackward(cpu(gradOut), gradOutLayout, cpu(gradInput), gradInputLayout,
                PoolWindows.adaptive(in[2], in[3], o[2], o[3], true));
    }

    @Override public void adaptiveMaxPool2d(Storage input, Layout inputLayout, Storage out, Storage indices,
                                            Layout outLayout) {
        int[] in = inputLayout.shape(), o = outLayout.shape();
        PoolKernels.max(cpu(input), inputLayout, cpu(out), indices == null ? null : cpu(indices), outLayout,
                PoolWindows.adaptive(in[2], in[3], o[2], o[3], false));
    }

    @Override public void upsampleNearest2d(Storage input, Layout inputLayout, Storage out, Layout outLayout,
                                            double scaleH, double scaleW) {
        UpsampleKernels.nearest(cpu(input), inputLayout, cpu(out), outLayout, scaleH, scaleW);
    }

    @Override public void upsampleNearest2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput,
                                                    Layout gradInputLayout, double scaleH, double scaleW) {
        UpsampleKernels.nearestBackward(cpu(gradOut), gradOutLayout, cpu(gradInput), gradInputLayout, scaleH, scaleW);
    }

    @Override public void upsampleBilinear2d(Storage input, Layout inputLayout, Storage out, Layout outLayout,
                                             boolean alignCorners, double scaleH, double scaleW) {
        UpsampleKernels.bilinear(cpu(input), inputLayout, cpu(out), outLayout, alignCorners, scaleH, scaleW);
    }

    @Override public void upsampleBilinear2dBackward(Storage gradOut, Layout gradOutLayout, Storage gradInput,
                                                     Layout gradInputLayout, boolean alignCorners, double scaleH,
                                                     double scaleW) {
        UpsampleKernels.bilinearBackward(cpu(gradOut), gradOutLayout, cpu(gradInput), gradInputLayout, alignCorners,
                scaleH, scaleW);
    }

    // ---- normalisation -----------------------------------------------------------------------

    private static CpuStorage cpuOrNull(Storage s) { return s == null ? null : cpu(s); }

    @Override public void batchNormForward(Storage input, Layout inputLayout, Storage weight, Layout weightLayout,
                                           Storage bias, Layout biasLayout, Storage runningMean,
                                           Layout runningMeanLayout, Storage runningVar, Layout runningVarLayout,
                                           boolean training, double momentum, double eps, Storage out,
                                           Layout outLayout, Storage saveMean, Storage saveInvstd) {
        BatchNormKernels.forward(cpu(input), inputLayout, cpuOrNull(weight), weightLayout, cpuOrNull(bias), biasLayout,
                cpuOrNull(runningMean), runningMeanLayout, cpuOrNull(runningVar), runningVarLayout, training, momentum,
                eps, cpu(out), outLayout, cpu(saveMean), cpu(saveInvstd));
    }

    @Override public void batchNormBackward(Storage gradOut, Layout gradOutLayout, Storage input, Layout inputLayout,
                                            Storage weight, Layout weightLayout, Storage saveMean, Storage saveInvstd,
                                            boolean training, Storage gradInput, Layout gradInputLayout,
                                            Storage gradWeight, Storage gradBias) {
        BatchNormKernels.backward(cpu(gradOut), gradOutLayout, cpu(input), inputLayout, cpuOrNull(weight), weightLayout,
                cpu(saveMean), cpu(saveInvstd), training, cpuOrNull(gradInput), gradInputLayout, cpuOrNull(gradWeight),
                cpuOrNull(gradBias));
    }
}
