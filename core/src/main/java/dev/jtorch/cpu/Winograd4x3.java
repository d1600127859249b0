package dev.jtorch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three transforms of Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): a 6x6 window d of the input and a 3x3
 * kernel g give the 4x4 outputs of their cross-correlation as {@code Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A}.
 *
 * <p>The matrices come from the Toom-Cook construction with interpolation points 0, 1, -1, 2,
 * -1/2 and ∞, not the usual 0, ±1, ±2, ∞: simulated in float32 over 64 channels, the usual points
 * give a worst error of 1.1e-5 of the output's magnitude, these 5.3e-6 (direct convolution:
 * 2e-7). {@code bench/winograd_points.py} derives the matrices for a point set and runs that
 * simulation (choosing the points for accuracy is the idea of Barabasz et al., "Error analysis
 * and improving the accuracy of Winograd convolution for deep neural networks", 2020). Summed over input channels, the element-wise product becomes
 * 36 independent matrix products ({@link WinogradConv}); these are the transforms around them.
 *
 * <p>Every transform is separable: the same 1-D transform runs down the columns, then along the
 * rows. All of them work on vectors whose lanes are channels, so one call transforms a block of
 * {@link #V} channels at once; the 2-D intermediate goes through a small scratch array in L1.
 */
final class Winograd4x3 {
    private Winograd4x3() {}

    static final VectorSpecies<Float> F = GemmMicroKernel.SPECIES;
    /** Channels per vector. */
    static final int V = F.length();
    /** Outputs per tile side. */
    static final int M = 4;
    /** Inputs per tile side (a tile's window): M + 3 - 1. */
    static final int WINDOW = 6;
    /** Points of the transformed tile: the number of independent products. */
    static final int POINTS = WINDOW * WINDOW;

    private static final FloatVector HALF = constant(0.5f), MINUS_HALF = constant(-0.5f), QUARTER = constant(0.25f);
    private static final FloatVector MINUS_EIGHTH = constant(-0.125f), TWO = constant(2f), MINUS_TWO = constant(-2f);
    private static final FloatVector FOUR = constant(4f), EIGHT = constant(8f);
    private static final FloatVector THREE_HALVES = constant(1.5f), MINUS_FIVE_HALVES = constant(-2.5f);
    private static final FloatVector THIRD = constant(1f / 3), MINUS_THIRD = constant(-1f / 3);
    private static final FloatVector FIFTEENTH = constant(1f / 15), TWO_FIFTEENTHS = constant(2f / 15);
    private static final FloatVector FOUR_FIFTEENTHS = constant(4f / 15), MINUS_FOUR_FIFTEENTHS = constant(-4f / 15);
    private static final FloatVector EIGHT_FIFTEENTHS = constant(8f / 15), MINUS_SIXTEEN_FIFTEENTHS = constant(-16f / 15);

    private static FloatVector constant(float c) {
        return FloatVector.broadcast(F, c);
    }

    // Every helper takes arrays and offsets, never vectors: a vector passed to or returned from a
    // method C2 does not inline is boxed, and which calls it inlines depends on compilation order
    // (a callee compiled first, standalone, is then too big to inline). Measured: 4x slower runs.

    // ---- input: Bᵀ d B ---------------------------------------------------------------------

    /**
     * Transforms one tile for V channels: {@code d(i, j)} at {@code src[srcOff + i*rowStep + j*colStep]}
     * (lanes contiguous), point (i, j) of the result to {@code dst[dstOff + (i*6 + j) * pointStep]}.
     * {@code scratch} holds POINTS * V floats.
     */
    static void input(float[] src, int srcOff, int rowStep, int colStep, float[] dst, int dstOff, int pointStep,
                      float[] scratch) {
        for (int j = 0; j < WINDOW; j++) { // down column j: t(:, j) = Bᵀ d(:, j)
            inputLine(src, srcOff + j * colStep, rowStep, scratch, j * V, WINDOW * V);
        }
        for (int i = 0; i < WINDOW; i++) { // along row i: v(i, :) = t(i, :) B
            inputLine(scratch, i * WINDOW * V, V, dst, dstOff + i * WINDOW * pointStep, pointStep);
        }
    }

    /** The 1-D input transform Bᵀ·(d0..d5), d_r at {@code src[from + r*inStep]}, result r to {@code dst[to + r*outStep]}. */
    private static void inputLine(float[] src, int from, int inStep, float[] dst, int to, int outStep) {
        FloatVector d0 = FloatVector.fromArray(F, src, from), d1 = FloatVector.fromArray(F, src, from + inStep);
        FloatVector d2 = FloatVector.fromArray(F, src, from + 2 * inStep), d3 = FloatVector.fromArray(F, src, from + 3 * inStep);
        FloatVector d4 = FloatVector.fromArray(F, src, from + 4 * inStep), d5 = FloatVector.fromArray(F, src, from + 5 * inStep);
        FloatVector d1m3 = d1.sub(d3), d4m2 = d4.sub(d2);
        d2.fma(MINUS_TWO, d1m3.fma(THREE_HALVES, d0.add(d4))).intoArray(dst, to);         // d0 + 3/2 d1 - 2d2 - 3/2 d3 + d4
        d2.fma(MINUS_FIVE_HALVES, d3.fma(MINUS_HALF, d4.sub(d1))).intoArray(dst, to + outStep); // -d1 - 5/2 d2 - 1/2 d3 + d4
        d3.fma(MINUS_FIVE_HALVES, d2.fma(HALF, d4.add(d1))).intoArray(dst, to + 2 * outStep);  // d1 + 1/2 d2 - 5/2 d3 + d4
        d1m3.fma(MINUS_HALF, d4m2).intoArray(dst, to + 3 * outStep);                      // -1/2 d1 - d2 + 1/2 d3 + d4
        d1m3.fma(TWO, d4m2).intoArray(dst, to + 4 * outStep);                             // 2d1 - d2 - 2d3 + d4
        d3.fma(MINUS_TWO, d2.sub(d4).fma(THREE_HALVES, d5.add(d1))).intoArray(dst, to + 5 * outStep); // d1 + 3/2 d2 - 2d3 - 3/2 d4 + d5
    }

    // ---- kernel: G g Gᵀ ----------------------------------------------------------------------

    /**
     * Transforms one 3x3 kernel for V output channels: {@code g(i, j)} of lane l at
     * {@code src[srcOff + lanes[l] + i*3 + j]}, point p of the result to
     * {@code dst[dstOff + p*pointStep]} (lanes contiguous). {@code scratch} holds 27 * V floats.
     */
    static void kernel(float[] src, int srcOff, int[] lanes, float[] dst, int dstOff, int pointStep, float[] scratch) {
        for (int tap = 0; tap < 9; tap++) { // gather g(tap) of every lane: scratch[tap * V]
            FloatVector.fromArray(F, src, srcOff + tap, lanes, 0).intoArray(scratch, tap * V);
        }
        int t = 9 * V; // t = G g, 6 x 3, after the kernel
        for (int j = 0; j < 3; j++) { // down column j: t(:, j) = G g(:, j)
            kernelLine(scratch, j * V, 3 * V, scratch, t + j * V, 3 * V);
        }
        for (int i = 0; i < WINDOW; i++) { // along row i: u(i, :) = t(i, :) Gᵀ
            kernelLine(scratch, t + i * 3 * V, V, dst, dstOff + i * WINDOW * pointStep, pointStep);
        }
    }

    /** The 1-D kernel transform G·(g0, g1, g2), g_r at {@code src[from + r*inStep]}, result r to {@code dst[to + r*outStep]}. */
    private static void kernelLine(float[] src, int from, int inStep, float[] dst, int to, int outStep) {
        FloatVector g0 = FloatVector.fromArray(F, src, from), g1 = FloatVector.fromArray(F, src, from + inStep);
        FloatVector g2 = FloatVector.fromArray(F, src, from + 2 * inStep);
        g0.intoArray(dst, to);                                                                   // g0
        g0.add(g1).add(g2).mul(MINUS_THIRD).intoArray(dst, to + outStep);                        // -(g0 + g1 + g2)/3
        g0.sub(g1).add(g2).mul(THIRD).intoArray(dst, to + 2 * outStep);                          // (g0 - g1 + g2)/3
        g0.fma(FIFTEENTH, g1.fma(TWO_FIFTEENTHS, g2.mul(FOUR_FIFTEENTHS))).intoArray(dst, to + 3 * outStep); // (g0 + 2g1 + 4g2)/15
        g0.fma(MINUS_SIXTEEN_FIFTEENTHS, g1.fma(EIGHT_FIFTEENTHS, g2.mul(MINUS_FOUR_FIFTEENTHS)))
                .intoArray(dst, to + 4 * outStep);                                               // (-16g0 + 8g1 - 4g2)/15
        g2.intoArray(dst, to + 5 * outStep);                                                     // g2
    }

    // ---- output: Aᵀ m A ---------------------------------------------------------------------

    /**
     * Transforms one tile of products for V output channels: point p at
     * {@code src[srcOff + p*pointStep]}, output (i, j) of the 4x4 tile to
     * {@code dst[(i*4 + j) * V]} (a scratch of 16 * V floats; {@code scratch} holds 24 * V).
     */
    static void output(float[] src, int srcOff, int pointStep, float[] dst, float[] scratch) {
        for (int j = 0; j < WINDOW; j++) { // down column j: s(:, j) = Aᵀ m(:, j), 4 x 6
            outputLine(src, srcOff + j * pointStep, WINDOW * pointStep, scratch, j * V, WINDOW * V);
        }
        for (int i = 0; i < M; i++) { // along row i: y(i, :) = s(i, :) A
            outputLine(scratch, i * WINDOW * V, V, dst, i * M * V, V);
        }
    }

    /** The 1-D output transform Aᵀ·(m0..m5), m_r at {@code src[from + r*inStep]}, result r to {@code dst[to + r*outStep]}. */
    private static void outputLine(float[] src, int from, int inStep, float[] dst, int to, int outStep) {
        FloatVector m0 = FloatVector.fromArray(F, src, from), m1 = FloatVector.fromArray(F, src, from + inStep);
        FloatVector m2 = FloatVector.fromArray(F, src, from + 2 * inStep), m3 = FloatVector.fromArray(F, src, from + 3 * inStep);
        FloatVector m4 = FloatVector.fromArray(F, src, from + 4 * inStep), m5 = FloatVector.fromArray(F, src, from + 5 * inStep);
        FloatVector sum12 = m1.add(m2), diff12 = m1.sub(m2);
        m0.add(sum12).add(m3.add(m4)).intoArray(dst, to);                                  // m0 + m1 + m2 + m3 + m4
        m4.fma(MINUS_HALF, m3.fma(TWO, diff12)).intoArray(dst, to + outStep);              // m1 - m2 + 2m3 - m4/2
        m4.fma(QUARTER, m3.fma(FOUR, sum12)).intoArray(dst, to + 2 * outStep);             // m1 + m2 + 4m3 + m4/4
        m4.fma(MINUS_EIGHTH, m3.fma(EIGHT, diff12.add(m5))).intoArray(dst, to + 3 * outStep); // m1 - m2 + 8m3 - m4/8 + m5
    }
}
