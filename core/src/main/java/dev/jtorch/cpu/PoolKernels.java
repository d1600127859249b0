package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over the planes of [N, C, H, W] (max, avg and their adaptive forms),
 * parallel over the N*C planes. Windows come precomputed from {@link PoolWindows}. Max pooling
 * records, per output, the flat index h*W + w of its maximum within the plane (PyTorch's
 * indices); its backward, shared by the adaptive form, adds each gradient at that index.
 * Inputs of any layout are read through {@link DenseOperand}; outputs are contiguous.
 */
final class PoolKernels {
    private PoolKernels() {}

    private static final int GRAIN_ELEMENTS = 1 << 14;

    private static int grain(int perPlane) { return Math.max(1, GRAIN_ELEMENTS / Math.max(1, perPlane)); }

    /** Max over each window; NaN wins, as in PyTorch; {@code indices} (int64) may be null. */
    static void max(CpuStorage x, Layout xl, CpuStorage y, CpuStorage indices, Layout yl, PoolWindows win) {
        ConvKernels.checkDtype("max_pool2d", x, y);
        DenseOperand.requireContiguous(yl, "max_pool2d output");
        DenseOperand xd = DenseOperand.of(x, xl);
        int[] in = xl.shape();
        int planes = in[0] * in[1], h = in[2], w = in[3], outPlane = win.outH() * win.outW();
        long[] idx = indices == null ? null : indices.longs();
        int yOff = yl.offset();
        boolean f32 = x.dtype() == DType.FLOAT32;
        Parallel.forRange(0, planes, grain(outPlane * 4), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = xd.offset() + p * h * w;
                int yBase = yOff + p * outPlane;
                if (f32) maxPlane(xd.floats(), xBase, w, y.floats(), idx, yBase, win);
                else maxPlane(xd.doubles(), xBase, w, y.doubles(), idx, yBase, win);
            }
        });
    }

    private static void maxPlane(float[] x, int xBase, int w, float[] y, long[] idx, int yBase, PoolWindows win) {
        if (idx == null) {
            maxPlaneValues(x, xBase, w, y, yBase, win);
            return;
        }
        for (int oh = 0, o = yBase; oh < win.outH(); oh++) {
            for (int ow = 0; ow < win.outW(); ow++, o++) {
                float best = Float.NEGATIVE_INFINITY;
                int at = win.hStart()[oh] * w + win.wStart()[ow];
                for (int ih = win.hStart()[oh]; ih < win.hEnd()[oh]; ih += win.hStep()) {
                    for (int iw = win.wStart()[ow]; iw < win.wEnd()[ow]; iw += win.wStep()) {
                        float v = x[xBase + ih * w + iw];
                        if (v > best || Float.isNaN(v)) {
                            best = v;
                            at = ih * w + iw;
                        }
                    }
                }
                y[o] = best;
                if (idx != null) idx[o] = at;
            }
        }
    }

    /** Values only (inference): Math.max is branch-free and propagates NaN, as the indexed loop does. */
    private static void maxPlaneValues(float[] x, int xBase, int w, float[] y, int yBase, PoolWindows win) {
        int[] hs = win.hStart(), he = win.hEnd(), ws = win.wStart(), we = win.wEnd();
        int hStep = win.hStep(), wStep = win.wStep();
        for (int oh = 0, o = yBase; oh < hs.length; oh++) {
            for (int ow = 0; ow < ws.length; ow++, o++) {
                float best = Float.NEGATIVE_INFINITY;
                for (int ih = hs[oh]; ih < he[oh]; ih += hStep) {
                    int row = xBase + ih * w;
                    for (int iw = ws[ow]; iw < we[ow]; iw += wStep) best = Math.max(best, x[row + iw]);
                }
                y[o] = best;
            }
        }
    }

    private static void maxPlane(double[] x, int xBase, int w, double[] y, long[] idx, int yBase, PoolWindows win) {
        for (int oh = 0, o = yBase; oh < win.outH(); oh++) {
            for (int ow = 0; ow < win.outW(); ow++, o++) {
                double best = Double.NEGATIVE_INFINITY;
                int at = win.hStart()[oh] * w + win.wStart()[ow];
                for (int ih = win.hStart()[oh]; ih < win.hEnd()[oh]; ih += win.hStep()) {
                    for (int iw = win.wStart()[ow]; iw < win.wEnd()[ow]; iw += win.wStep()) {
                        double v = x[xBase + ih * w + iw];
                        if (v > best || Double.isNaN(v)) {
                            best = v;
                            at = ih * w + iw;
                        }
                    }
                }
                y[o] = best;
                if (idx != null) idx[o] = at;
            }
        }
    }

    /** gradInput (contiguous, overwritten) gets each gradOut element added at its plane index. */
    static void maxBackward(CpuStorage gy, Layout gyl, CpuStorage indices, Layout il, CpuStorage gx, Layout gxl) {
        ConvKernels.checkDtype("max_pool2d_backward", gy, gx);
        DenseOperand.requireContiguous(gxl, "max_pool2d input gradient");
        DenseOperand gd = DenseOperand.of(gy, gyl);
        DenseOperand id = DenseOperand.of(indices, il);
        int[] in = gxl.shape(), out = gyl.shape();
        int planes = in[0] * in[1], inPlane = in[2] * in[3], outPlane = out[2] * out[3];
        boolean f32 = gy.dtype() == DType.FLOAT32;
        int gxOff = gxl.offset();
        Parallel.forRange(0, planes, grain(outPlane + inPlane), (lo, hi) -> {
            long[] idx = id.longs();
            for (int p = lo; p < hi; p++) {
                int xBase = gxOff + p * inPlane, yBase = gd.offset() + p * outPlane, iBase = id.offset() + p * outPlane;
                if (f32) {
                    float[] g = gd.floats(), dst = gx.floats();
                    java.util.Arrays.fill(dst, xBase, xBase + inPlane, 0f);
                    for (int o = 0; o < outPlane; o++) {
                        long i = idx[iBase + o];
                        if (i >= 0) dst[xBase + (int) i] += g[yBase + o];
                    }
                } else {
                    double[] g = gd.doubles(), dst = gx.doubles();
                    java.util.Arrays.fill(dst, xBase, xBase + inPlane, 0.0);
                    for (int o = 0; o < outPlane; o++) {
                        long i = idx[iBase + o];
                        if (i >= 0) dst[xBase + (int) i] += g[yBase + o];
                    }
                }
            }
        });
    }

    /** Sum over each window divided by its divisor; an empty window gives 0. */
    static void mean(CpuStorage x, Layout xl, CpuStorage y, Layout yl, PoolWindows win) {
        ConvKernels.checkDtype("avg_pool2d", x, y);
        DenseOperand.requireContiguous(yl, "avg_pool2d output");
        DenseOperand xd = DenseOperand.of(x, xl);
        int[] in = xl.shape();
        int planes = in[0] * in[1], h = in[2], w = in[3], outPlane = win.outH() * win.outW();
        boolean f32 = x.dtype() == DType.FLOAT32;
        int yOff = yl.offset();
        Parallel.forRange(0, planes, grain(outPlane * 4), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = xd.offset() + p * h * w;
                int yBase = yOff + p * outPlane;
                for (int oh = 0, o = 0; oh < win.outH(); oh++) {
                    for (int ow = 0; ow < win.outW(); ow++, o++) {
                        int h0 = win.hStart()[oh], h1 = win.hEnd()[oh], w0 = win.wStart()[ow], w1 = win.wEnd()[ow];
                        if (h0 >= h1 || w0 >= w1) {
                            if (f32) y.floats()[yBase + o] = 0f;
                            else y.doubles()[yBase + o] = 0.0;
                            continue;
                        }
                        if (f32) {
                            float[] src = xd.floats();
                            float sum = 0f;
                            for (int ih = h0; ih < h1; ih++) sum += rowSum(src, xBase + ih * w + w0, w1 - w0);
                            y.floats()[yBase + o] = (float) (sum / win.divisor()[o]);
                        } else {
                            double[] src = xd.doubles();
                            double sum = 0;
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0, at = xBase + ih * w + w0; iw < w1; iw++, at++) sum += src[at];
                            }
                            y.doubles()[yBase + o] = sum / win.divisor()[o];
                        }
                    }
                }
            }
        });
    }

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Sum of a contiguous run; vector lanes for long runs (a global average pool sums whole planes). */
    private static float rowSum(float[] a, int from, int len) {
        int i = 0;
        float sum = 0f;
        if (CpuBackend.FAST && len >= 2 * SPECIES.length()) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int bound = SPECIES.loopBound(len); i < bound; i += SPECIES.length()) {
                acc = acc.add(FloatVector.fromArray(SPECIES, a, from + i));
            }
            sum = LaneSum.of(acc);
        }
        for (; i < len; i++) sum += a[from + i];
        return sum;
    }

    /** gradInput (contiguous, overwritten): each window gets gradOut / divisor added to all its elements. */
    static void meanBackward(CpuStorage gy, Layout gyl, CpuStorage gx, Layout gxl, PoolWindows win) {
        ConvKernels.checkDtype("avg_pool2d_backward", gy, gx);
        DenseOperand.requireContiguous(gxl, "avg_pool2d input gradient");
        DenseOperand gd = DenseOperand.of(gy, gyl);
        int[] in = gxl.shape();
        int planes = in[0] * in[1], h = in[2], w = in[3], outPlane = win.outH() * win.outW();
        boolean f32 = gy.dtype() == DType.FLOAT32;
        int gxOff = gxl.offset();
        Parallel.forRange(0, planes, grain(outPlane * 4 + h * w), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = gxOff + p * h * w;
                int yBase = gd.offset() + p * outPlane;
                if (f32) java.util.Arrays.fill(gx.floats(), xBase, xBase + h * w, 0f);
                else java.util.Arrays.fill(gx.doubles(), xBase, xBase + h * w, 0.0);
                for (int oh = 0, o = 0; oh < win.outH(); oh++) {
                    for (int ow = 0; ow < win.outW(); ow++, o++) {
                        int h0 = win.hStart()[oh], h1 = win.hEnd()[oh], w0 = win.wStart()[ow], w1 = win.wEnd()[ow];
                        if (f32) {
                            float share = (float) (gd.floats()[yBase + o] / win.divisor()[o]);
                            float[] dst = gx.floats();
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0, at = xBase + ih * w + w0; iw < w1; iw++, at++) dst[at] += share;
                            }
                        } else {
                            double share = gd.doubles()[yBase + o] / win.divisor()[o];
                            double[] dst = gx.doubles();
                            for (int ih = h0; ih < h1; ih++) {
                                for (int iw = w0, at = xBase + ih * w + w0; iw < w1; iw++, at++) dst[at] += share;
                            }
                        }
                    }
                }
            }
        });
    }
}
