package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.WeightCache;

import java.util.Arrays;

/**
 * Convolution as im2col + GEMM, per image and group: the output of group g of image n is
 * W_g [outC/g x depth] times col [depth x outH*outW]. The column matrix lives in a per-thread
 * buffer reused across calls; a 1x1 stride-1 unpadded convolution skips it and multiplies the
 * input planes directly. The two gradients are the same products transposed: the input
 * gradient is col2im(W_gᵀ · gradOut) and the weight gradient sums gradOut · colᵀ over the batch.
 * float32 runs on {@link Gemm#sgemm}, float64 (gradient checks) on {@link Gemm#dgemm}.
 *
 * <p>Transposed operands cost the float GEMM a strided packing pass, so float32 avoids handing it
 * large ones: Wᵀ is transposed once per call rather than packed once per image, and the weight
 * gradient is computed as its transpose (col · gradOutᵀ, with several small-plane images side by
 * side) whenever gradOut is the smaller matrix to pack. With small planes the float32 forward and
 * input gradient put several images side by side in one GEMM ({@link ConvImageBatch}).
 */
final class ConvKernels {
    private ConvKernels() {}

    /** Per-thread column buffers, grown on demand; released only with the thread. */
    private static final ThreadLocal<float[][]> FLOAT_COLUMNS = ThreadLocal.withInitial(() -> new float[][]{new float[0]});
    private static final ThreadLocal<double[][]> DOUBLE_COLUMNS = ThreadLocal.withInitial(() -> new double[][]{new double[0]});

    /** Depth of the weight-gradient product the images of a batch are grouped to reach. */
    private static final int BATCH_K = 512;

