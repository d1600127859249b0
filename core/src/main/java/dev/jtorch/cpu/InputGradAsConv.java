package dev.jtorch.cpu;

import dev.jtorch.DType;
import dev.jtorch.backend.Layout;

/**
 * The input gradient of a stride-1 convolution computed as a convolution: for stride 1,
 * {@code gradInput = conv2d(gradOut, W')} where W' swaps each group's input and output channels
 * and flips the kernel ({@code W'[c, o, i, j] = W[o, c, kH-1-i, kW-1-j]}), with padding
 * {@code dilation * (k - 1) - padding} and the same dilation. The forward convolution's routes
 * then apply ({@link ConvForward}: the GEMM packs straight from the padded gradient), instead of
 * a GEMM into a column matrix kH*kW times the input followed by col2im's scattered adds.
 * Only where that padding is not negative (padding <= dilation * (k - 1), as for every "same"
 * or "valid" convolution); otherwise the column route in {@link ConvKernels} runs.
 */
final class InputGradAsConv {
    private InputGradAsConv() {}

    static boolean applies(ConvShape s) {
        return s.sH() == 1 && s.sW() == 1 && s.pH() <= s.dH() * (s.kH() - 1) && s.pW() <= s.dW() * (s.kW() - 1);
    }

    /** gradInput (contiguous, overwritten), float32. */
    static void run(CpuStorage gy, Layout gyl, DenseOperand w, CpuStorage gx, Layout gxl, ConvShape s) {
        ConvShape t = new ConvShape(s.batch(), s.outC(), s.outH(), s.outW(), s.inC(), s.kH(), s.kW(), s.inH(), s.inW(),
                1, 1, s.dH() * (s.kH() - 1) - s.pH(), s.dW() * (s.kW() - 1) - s.pW(), s.dH(), s.dW(), s.groups());
        DenseOperand flipped = new DenseOperand(new CpuStorage(DType.FLOAT32, flipTransposed(w, s)), 0);
        ConvForward.forward(gy, gyl, flipped, null, null, null, false, gx, gxl, t, null);
    }

    /** W' [inC, outC/g, kH, kW] from W [outC, inC/g, kH, kW], per group; see the class comment. */
    private static float[] flipTransposed(DenseOperand w, ConvShape s) {
        int cog = s.outCg(), cig = s.inCg(), taps = s.kH() * s.kW();
        float[] src = w.floats(), dst = new float[s.outC() * cig * taps];
        int base = w.offset();
        Parallel.forRange(0, s.groups() * cig, Math.max(1, (1 << 14) / Math.max(1, cog * taps)), (lo, hi) -> {
            for (int gc = lo; gc < hi; gc++) {
                int g = gc / cig, c = gc % cig;
                for (int o = 0; o < cog; o++) {
                    int from = base + ((g * cog + o) * cig + c) * taps, to = (gc * cog + o) * taps;
                    for (int t = 0; t < taps; t++) dst[to + t] = src[from + taps - 1 - t];
                }
            }
        });
        return dst;
    }
}
