package dev.jtorch.cpu;

import dev.jtorch.backend.Layout;

/**
 * The geometry of one 2-D convolution, read off the layouts of its input [N, C, H, W], weight
 * [outC, C / groups, kH, kW] and output [N, outC, outH, outW]. The op layer has already checked
 * that they agree.
 */
record ConvShape(int batch, int inC, int inH, int inW, int outC, int kH, int kW, int outH, int outW,
                 int sH, int sW, int pH, int pW, int dH, int dW, int groups) {

    static ConvShape of(Layout input, Layout weight, Layout output, int[] stride, int[] padding, int[] dilation,
                        int groups) {
        int[] x = input.shape(), w = weight.shape(), y = output.shape();
        return new ConvShape(x[0], x[1], x[2], x[3], w[0], w[2], w[3], y[2], y[3],
                stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
    }

    int inCg() { return inC / groups; }

    int outCg() { return outC / groups; }

    /** The GEMM depth: one group's input channels times the kernel taps. */
    int depth() { return inCg() * kH * kW; }

    /** Output pixels per channel: the GEMM width. */
    int plane() { return outH * outW; }

    /** A 1x1 kernel at stride 1 without padding reads the input image as it is: no im2col. */
    boolean pointwise() { return kH == 1 && kW == 1 && sH == 1 && sW == 1 && pH == 0 && pW == 0; }

    /**
     * The single stride that walks an h x w plane in row-major order, or -1 when the plane's
     * rows are not evenly spaced (then it cannot be one GEMM operand dimension).
     */
    static int planeStride(int h, int w, int strideH, int strideW) {
        if (w == 1) return strideH;
        if (h == 1) return strideW;
        return strideH == w * strideW ? strideW : -1;
    }
}