    static float[] floatColumns(int size) {
        float[][] holder = FLOAT_COLUMNS.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    private static double[] doubleColumns(int size) {
        double[][] holder = DOUBLE_COLUMNS.get();
        if (holder[0].length < size) holder[0] = new double[size];
        return holder[0];
    }

    static void checkDtype(String op, CpuStorage... storages) {
        DType t = storages[0].dtype();
        if (t != DType.FLOAT32 && t != DType.FLOAT64) {
            throw new UnsupportedOperationException("\"" + op + "\" not implemented for '" + t.legacyName() + "'");
        }
        for (CpuStorage s : storages) {
            if (s != null && s.dtype() != t) {
                throw new IllegalArgumentException("expected scalar type " + t.legacyName() + " but found "
                        + s.dtype().legacyName());
            }
        }
    }

    /** out = conv2d(x, w) + bias; out contiguous. */
    static void forward(CpuStorage x, Layout xl, CpuStorage w, Layout wl, CpuStorage bias, Layout bl,
                        CpuStorage y, Layout yl, int[] stride, int[] padding, int[] dilation, int groups) {
        checkDtype("slow_conv2d_cpu", x, w, y, bias);
        DenseOperand.requireContiguous(yl, "conv2d output");
        ConvShape s = ConvShape.of(xl, wl, yl, stride, padding, dilation, groups);
        DenseOperand wd = DenseOperand.of(w, wl);
        DenseOperand bd = bias == null ? null : DenseOperand.of(bias, bl);
        if (x.dtype() == DType.FLOAT32) {
            ConvForward.forward(x, xl, wd, null, bd == null ? null : dense(bd, s.outC()), null, false, y, yl, s, null);
            return;
        }
        // float64 (gradient checks): the plain im2col + GEMM loop.
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg();
        int flat = ConvShape.planeStride(s.inH(), s.inW(), xs[2], xs[3]);
        boolean direct = s.pointwise() && flat >= 0;
        double[] col = direct ? null : doubleColumns(depth * plane);
        for (int n = 0; n < s.batch(); n++) {
            int yImage = yl.offset() + n * s.outC() * plane;
            if (bd != null) fillBias(y, yImage, plane, s.outC(), bd);
            for (int g = 0; g < groups; g++) {
                int yBase = yImage + g * cog * plane;
                int xBase = xl.offset() + n * xs[0] + g * cig * xs[1];
                int wBase = wd.offset() + g * cog * depth;
                if (direct) {
                    Gemm.dgemm(cog, plane, cig, wd.doubles(), wBase, depth, 1, x.doubles(), xBase, xs[1], flat,
                            y.doubles(), yBase, plane, bd != null);
                } else {
                    Im2Col.im2col(x.doubles(), xBase, xs[1], xs[2], xs[3], cig, s, col);
                    Gemm.dgemm(cog, plane, depth, wd.doubles(), wBase, depth, 1, col, 0, plane, 1,
                            y.doubles(), yBase, plane, bd != null);
                }
            }
        }
    }

    /**
     * float32 {@code out = relu?(conv2d(x, w) * scale + bias + residual)}: the inference form of a
     * convolution followed by a batch norm (folded into the per-channel scale and bias), a residual
     * add and a ReLU, applied in the GEMM's epilogue. Other dtypes take the backend's step-by-step
     * default ({@link CpuBackend#conv2dInference}).
     */
    static void forwardFused(CpuStorage x, Layout xl, CpuStorage w, Layout wl, CpuStorage scale, Layout sl,
                             CpuStorage bias, Layout bl, CpuStorage residual, Layout rl, boolean relu,
                             CpuStorage y, Layout yl, int[] stride, int[] padding, int[] dilation, int groups,
                             WeightCache weights) {
        checkDtype("slow_conv2d_cpu", x, w, y, scale, bias, residual);
        DenseOperand.requireContiguous(yl, "conv2d output");
        ConvShape s = ConvShape.of(xl, wl, yl, stride, padding, dilation, groups);
        ConvForward.forward(x, xl, DenseOperand.of(w, wl), scale == null ? null : dense(DenseOperand.of(scale, sl), s.outC()),
                bias == null ? null : dense(DenseOperand.of(bias, bl), s.outC()),
                residual == null ? null : DenseOperand.of(residual, rl), relu, y, yl, s, weights);
    }

    /** A per-channel float vector starting at index 0 (the epilogue indexes it by channel). */
    private static float[] dense(DenseOperand v, int length) {
        return v.offset() == 0 ? v.floats() : Arrays.copyOfRange(v.floats(), v.offset(), v.offset() + length);
    }

    /** gradInput (contiguous, overwritten) of conv2d given gradOut and the weight. */
    static void backwardInput(CpuStorage gy, Layout gyl, CpuStorage w, Layout wl, CpuStorage gx, Layout gxl,
                              int[] stride, int[] padding, int[] dilation, int groups) {
        checkDtype("slow_conv2d_cpu", gy, w, gx);
        DenseOperand.requireContiguous(gxl, "conv2d input gradient");
        ConvShape s = ConvShape.of(gxl, wl, gyl, stride, padding, dilation, groups);
        DenseOperand wd = DenseOperand.of(w, wl);
        DenseOperand gd = DenseOperand.of(gy, gyl);
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg(), inPlane = s.inH() * s.inW();
        boolean f32 = gy.dtype() == DType.FLOAT32;
        boolean direct = s.pointwise();
        if (f32 && !direct && InputGradAsConv.applies(s)) {
            InputGradAsConv.run(gy, gyl, wd, gx, gxl, s);
            return;
        }
        Object col = direct ? null : f32 ? floatColumns(depth * plane) : doubleColumns(depth * plane);
        // The GEMM multiplies by Wᵀ. Read in place that is an A with strided rows, which the
        // float GEMM would pack again for every image; transposed once here, A rows are contiguous.
        Object wArray = wd.storage().array();
        int wOff = wd.offset(), wRow = 1, wCol = depth;
        if (f32) {
            wArray = transposeGroups(wd.floats(), wd.offset(), groups, cog, depth);
            wOff = 0;
            wRow = cog;
            wCol = 1;
            if (ConvImageBatch.images(s) > 1) {
                ConvImageBatch.backwardInput(gd, (float[]) wArray, gx, gxl, s,
                        floatColumns(depth * plane * ConvImageBatch.images(s)));
                return;
            }
        }
        for (int n = 0; n < s.batch(); n++) {
            for (int g = 0; g < groups; g++) {
                int gxBase = gxl.offset() + (n * s.inC() + g * cig) * inPlane;
                int gyBase = gd.offset() + (n * s.outC() + g * cog) * plane;
                int wBase = wOff + g * cog * depth;
                if (direct) {
                    gemm(f32, cig, plane, cog, wArray, wBase, wRow, wCol, gd.storage().array(), gyBase, plane, 1,
                            gx.array(), gxBase, inPlane, false);
                } else {
                    gemm(f32, depth, plane, cog, wArray, wBase, wRow, wCol, gd.storage().array(), gyBase, plane, 1,
                            col, 0, plane, false);
                    if (f32) {
                        Arrays.fill(gx.floats(), gxBase, gxBase + cig * inPlane, 0f);
                        Im2Col.col2im((float[]) col, cig, s, gx.floats(), gxBase);
                    } else {
                        Arrays.fill(gx.doubles(), gxBase, gxBase + cig * inPlane, 0.0);
                        Im2Col.col2im((double[]) col, cig, s, gx.doubles(), gxBase);
                    }
                }
            }
        }
    }

    /** gradWeight (contiguous, overwritten) of conv2d given gradOut and the input. */
    static void backwardWeight(CpuStorage gy, Layout gyl, CpuStorage x, Layout xl, CpuStorage gw, Layout gwl,
                               int[] stride, int[] padding, int[] dilation, int groups) {
        checkDtype("slow_conv2d_cpu", gy, x, gw);
        DenseOperand.requireContiguous(gwl, "conv2d weight gradient");
        ConvShape s = ConvShape.of(xl, gwl, gyl, stride, padding, dilation, groups);
        DenseOperand gd = DenseOperand.of(gy, gyl);
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg();
        int flat = ConvShape.planeStride(s.inH(), s.inW(), xs[2], xs[3]);
        boolean direct = s.pointwise() && flat >= 0;
        boolean f32 = gy.dtype() == DType.FLOAT32;
        Object col = direct ? null : f32 ? floatColumns(depth * plane) : doubleColumns(depth * plane);
        int wSize = s.outC() * depth;
        // The transposed product packs gOut instead of the column matrix: worth it when that is smaller.
        if (f32 && depth > cog) {
            backwardWeightFloat(gd, x, xl, gw, gwl, s, groups, direct ? null : (float[]) col, flat);
            return;
        }
        if (f32) Arrays.fill(gw.floats(), gwl.offset(), gwl.offset() + wSize, 0f);
        else Arrays.fill(gw.doubles(), gwl.offset(), gwl.offset() + wSize, 0.0);
        for (int n = 0; n < s.batch(); n++) {
            for (int g = 0; g < groups; g++) {
                int gyBase = gd.offset() + (n * s.outC() + g * cog) * plane;
                int xBase = xl.offset() + n * xs[0] + g * cig * xs[1];
                int gwBase = gwl.offset() + g * cog * depth;
                if (direct) {
                    gemm(f32, cog, cig, plane, gd.storage().array(), gyBase, plane, 1, x.array(), xBase, flat, xs[1],
                            gw.array(), gwBase, depth, true);
                } else {
                    if (f32) Im2Col.im2col(x.floats(), xBase, xs[1], xs[2], xs[3], cig, s, (float[]) col);
                    else Im2Col.im2col(x.doubles(), xBase, xs[1], xs[2], xs[3], cig, s, (double[]) col);
                    gemm(f32, cog, depth, plane, gd.storage().array(), gyBase, plane, 1, col, 0, 1, plane,
                            gw.array(), gwBase, depth, true);
                }
            }
        }
    }

    /**
     * float32 weight gradient as its transpose, gWᵀ [depth x outC/g] += col · gOutᵀ, summed over the
     * batch in a scratch matrix and transposed into gradWeight once at the end. Written directly
     * as gOut · colᵀ, the GEMM would pack the large column matrix (depth x plane) through a strided
     * transpose for every image; this way col (or the input planes, for a 1x1 convolution) is read
     * in place and only gOut, depth / (outC/g) times smaller, is packed transposed.
     */
    private static void backwardWeightFloat(DenseOperand gd, CpuStorage x, Layout xl, CpuStorage gw, Layout gwl,
                                            ConvShape s, int groups, float[] col, int flat) {
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg();
        float[] acc = new float[groups * depth * cog];
        if (col == null) {
            for (int n = 0; n < s.batch(); n++) {
                for (int g = 0; g < groups; g++) {
                    int gyBase = gd.offset() + (n * s.outC() + g * cog) * plane;
                    int xBase = xl.offset() + n * xs[0] + g * cig * xs[1];
                    Gemm.sgemm(cig, cog, plane, x.floats(), xBase, xs[1], flat, gd.floats(), gyBase, 1, plane,
                            acc, g * depth * cog, cog, true);
                }
            }
        } else {
            // Small planes make a shallow product per image, dominated by loading and storing the
            // accumulator; images side by side in one column matrix deepen k to about BATCH_K.
            int images = Math.max(1, Math.min(s.batch(), BATCH_K / plane));
            int ld = images * plane;
            float[] cols = images == 1 ? col : floatColumns(depth * ld);
            float[] gyBatch = images == 1 ? null : new float[cog * ld];
            for (int n0 = 0; n0 < s.batch(); n0 += images) {
                int count = Math.min(images, s.batch() - n0), k = count * plane;
                for (int g = 0; g < groups; g++) {
                    for (int b = 0; b < count; b++) {
                        int xBase = xl.offset() + (n0 + b) * xs[0] + g * cig * xs[1];
                        Im2Col.im2col(x.floats(), xBase, xs[1], xs[2], xs[3], cig, s, cols, b * plane, ld);
                    }
                    float[] gyArray = gd.floats();
                    int gyBase = gd.offset() + (n0 * s.outC() + g * cog) * plane, gyLd = plane;
                    if (gyBatch != null) {
                        for (int b = 0; b < count; b++) {
                            for (int o = 0; o < cog; o++) {
                                System.arraycopy(gyArray, gd.offset() + ((n0 + b) * s.outC() + g * cog + o) * plane,
                                        gyBatch, o * ld + b * plane, plane);
                            }
                        }
                        gyArray = gyBatch;
                        gyBase = 0;
                        gyLd = ld;
                    }
                    Gemm.sgemm(depth, cog, k, cols, 0, ld, 1, gyArray, gyBase, 1, gyLd, acc, g * depth * cog, cog, true);
                }
            }
        }
        float[] t = transposeGroups(acc, 0, groups, depth, cog);
        System.arraycopy(t, 0, gw.floats(), gwl.offset(), t.length);
    }

    /**
     * Per group, the [rows x cols] block of {@code w} (from {@code off}) transposed to [cols x rows],
     * in square tiles so both sides stay in L1; threads take bands of output rows.
     */
    static float[] transposeGroups(float[] w, int off, int groups, int rows, int cols) {
        float[] t = new float[groups * rows * cols];
        final int tile = 16;
        int bands = (cols + tile - 1) / tile;
        Parallel.forRange(0, groups * bands, Math.max(1, (1 << 16) / Math.max(1, rows * tile)), (lo, hi) -> {
            float[] buf = new float[tile * tile];
            for (int job = lo; job < hi; job++) {
                int g = job / bands, c0 = (job % bands) * tile, c1 = Math.min(cols, c0 + tile), width = c1 - c0;
                int src = off + g * rows * cols, dst = g * rows * cols;
                for (int r0 = 0; r0 < rows; r0 += tile) {
                    int r1 = Math.min(rows, r0 + tile);
                    // Rows of w are often a multiple of 2 KB apart (depth 576, 1152, 2304, 4608), so the
                    // tile's 16 source lines fall into one or two L1 sets: read straight down a column
                    // they evict each other. Each is copied whole into a local tile first, read once.
                    for (int r = r0; r < r1; r++) System.arraycopy(w, src + r * cols + c0, buf, (r - r0) * tile, width);
                    for (int c = 0; c < width; c++) {
                        int to = dst + (c0 + c) * rows;
                        for (int r = r0; r < r1; r++) t[to + r] = buf[(r - r0) * tile + c];
                    }
                }
            }
        });
        return t;
    }

    private static void fillBias(CpuStorage y, int base, int plane, int channels, DenseOperand bias) {
        for (int c = 0; c < channels; c++) {
            int from = base + c * plane;
            if (y.dtype() == DType.FLOAT32) Arrays.fill(y.floats(), from, from + plane, bias.floats()[bias.offset() + c]);
            else Arrays.fill(y.doubles(), from, from + plane, bias.doubles()[bias.offset() + c]);
        }
    }

    private static void gemm(boolean f32, int m, int n, int k, Object a, int aOff, int ars, int acs,
                             Object b, int bOff, int brs, int bcs, Object c, int cOff, int ldc, boolean accumulate) {
        if (f32) {
            Gemm.sgemm(m, n, k, (float[]) a, aOff, ars, acs, (float[]) b, bOff, brs, bcs, (float[]) c, cOff, ldc, accumulate);
        } else {
            Gemm.dgemm(m, n, k, (double[]) a, aOff, ars, acs, (double[]) b, bOff, brs, bcs, (double[]) c, cOff, ldc,
                    accumulate);
        }
    }
}
