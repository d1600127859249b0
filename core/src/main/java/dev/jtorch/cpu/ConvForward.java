package dev.jtorch.cpu;

import dev.jtorch.backend.Layout;
import dev.jtorch.backend.WeightCache;

import java.util.Arrays;

/**
 * float32 convolution forward, {@code y = act(conv2d(x, w) * scale + bias + residual)}, with the
 * per-channel scale and bias, the residual and the ReLU applied by the thread that computed each block of the product while it is
 * still in cache ({@link ConvEpilogue}). A plain convolution is the case without residual and
 * activation. Per image and group the product W · col takes one of four routes:
 * <ul>
 * <li><b>pointwise</b> (1x1, stride 1, unpadded): the input planes are the column matrix, read in place;
 * <li><b>shifted rows</b> (any other stride-1 convolution): the image is padded once, and the
 *     output is computed over the padded width {@code Wp}, so row (c, i, j) of the column matrix
 *     is the padded channel c read from offset {@code i*dH*Wp + j*dW} on, contiguous. The GEMM packs
 *     its panels straight from the padded image through that row table ({@link Gemm#sgemmRowTable}):
 *     the column matrix, kH*kW times the image, is never written. Each output row carries
 *     {@code Wp - outW} extra columns that the epilogue drops, so this route is taken only where
 *     they add few micro-kernel tiles;
 * <li><b>phase split</b> (stride 2, kernels of 5 and more, such as ResNet's 7x7 stem): the image
 *     split into its four stride-2 phases is a stride-1 problem for the shifted-rows route
 *     ({@link ConvPhaseSplit});
 * <li><b>im2col</b> (other strided convolutions, narrow planes): the column matrix is built, then multiplied.
 * </ul>
 * Several images of a batch with small planes go through one GEMM ({@link ConvImageBatch}). In
 * inference, 3x3 stride-1 convolutions with enough output tiles take Winograd's algorithm
 * instead ({@link WinogradConv}): about a quarter of the multiply-adds, a little more rounding.
 */
final class ConvForward {
    private ConvForward() {}

    /**
     * The shifted-rows route is taken while its wider product needs at most 1/8 more micro-kernel
     * column tiles than the plane itself (a 7x7 plane padded to 9 wide still fits the same two tiles).
     */
    private static final int MAX_WASTE_DIVISOR = 8;

    private static final ThreadLocal<float[][]> PADDED = ThreadLocal.withInitial(() -> new float[][]{new float[0]});
    private static final ThreadLocal<float[][]> WIDE = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    private static float[] scratch(ThreadLocal<float[][]> holder, int size) {
        float[][] h = holder.get();
        if (h[0].length < size) h[0] = new float[size];
        return h[0];
    }

    /**
     * y (contiguous) = act(conv2d(x, w) * scale + bias + residual); scale, bias (dense vectors over
     * the output channels) and residual may be null. With {@code winogradWeights} not null, 3x3
     * convolutions may take Winograd's route (slightly larger rounding error), its transformed
     * weights kept there; null keeps to the direct routes, as for training and plain conv2d.
     */
    static void forward(CpuStorage x, Layout xl, DenseOperand wd, float[] scale, float[] bias, DenseOperand residual,
                        boolean relu, CpuStorage y, Layout yl, ConvShape s, WeightCache winogradWeights) {
        // Winograd from a weight's second use on: its transform is then made once and kept.
        if (winogradWeights != null && winogradWeights.reused() && WinogradConv.applies(s)) {
            WinogradConv.forward(x, xl, wd, ConvEpilogue.of(scale, bias, 0, residual,
                    residual == null ? 0 : residual.offset(), relu), y, yl, s, winogradWeights);
            return;
        }
        if (ConvImageBatch.images(s) > 1) {
            ConvImageBatch.forward(x, xl, wd, ConvEpilogue.of(scale, bias, 0, residual, residual == null ? 0 : residual.offset(), relu),
                    y, yl, s, ConvKernels.floatColumns(s.depth() * s.plane() * ConvImageBatch.images(s)));
            return;
        }
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg();
        int flat = ConvShape.planeStride(s.inH(), s.inW(), xs[2], xs[3]);
        boolean pointwise = s.pointwise() && flat == 1;
        boolean shifted = !pointwise && shiftedRows(s);
        boolean phaseSplit = !pointwise && !shifted && ConvPhaseSplit.applies(s);
        float[] w = wd.floats(), ya = y.floats();
        float[] columns = pointwise || shifted || phaseSplit ? null : ConvKernels.floatColumns(depth * plane);
        ConvShape phaseShape = phaseSplit ? ConvPhaseSplit.phaseShape(s) : null;
        float[] phaseWeight = phaseSplit ? ConvPhaseSplit.phaseWeight(w, wd.offset(), s, phaseShape) : null;
        for (int n = 0; n < s.batch(); n++) {
            for (int g = 0; g < s.groups(); g++) {
                int yBase = yl.offset() + (n * s.outC() + g * cog) * plane;
                int xBase = xl.offset() + n * xs[0] + g * cig * xs[1];
                int wBase = wd.offset() + g * cog * depth;
                ConvEpilogue epilogue = ConvEpilogue.of(scale, bias, g * cog, residual,
                        residual == null ? 0 : residual.offset() + (n * s.outC() + g * cog) * plane, relu);
                if (pointwise) {
                    Gemm.sgemm(cog, plane, cig, w, wBase, depth, x.floats(), xBase, xs[1], ya, yBase, plane,
                            (i0, i1, j0, j1) -> epilogue.rows(ya, yBase, plane, i0, i1, j0, j1));
                } else if (shifted) {
                    shiftedRows(x.floats(), xBase, xs, s, w, wBase, epilogue, ya, yBase);
                } else if (phaseSplit) {
                    float[] phases = ConvPhaseSplit.phases(x.floats(), xBase, xs, s, phaseShape);
                    int phasePlane = phaseShape.inH() * phaseShape.inW();
                    shiftedRows(phases, 0, new int[]{phaseShape.inC() * phasePlane, phasePlane, phaseShape.inW(), 1},
                            phaseShape, phaseWeight, 0, epilogue, ya, yBase);
                } else {
                    Im2Col.im2col(x.floats(), xBase, xs[1], xs[2], xs[3], cig, s, columns);
                    Gemm.sgemm(cog, plane, depth, w, wBase, depth, columns, 0, plane, ya, yBase, plane,
                            (i0, i1, j0, j1) -> epilogue.rows(ya, yBase, plane, i0, i1, j0, j1));
                }
            }
        }
    }

