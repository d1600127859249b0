package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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
        int[] lanes = f32 && CpuBackend.FAST ? vectorColumns(win) : null;
        Parallel.forRange(0, planes, grain(outPlane * 4), (lo, hi) -> {
            int[] atBuf = lanes == null ? null : new int[SPECIES.length()];
            for (int p = lo; p < hi; p++) {
                int xBase = xd.offset() + p * h * w;
                int yBase = yOff + p * outPlane;
                if (lanes != null) maxPlaneVector(xd.floats(), xBase, w, y.floats(), idx, yBase, win, lanes, atBuf);
                else if (f32) maxPlane(xd.floats(), xBase, w, y.floats(), idx, yBase, win);
                else maxPlane(xd.doubles(), xBase, w, y.doubles(), idx, yBase, win);
            }
        });
    }

    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());

    /**
     * The output columns a vector of SPECIES.length() lanes can take at once: a run of columns
     * whose windows all have the full width and start a constant step apart, so lane l of a
     * block reads tap j at {@code start + l * step + j * wStep}. Returns {first, end, step} with
     * [first, end) at least one block long (the last block may overlap the one before), or null
     * when no block fits (the scalar loop then does every column). The same for every plane.
     */
    static int[] vectorColumns(PoolWindows win) {
        int[] ws = win.wStart(), we = win.wEnd();
        int outW = ws.length, lanes = SPECIES.length(), span = 0;
        for (int ow = 0; ow < outW; ow++) span = Math.max(span, we[ow] - ws[ow]);
        int a = 0;
        while (a < outW && we[a] - ws[a] != span) a++;
        if (a + 1 >= outW || we[a + 1] - ws[a + 1] != span) return null;
        int step = ws[a + 1] - ws[a], b = a + 1;
        if (step <= 0) return null;
        while (b < outW && we[b] - ws[b] == span && ws[b] - ws[b - 1] == step) b++;
        return b - a >= lanes ? new int[]{a, b, step} : null;
    }

    /**
     * float32 max pooling with SPECIES.length() output columns per vector (gathered when the
     * column step is not 1), the columns outside {@code lanes} scalar. Each lane sees its
     * window's elements in the scalar loop's order with the same rule, so values and indices are
     * the scalar loop's: with indices, the first maximum in row-major order, NaN taking over
     * (PyTorch's rule); without, Math.max semantics (lanewise MAX), as {@link #maxPlaneValues}.
     */
    private static void maxPlaneVector(float[] x, int xBase, int w, float[] y, long[] idx, int yBase, PoolWindows win,
                                       int[] lanes, int[] atBuf) {
        int[] hs = win.hStart(), he = win.hEnd(), ws = win.wStart(), we = win.wEnd();
        int hStep = win.hStep(), wStep = win.wStep(), outW = ws.length, len = SPECIES.length();
        int first = lanes[0], end = lanes[1], step = lanes[2], taps = (we[first] - ws[first] - 1) / wStep + 1;
        int[] map = new int[len];
        for (int l = 0; l < len; l++) map[l] = l * step;
        IntVector mapV = IntVector.fromArray(INT_SPECIES, map, 0);
        // A column step above 1 would need gathers: instead each input row's taps are first
        // copied apart: tap j of lane column ow at apart[(ih * taps + j) * span + ow - first].
        int span = end - first;
        float[] apart = null;
        if (step != 1) {
            apart = scratch(he[hs.length - 1] * taps * span);
            for (int ih = 0; ih < he[hs.length - 1]; ih++) {
                int src = xBase + ih * w + ws[first];
                for (int j = 0; j < taps; j++) {
                    int dst = (ih * taps + j) * span;
                    for (int l = 0, at = src + j * wStep; l < span; l++, at += step) apart[dst + l] = x[at];
                }
            }
        }
        // Values and indices in two methods, so neither is compiled with the other's branch
        // pruned (a first inference call after training would otherwise deoptimise).
        for (int oh = 0; oh < hs.length; oh++) {
            int o = yBase + oh * outW;
            maxColumns(x, xBase, w, y, idx, o, win, oh, 0, first);
            if (idx == null) maxRowValues(x, xBase, w, y, o, win, oh, lanes, taps, apart);
            else maxRowIndexed(x, xBase, w, y, idx, o, win, oh, lanes, taps, apart, mapV, atBuf);
            maxColumns(x, xBase, w, y, idx, o, win, oh, end, outW);
        }
    }

    /** Output row oh's vector blocks, values only (lanewise MAX: Math.max semantics). */
    private static void maxRowValues(float[] x, int xBase, int w, float[] y, int o, PoolWindows win, int oh, int[] lanes,
                                     int taps, float[] apart) {
        int[] hs = win.hStart(), he = win.hEnd(), ws = win.wStart();
        int hStep = win.hStep(), wStep = win.wStep(), len = SPECIES.length();
        int first = lanes[0], end = lanes[1], span = end - first;
        for (int next = first; next < end; next += len) {
            int ow = Math.min(next, end - len); // a last, partial block is redone overlapping
            FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int ih = hs[oh]; ih < he[oh]; ih += hStep) {
                int rowOff = ih * w;
                for (int j = 0, col = ws[ow]; j < taps; j++, col += wStep) {
                    best = best.max(apart == null ? FloatVector.fromArray(SPECIES, x, xBase + rowOff + col)
                            : FloatVector.fromArray(SPECIES, apart, (ih * taps + j) * span + ow - first));
                }
            }
            best.intoArray(y, o + ow);
        }
    }

    /** Output row oh's vector blocks with indices: per lane, the scalar loop's order and rule. */
    private static void maxRowIndexed(float[] x, int xBase, int w, float[] y, long[] idx, int o, PoolWindows win, int oh,
                                      int[] lanes, int taps, float[] apart, IntVector mapV, int[] atBuf) {
        int[] hs = win.hStart(), he = win.hEnd(), ws = win.wStart();
        int hStep = win.hStep(), wStep = win.wStep(), len = SPECIES.length();
        int first = lanes[0], end = lanes[1], span = end - first;
        for (int next = first; next < end; next += len) {
            int ow = Math.min(next, end - len); // a last, partial block is redone overlapping
            FloatVector best = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            IntVector at = mapV.add(hs[oh] * w + ws[ow]);
            for (int ih = hs[oh]; ih < he[oh]; ih += hStep) {
                int rowOff = ih * w;
                for (int j = 0, col = ws[ow]; j < taps; j++, col += wStep) {
                    FloatVector v = apart == null ? FloatVector.fromArray(SPECIES, x, xBase + rowOff + col)
                            : FloatVector.fromArray(SPECIES, apart, (ih * taps + j) * span + ow - first);
                    VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
                    best = best.blend(v, take);
                    at = at.blend(mapV.add(rowOff + col), take.cast(INT_SPECIES));
                }
            }
            best.intoArray(y, o + ow);
            at.intoArray(atBuf, 0);
            for (int l = 0; l < len; l++) idx[o + ow + l] = atBuf[l];
        }
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /** Output columns [from, to) of output row oh, scalar, by the rules of maxPlane / maxPlaneValues. */
    private static void maxColumns(float[] x, int xBase, int w, float[] y, long[] idx, int rowOut, PoolWindows win,
                                   int oh, int from, int to) {
        int[] hs = win.hStart(), he = win.hEnd(), ws = win.wStart(), we = win.wEnd();
        int hStep = win.hStep(), wStep = win.wStep();
        for (int ow = from; ow < to; ow++) {
            float best = Float.NEGATIVE_INFINITY;
            int at = hs[oh] * w + ws[ow];
            for (int ih = hs[oh]; ih < he[oh]; ih += hStep) {
                for (int iw = ws[ow]; iw < we[ow]; iw += wStep) {
                    float v = x[xBase + ih * w + iw];
                    if (idx == null) {
                        best = Math.max(best, v);
                    } else if (v > best || Float.isNaN(v)) {
                        best = v;
                        at = ih * w + iw;
                    }
                }
            }
            y[rowOut + ow] = best;
            if (idx != null) idx[rowOut + ow] = at;
        }
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
                idx[o] = at;
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
