package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;

import java.util.Arrays;

/**
 * Nearest and bilinear resizing of the planes of [N, C, H, W], forward and backward, parallel
 * over the N*C planes. Source indices and weights are computed once per output row and column
 * with PyTorch's formulas, in float for float32 tensors as PyTorch's kernels do (so that a
 * floor or truncation lands on the same side), in double for float64.
 *
 * <p>A {@code scale} argument is the user's scale_factor for that axis, or 0 when the output
 * size was given: PyTorch then uses 1/scale_factor, not in/out, in the source-index formula.
 */
final class UpsampleKernels {
    private UpsampleKernels() {}

    private static final int GRAIN_ELEMENTS = 1 << 14;

    /** PyTorch's nearest_idx: identity and exact doubling are special-cased, else floor(o * scale). */
    static int[] nearestSource(int in, int out, double scale, boolean f32) {
        int[] src = new int[out];
        for (int o = 0; o < out; o++) {
            if (out == in) {
                src[o] = o;
            } else if (out == 2 * in) {
                src[o] = o >> 1;
            } else if (f32) {
                float s = scale > 0 ? (float) (1.0 / scale) : (float) in / out;
                src[o] = Math.min((int) Math.floor((float) o * s), in - 1);
            } else {
                double s = scale > 0 ? 1.0 / scale : (double) in / out;
                src[o] = Math.min((int) Math.floor(o * s), in - 1);
            }
        }
        return src;
    }

