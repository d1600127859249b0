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

    /** y = conv2d(x, w) + bias (a dense [outC] vector, or null), float32, y contiguous, {@code images(s) > 1} images per GEMM. */
    static void forward(CpuStorage x, Layout xl, DenseOperand wd, float[] bias, CpuStorage y, Layout yl,
                        ConvShape s, float[] cols) {
        int[] xs = xl.strides();
        int plane = s.plane(), depth = s.depth(), cog = s.outCg(), cig = s.inCg(), outC = s.outC();
        int images = images(s), ld = images * plane;
        float[] xa = x.floats(), w = wd.floats(), ya = y.floats();
        float[] out = new float[cog * ld];
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
                Gemm.sgemm(cog, count * plane, depth, w, wd.offset() + g * cog * depth, depth, 1, cols, 0, ld, 1,
                        out, 0, ld, false);
                Parallel.forRange(0, cog, Math.max(1, (1 << 14) / Math.max(1, count * plane)), (lo, hi) -> {
                    for (int o = lo; o < hi; o++) {
                        float channelBias = bias == null ? 0f : bias[group * cog + o];
                        for (int b = 0; b < count; b++) {
                            int from = o * ld + b * plane;
                            int to = yl.offset() + ((first + b) * outC + group * cog + o) * plane;
                            if (bias == null) {
                                System.arraycopy(out, from, ya, to, plane);
                            } else {
                                for (int i = 0; i < plane; i++) ya[to + i] = out[from + i] + channelBias;
                            }
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