    /** Whether the shifted-rows route applies: stride 1 and few extra tiles for the discarded columns. */
    static boolean shiftedRows(ConvShape s) {
        if (s.sH() != 1 || s.sW() != 1) return false;
        long wide = (long) (s.outH() - 1) * (s.inW() + 2 * s.pW()) + s.outW();
        long tiles = ceilDiv(s.plane(), GemmMicroKernel.NR), wideTiles = ceilDiv(wide, GemmMicroKernel.NR);
        return (wideTiles - tiles) * MAX_WASTE_DIVISOR <= tiles;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** One image and group by the shifted-rows route; see the class comment. */
    private static void shiftedRows(float[] x, int xBase, int[] xs, ConvShape s, float[] w, int wBase,
                                    ConvEpilogue epilogue, float[] y, int yBase) {
        int cig = s.inCg(), cog = s.outCg(), kH = s.kH(), kW = s.kW();
        int paddedH = s.inH() + 2 * s.pH(), paddedW = s.inW() + 2 * s.pW(), paddedPlane = paddedH * paddedW;
        float[] image;
        int base, channelStride;
        if (s.pH() == 0 && s.pW() == 0 && xs[3] == 1 && xs[2] == s.inW()) {
            image = x; // already dense rows without padding: read in place
            base = xBase;
            channelStride = xs[1];
        } else {
            image = scratch(PADDED, cig * paddedPlane);
            pad(x, xBase, xs, s, image);
            base = 0;
            channelStride = paddedPlane;
        }
        int[] rows = new int[s.depth()];
        for (int c = 0, p = 0; c < cig; c++) {
            for (int i = 0; i < kH; i++) {
                for (int j = 0; j < kW; j++, p++) {
                    rows[p] = base + c * channelStride + i * s.dH() * paddedW + j * s.dW();
                }
            }
        }
        int outW = s.outW(), plane = s.plane();
        int wideColumns = (s.outH() - 1) * paddedW + outW; // the last row needs no discarded tail
        float[] wide = scratch(WIDE, cog * wideColumns);
        Gemm.sgemmRowTable(cog, wideColumns, s.depth(), w, wBase, s.depth(), image, rows, wide, 0, wideColumns,
                (i0, i1, j0, j1) -> {
                    for (int o = i0; o < i1; o++) {
                        for (int oh = j0 / paddedW; oh * paddedW < j1; oh++) {
                            int from = Math.max(j0, oh * paddedW), to = Math.min(j1, oh * paddedW + outW);
                            if (to > from) {
                                epilogue.segment(wide, o * wideColumns + from, y, yBase + o * plane + oh * outW
                                        + (from - oh * paddedW), o, o * plane + oh * outW + (from - oh * paddedW), to - from);
                            }
                        }
                    }
                });
    }

    /** Copies one image's channels (strided) into {@code dst} with a zero border of the padding. */
    private static void pad(float[] x, int xBase, int[] xs, ConvShape s, float[] dst) {
        int inH = s.inH(), inW = s.inW(), pH = s.pH(), pW = s.pW();
        int paddedW = inW + 2 * pW, paddedPlane = (inH + 2 * pH) * paddedW;
        Parallel.forRange(0, s.inCg(), Math.max(1, (1 << 15) / paddedPlane), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                int plane = c * paddedPlane;
                Arrays.fill(dst, plane, plane + pH * paddedW, 0f);
                for (int h = 0; h < inH; h++) {
                    int row = plane + (pH + h) * paddedW;
                    Arrays.fill(dst, row, row + pW, 0f);
                    int src = xBase + c * xs[1] + h * xs[2];
                    if (xs[3] == 1) {
                        System.arraycopy(x, src, dst, row + pW, inW);
                    } else {
                        for (int w = 0; w < inW; w++) dst[row + pW + w] = x[src + w * xs[3]];
                    }
                    Arrays.fill(dst, row + pW + inW, row + paddedW, 0f);
                }
                Arrays.fill(dst, plane + (pH + inH) * paddedW, plane + paddedPlane, 0f);
            }
        });
    }
}
