package dev.jtorch.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unfold/fold pair behind convolution. {@code im2col} lays the receptive fields of one image
 * out as a (channels * kH * kW) x (outH * outW) matrix, so the convolution is one GEMM with the
 * weight; {@code col2im} adds such a matrix back onto the image (the gradient of im2col).
 *
 * <p>Per row (one channel and one kernel tap) the range of output columns whose input column
 * lies inside the image is computed once, so the inner loop is a plain copy (System.arraycopy
 * when the stride is 1) between two zero-filled margins: no per-pixel bounds test.
 */
final class Im2Col {
    private Im2Col() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Items of work below which a parallel loop is not worth waking the pool for. */
    private static final int GRAIN_ELEMENTS = 1 << 15;

    /** First output column whose input column {@code ow * stride + shift} is >= 0. */
    static int firstInside(int shift, int stride, int outSize) {
        return shift >= 0 ? 0 : Math.min(outSize, (-shift + stride - 1) / stride);
    }

    /** One past the last output column whose input column is < size. */
    static int endInside(int shift, int stride, int size, int outSize) {
        int last = size - 1 - shift;
        return last < 0 ? 0 : Math.min(outSize, last / stride + 1);
    }

    /**
     * Unfolds {@code channels} channels of one image, element (c, h, w) at
     * {@code x[base + c*sC + h*sH + w*sW]}, into {@code col} (row-major, rows of outH*outW).
     */
    static void im2col(float[] x, int base, int sC, int sH, int sW, int channels, ConvShape s, float[] col) {
        im2col(x, base, sC, sH, sW, channels, s, col, 0, s.plane());
    }

