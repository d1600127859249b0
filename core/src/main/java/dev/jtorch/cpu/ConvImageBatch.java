package dev.jtorch.cpu;

import dev.jtorch.backend.Layout;

import java.util.Arrays;

/**
 * float32 convolution forward and input gradient with several images side by side in one GEMM,
 * for small output planes. Per image, the late layers of a ResNet multiply by a column matrix only
 * 49, 16 or even 1 columns wide, so most of each NR-wide (32) tile of the micro-kernel is padding
 * and every GEMM call pays its packing and thread hand-off for a sliver of work. Here the column
 * matrices of {@link #images} images sit side by side (row stride {@code ld = images * plane}),
 * one GEMM covers them all, and the result is scattered to (forward) or folded into (gradient)
 * each image. The weight gradient does the same along k in {@link ConvKernels}.
 *
 * <p>How many images go together depends only on the batch and the plane, never on the thread
 * count, so results are the same with any number of threads; every output element is still one
 * dot product summed in the same order.
 */
final class ConvImageBatch {
    private ConvImageBatch() {}

    /** Columns one batched GEMM is filled to: past ~512 the tiles are full and the scratch only grows. */
    private static final int TARGET_COLUMNS = 512;

    /** Images per batched GEMM; 1 means per-image GEMMs are as wide as batching would make them. */
    static int images(ConvShape s) {
        return Math.max(1, Math.min(s.batch(), TARGET_COLUMNS / Math.max(1, s.plane())));
    }

    /** The batched product before it is scattered to the images, one per calling thread, reused across calls. */
    private static final ThreadLocal<float[][]> PRODUCT = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    /**
     * y (contiguous) = epilogue(conv2d(x, w)), float32, {@code images(s) > 1} images per GEMM. The
     * epilogue is relative to the whole output: channel {@code o} of group g is its channel
     * {@code g*outC/groups + o} and the residual of element (n, c, pos) sits at
     * {@code residualBase + (n*outC + c)*plane + pos}. Each GEMM thread scatters its own slice of
     * the batched product to the images, through the epilogue, while the slice is still in cache.
     */
    static void forward(CpuStorage x, Layout xl, DenseOperand wd, ConvEpilogue epilogue, CpuStorage y, Layout yl,
                        ConvShape s, float[] cols) {
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg(), outC = s.outC();
        int images = images(s), ld = images * plane;
        float[] xa = x.floats(), w = wd.floats(), ya = y.floats();
        float[][] holder = PRODUCT.get();
        if (holder[0].length < cog * ld) holder[0] = new float[cog * ld];
        float[] out = holder[0];
        for (int n0 = 0; n0 < s.batch(); n0 += images) {
            int first = n0, count = Math.min(images, s.batch() - n0);
            for (int g = 0; g < s.groups(); g++) {
                int group = g;
                Parallel.forRange(0, count, 1, (lo, hi) -> {
                    for (int b = lo; b < hi; b++) {
                        int xBase = xl.offset() + (first + b) * xs[0] + group * cig * xs[1];
                        Im2Col.im2col(xa, xBase, xs[1], xs[2], xs[3], cig, s, cols, b * plane, ld);
                    }
                });
                Gemm.sgemm(cog, count * plane, depth, w, wd.offset() + g * cog * depth, depth, cols, 0, ld,
                        out, 0, ld, (i0, i1, j0, j1) -> {
                            // Columns j0..j1 of the product may span several images: one segment per image.
                            for (int b = j0 / plane; b * plane < j1; b++) {
                                int from = Math.max(j0, b * plane), to = Math.min(j1, (b + 1) * plane);
                                for (int o = i0; o < i1; o++) {
                                    int at = ((first + b) * outC + group * cog + o) * plane + from - b * plane;
                                    epilogue.segment(out, o * ld + from, ya, yl.offset() + at, group * cog + o, at, to - from);
                                }
                            }
                        });
            }
        }
    }

    /**
     * gradInput (contiguous, overwritten), float32: per group, col = Wᵀ · [gOut of several images]
     * in one GEMM, then each image's slice of col folded back with col2im. {@code wt} is the weight
     * transposed per group ([depth x outC/g] blocks).
     */
    static void backwardInput(DenseOperand gd, float[] wt, CpuStorage gx, Layout gxl, ConvShape s, float[] cols) {
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg(), outC = s.outC();
        int inPlane = s.inH() * s.inW();
        int images = images(s), ld = images * plane;
        float[] gy = gd.floats(), gxa = gx.floats();
        float[] gyBatch = new float[cog * ld];
        for (int n0 = 0; n0 < s.batch(); n0 += images) {
            int first = n0, count = Math.min(images, s.batch() - n0);
            for (int g = 0; g < s.groups(); g++) {
                int group = g;
                for (int b = 0; b < count; b++) {
                    for (int o = 0; o < cog; o++) {
                        System.arraycopy(gy, gd.offset() + ((first + b) * outC + g * cog + o) * plane,
                                gyBatch, o * ld + b * plane, plane);
                    }
                }
                Gemm.sgemm(depth, count * plane, cog, wt, g * cog * depth, cog, 1, gyBatch, 0, ld, 1,
                        cols, 0, ld, false);
                Parallel.forRange(0, count, 1, (lo, hi) -> {
                    for (int b = lo; b < hi; b++) {
                        int gxBase = gxl.offset() + ((first + b) * s.inC() + group * cig) * inPlane;
                        Arrays.fill(gxa, gxBase, gxBase + cig * inPlane, 0f);
                        Im2Col.col2im(cols, b * plane, ld, cig, s, gxa, gxBase);
                    }
                });
            }
        }
    }
}