    /** The two source taps of each output coordinate and their weights (bilinear, one axis). */
    record LinearTaps(int[] i0, int[] i1, double[] w0, double[] w1) {
        static LinearTaps of(int in, int out, boolean alignCorners, double scale, boolean f32) {
            int[] i0 = new int[out], i1 = new int[out];
            double[] w0 = new double[out], w1 = new double[out];
            for (int o = 0; o < out; o++) {
                double real;
                if (out == in) {
                    i0[o] = i1[o] = o;
                    w0[o] = 1;
                    continue;
                }
                if (f32) {
                    float ratio = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f)
                            : scale > 0 ? (float) (1.0 / scale) : (float) in / out;
                    float r = alignCorners ? ratio * o : ratio * (o + 0.5f) - 0.5f;
                    real = !alignCorners && r < 0 ? 0f : r;
                    int i = (int) real;
                    float lambda = Math.min(Math.max((float) real - i, 0f), 1f);
                    i0[o] = i;
                    i1[o] = i + (i < in - 1 ? 1 : 0);
                    w1[o] = lambda;
                    w0[o] = 1f - lambda;
                } else {
                    double ratio = alignCorners ? (out > 1 ? (double) (in - 1) / (out - 1) : 0)
                            : scale > 0 ? 1.0 / scale : (double) in / out;
                    double r = alignCorners ? ratio * o : ratio * (o + 0.5) - 0.5;
                    real = !alignCorners && r < 0 ? 0 : r;
                    int i = (int) real;
                    double lambda = Math.min(Math.max(real - i, 0), 1);
                    i0[o] = i;
                    i1[o] = i + (i < in - 1 ? 1 : 0);
                    w1[o] = lambda;
                    w0[o] = 1 - lambda;
                }
            }
            return new LinearTaps(i0, i1, w0, w1);
        }
    }

    private static int grain(int perPlane) { return Math.max(1, GRAIN_ELEMENTS / Math.max(1, perPlane)); }

    static void nearest(CpuStorage x, Layout xl, CpuStorage y, Layout yl, double scaleH, double scaleW) {
        ConvKernels.checkDtype("upsample_nearest2d", x, y);
        DenseOperand.requireContiguous(yl, "upsample_nearest2d output");
        DenseOperand xd = DenseOperand.of(x, xl);
        int[] in = xl.shape(), out = yl.shape();
        boolean f32 = x.dtype() == DType.FLOAT32;
        int[] sh = nearestSource(in[2], out[2], scaleH, f32), sw = nearestSource(in[3], out[3], scaleW, f32);
        int inPlane = in[2] * in[3], outPlane = out[2] * out[3], w = in[3], ow = out[3];
        int yOff = yl.offset();
        Parallel.forRange(0, in[0] * in[1], grain(outPlane), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = xd.offset() + p * inPlane, yBase = yOff + p * outPlane;
                for (int oh = 0; oh < sh.length; oh++) {
                    int row = xBase + sh[oh] * w, dst = yBase + oh * ow;
                    if (f32) {
                        float[] src = xd.floats(), d = y.floats();
                        for (int o = 0; o < ow; o++) d[dst + o] = src[row + sw[o]];
                    } else {
                        double[] src = xd.doubles(), d = y.doubles();
                        for (int o = 0; o < ow; o++) d[dst + o] = src[row + sw[o]];
                    }
                }
            }
        });
    }

    static void nearestBackward(CpuStorage gy, Layout gyl, CpuStorage gx, Layout gxl, double scaleH, double scaleW) {
        ConvKernels.checkDtype("upsample_nearest2d_backward", gy, gx);
        DenseOperand.requireContiguous(gxl, "upsample_nearest2d input gradient");
        DenseOperand gd = DenseOperand.of(gy, gyl);
        int[] in = gxl.shape(), out = gyl.shape();
        boolean f32 = gy.dtype() == DType.FLOAT32;
        int[] sh = nearestSource(in[2], out[2], scaleH, f32), sw = nearestSource(in[3], out[3], scaleW, f32);
        int inPlane = in[2] * in[3], outPlane = out[2] * out[3], w = in[3], ow = out[3];
        int gxOff = gxl.offset();
        Parallel.forRange(0, in[0] * in[1], grain(outPlane), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = gxOff + p * inPlane, yBase = gd.offset() + p * outPlane;
                if (f32) Arrays.fill(gx.floats(), xBase, xBase + inPlane, 0f);
                else Arrays.fill(gx.doubles(), xBase, xBase + inPlane, 0.0);
                for (int oh = 0; oh < sh.length; oh++) {
                    int row = xBase + sh[oh] * w, src = yBase + oh * ow;
                    if (f32) {
                        float[] g = gd.floats(), d = gx.floats();
                        for (int o = 0; o < ow; o++) d[row + sw[o]] += g[src + o];
                    } else {
                        double[] g = gd.doubles(), d = gx.doubles();
                        for (int o = 0; o < ow; o++) d[row + sw[o]] += g[src + o];
                    }
                }
            }
        });
    }

    static void bilinear(CpuStorage x, Layout xl, CpuStorage y, Layout yl, boolean alignCorners,
                         double scaleH, double scaleW) {
        ConvKernels.checkDtype("upsample_bilinear2d", x, y);
        DenseOperand.requireContiguous(yl, "upsample_bilinear2d output");
        DenseOperand xd = DenseOperand.of(x, xl);
        int[] in = xl.shape(), out = yl.shape();
        boolean f32 = x.dtype() == DType.FLOAT32;
        LinearTaps th = LinearTaps.of(in[2], out[2], alignCorners, scaleH, f32);
        LinearTaps tw = LinearTaps.of(in[3], out[3], alignCorners, scaleW, f32);
        int inPlane = in[2] * in[3], outPlane = out[2] * out[3], w = in[3], ow = out[3];
        float[] fw0 = toFloats(tw.w0()), fw1 = toFloats(tw.w1());
        int yOff = yl.offset();
        Parallel.forRange(0, in[0] * in[1], grain(outPlane * 4), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = xd.offset() + p * inPlane, yBase = yOff + p * outPlane;
                for (int oh = 0; oh < out[2]; oh++) {
                    int r0 = xBase + th.i0()[oh] * w, r1 = xBase + th.i1()[oh] * w, dst = yBase + oh * ow;
                    if (f32) {
                        float[] s = xd.floats(), d = y.floats();
                        float h0 = (float) th.w0()[oh], h1 = (float) th.w1()[oh];
                        for (int o = 0; o < ow; o++) {
                            int c0 = tw.i0()[o], c1 = tw.i1()[o];
                            d[dst + o] = h0 * (fw0[o] * s[r0 + c0] + fw1[o] * s[r0 + c1])
                                    + h1 * (fw0[o] * s[r1 + c0] + fw1[o] * s[r1 + c1]);
                        }
                    } else {
                        double[] s = xd.doubles(), d = y.doubles();
                        double h0 = th.w0()[oh], h1 = th.w1()[oh];
                        for (int o = 0; o < ow; o++) {
                            int c0 = tw.i0()[o], c1 = tw.i1()[o];
                            d[dst + o] = h0 * (tw.w0()[o] * s[r0 + c0] + tw.w1()[o] * s[r0 + c1])
                                    + h1 * (tw.w0()[o] * s[r1 + c0] + tw.w1()[o] * s[r1 + c1]);
                        }
                    }
                }
            }
        });
    }

    static void bilinearBackward(CpuStorage gy, Layout gyl, CpuStorage gx, Layout gxl, boolean alignCorners,
                                 double scaleH, double scaleW) {
        ConvKernels.checkDtype("upsample_bilinear2d_backward", gy, gx);
        DenseOperand.requireContiguous(gxl, "upsample_bilinear2d input gradient");
        DenseOperand gd = DenseOperand.of(gy, gyl);
        int[] in = gxl.shape(), out = gyl.shape();
        boolean f32 = gy.dtype() == DType.FLOAT32;
        LinearTaps th = LinearTaps.of(in[2], out[2], alignCorners, scaleH, f32);
        LinearTaps tw = LinearTaps.of(in[3], out[3], alignCorners, scaleW, f32);
        int inPlane = in[2] * in[3], outPlane = out[2] * out[3], w = in[3], ow = out[3];
        int gxOff = gxl.offset();
        Parallel.forRange(0, in[0] * in[1], grain(outPlane * 4), (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                int xBase = gxOff + p * inPlane, yBase = gd.offset() + p * outPlane;
                if (f32) Arrays.fill(gx.floats(), xBase, xBase + inPlane, 0f);
                else Arrays.fill(gx.doubles(), xBase, xBase + inPlane, 0.0);
                for (int oh = 0; oh < out[2]; oh++) {
                    int r0 = xBase + th.i0()[oh] * w, r1 = xBase + th.i1()[oh] * w, src = yBase + oh * ow;
                    double h0 = th.w0()[oh], h1 = th.w1()[oh];
                    for (int o = 0; o < ow; o++) {
                        int c0 = tw.i0()[o], c1 = tw.i1()[o];
                        double w0 = tw.w0()[o], w1 = tw.w1()[o];
                        if (f32) {
                            float[] d = gx.floats();
                            float g = gd.floats()[src + o];
                            d[r0 + c0] += (float) h0 * (float) w0 * g;
                            d[r0 + c1] += (float) h0 * (float) w1 * g;
                            d[r1 + c0] += (float) h1 * (float) w0 * g;
                            d[r1 + c1] += (float) h1 * (float) w1 * g;
                        } else {
                            double[] d = gx.doubles();
                            double g = gd.doubles()[src + o];
                            d[r0 + c0] += h0 * w0 * g;
                            d[r0 + c1] += h0 * w1 * g;
                            d[r1 + c0] += h1 * w0 * g;
                            d[r1 + c1] += h1 * w1 * g;
                        }
                    }
                }
            }
        });
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