    /**
     * As above, with row r of the column matrix at {@code col[colOff + r * ld]}: several images
     * side by side in one matrix ({@code ld} = images * plane) make one GEMM with a deeper k.
     */
    static void im2col(float[] x, int base, int sC, int sH, int sW, int channels, ConvShape s, float[] col,
                       int colOff, int ld) {
        int taps = s.kH() * s.kW(), plane = s.plane(), ow = s.outW();
        Parallel.forRange(0, channels * taps, Math.max(1, GRAIN_ELEMENTS / Math.max(1, plane)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int c = r / taps, i = (r % taps) / s.kW(), j = r % s.kW();
                int shiftW = j * s.dW() - s.pW();
                int owLo = firstInside(shiftW, s.sW(), ow);
                int owHi = Math.max(owLo, endInside(shiftW, s.sW(), s.inW(), ow));
                int rowBase = colOff + r * ld;
                for (int oh = 0; oh < s.outH(); oh++) {
                    int ih = oh * s.sH() - s.pH() + i * s.dH();
                    int dst = rowBase + oh * ow;
                    if (ih < 0 || ih >= s.inH()) {
                        Arrays.fill(col, dst, dst + ow, 0f);
                        continue;
                    }
                    Arrays.fill(col, dst, dst + owLo, 0f);
                    int src = base + c * sC + ih * sH + (owLo * s.sW() + shiftW) * sW;
                    if (s.sW() == 1 && sW == 1) {
                        System.arraycopy(x, src, col, dst + owLo, owHi - owLo);
                    } else {
                        int step = s.sW() * sW;
                        for (int o = owLo; o < owHi; o++, src += step) col[dst + o] = x[src];
                    }
                    Arrays.fill(col, dst + owHi, dst + ow, 0f);
                }
            }
        });
    }

    /** float64 twin of {@link #im2col(float[], int, int, int, int, int, ConvShape, float[])}. */
    static void im2col(double[] x, int base, int sC, int sH, int sW, int channels, ConvShape s, double[] col) {
        int taps = s.kH() * s.kW(), plane = s.plane(), ow = s.outW();
        Parallel.forRange(0, channels * taps, Math.max(1, GRAIN_ELEMENTS / Math.max(1, plane)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int c = r / taps, i = (r % taps) / s.kW(), j = r % s.kW();
                int shiftW = j * s.dW() - s.pW();
                int owLo = firstInside(shiftW, s.sW(), ow);
                int owHi = Math.max(owLo, endInside(shiftW, s.sW(), s.inW(), ow));
                int rowBase = r * plane;
                for (int oh = 0; oh < s.outH(); oh++) {
                    int ih = oh * s.sH() - s.pH() + i * s.dH();
                    int dst = rowBase + oh * ow;
                    if (ih < 0 || ih >= s.inH()) {
                        Arrays.fill(col, dst, dst + ow, 0.0);
                        continue;
                    }
                    Arrays.fill(col, dst, dst + owLo, 0.0);
                    int src = base + c * sC + ih * sH + (owLo * s.sW() + shiftW) * sW;
                    int step = s.sW() * sW;
                    for (int o = owLo; o < owHi; o++, src += step) col[dst + o] = x[src];
                    Arrays.fill(col, dst + owHi, dst + ow, 0.0);
                }
            }
        });
    }

    /**
     * Adds {@code col} (as im2col lays it out) onto {@code channels} contiguous inH x inW planes
     * at {@code x[base]}. Threads take whole channels, so no two write the same element.
     */
    static void col2im(float[] col, int channels, ConvShape s, float[] x, int base) {
        col2im(col, 0, s.plane(), channels, s, x, base);
    }

    /** As above, with row r of the column matrix at {@code col[colOff + r * ld]} (several images side by side). */
    static void col2im(float[] col, int colOff, int ld, int channels, ConvShape s, float[] x, int base) {
        int taps = s.kH() * s.kW(), plane = s.plane(), ow = s.outW(), inPlane = s.inH() * s.inW();
        Parallel.forRange(0, channels, Math.max(1, GRAIN_ELEMENTS / Math.max(1, plane * taps)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                for (int t = 0; t < taps; t++) {
                    int i = t / s.kW(), j = t % s.kW();
                    int shiftW = j * s.dW() - s.pW();
                    int owLo = firstInside(shiftW, s.sW(), ow);
                    int owHi = endInside(shiftW, s.sW(), s.inW(), ow);
                    int rowBase = colOff + (c * taps + t) * ld;
                    for (int oh = 0; oh < s.outH(); oh++) {
                        int ih = oh * s.sH() - s.pH() + i * s.dH();
                        if (ih < 0 || ih >= s.inH()) continue;
                        int src = rowBase + oh * ow;
                        int dst = base + c * inPlane + ih * s.inW() + shiftW;
                        if (s.sW() == 1) addRow(col, src + owLo, x, dst + owLo, owHi - owLo);
                        else for (int o = owLo; o < owHi; o++) x[dst + o * s.sW()] += col[src + o];
                    }
                }
            }
        });
    }

    /** x[to : to+n] += col[from : from+n], a whole row of one kernel tap at once. */
    private static void addRow(float[] col, int from, float[] x, int to, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, to + i).add(FloatVector.fromArray(F, col, from + i)).intoArray(x, to + i);
        }
        for (; i < n; i++) x[to + i] += col[from + i];
    }

    /** float64 twin of {@link #col2im(float[], int, ConvShape, float[], int)}. */
    static void col2im(double[] col, int channels, ConvShape s, double[] x, int base) {
        int taps = s.kH() * s.kW(), plane = s.plane(), ow = s.outW(), inPlane = s.inH() * s.inW();
        Parallel.forRange(0, channels, Math.max(1, GRAIN_ELEMENTS / Math.max(1, plane * taps)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                for (int t = 0; t < taps; t++) {
                    int i = t / s.kW(), j = t % s.kW();
                    int shiftW = j * s.dW() - s.pW();
                    int owLo = firstInside(shiftW, s.sW(), ow);
                    int owHi = endInside(shiftW, s.sW(), s.inW(), ow);
                    int rowBase = (c * taps + t) * plane;
                    for (int oh = 0; oh < s.outH(); oh++) {
                        int ih = oh * s.sH() - s.pH() + i * s.dH();
                        if (ih < 0 || ih >= s.inH()) continue;
                        int src = rowBase + oh * ow;
                        int dst = base + c * inPlane + ih * s.inW() + shiftW;
                        for (int o = owLo; o < owHi; o++) x[dst + o * s.sW()] += col[src + o];
                    }
                }
            }
        });
    }
}
