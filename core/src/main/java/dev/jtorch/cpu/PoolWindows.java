package dev.jtorch.cpu;

/**
 * The input window of every output row and column of a 2-D pooling: rows [hStart, hEnd) stepping
 * by hStep, columns likewise, already clipped to the image. For averaging, {@code divisor} holds
 * the divisor of each output pixel (row-major); it is null for max pooling. Built once per call
 * from PyTorch's formulas, so the kernels themselves are plain loops.
 */
record PoolWindows(int[] hStart, int[] hEnd, int hStep, int[] wStart, int[] wEnd, int wStep, double[] divisor) {

    int outH() { return hStart.length; }

    int outW() { return wStart.length; }

    /** max_pool2d: the dilated window, clipped, its start moved onto the first tap inside the image. */
    static PoolWindows max(int inH, int inW, int outH, int outW, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] hs = new int[outH], he = new int[outH], ws = new int[outW], we = new int[outW];
        dilatedAxis(inH, kernel[0], stride[0], padding[0], dilation[0], hs, he);
        dilatedAxis(inW, kernel[1], stride[1], padding[1], dilation[1], ws, we);
        return new PoolWindows(hs, he, dilation[0], ws, we, dilation[1], null);
    }

    private static void dilatedAxis(int in, int k, int s, int p, int d, int[] start, int[] end) {
        for (int o = 0; o < start.length; o++) {
            int i0 = o * s - p;
            int i1 = Math.min(i0 + (k - 1) * d + 1, in);
            while (i0 < 0) i0 += d;
            start[o] = i0;
            end[o] = i1;
        }
    }

    /**
     * avg_pool2d: the window's size counts padding but not the part past the padded edge (that
     * only ceil_mode reaches); count_include_pad picks it or the in-image size as the divisor.
     */
    static PoolWindows avg(int inH, int inW, int outH, int outW, int[] kernel, int[] stride, int[] padding,
                           boolean countIncludePad, int divisorOverride) {
        int[] hs = new int[outH], he = new int[outH], hPool = new int[outH];
        int[] ws = new int[outW], we = new int[outW], wPool = new int[outW];
        paddedAxis(inH, kernel[0], stride[0], padding[0], hs, he, hPool);
        paddedAxis(inW, kernel[1], stride[1], padding[1], ws, we, wPool);
        double[] divisor = new double[outH * outW];
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                divisor[oh * outW + ow] = divisorOverride != 0 ? divisorOverride
                        : countIncludePad ? (double) hPool[oh] * wPool[ow]
                        : (double) Math.max(0, he[oh] - hs[oh]) * Math.max(0, we[ow] - ws[ow]);
            }
        }
        return new PoolWindows(hs, he, 1, ws, we, 1, divisor);
    }

    private static void paddedAxis(int in, int k, int s, int p, int[] start, int[] end, int[] pool) {
        for (int o = 0; o < start.length; o++) {
            int i0 = o * s - p;
            int i1 = Math.min(i0 + k, in + p);
            pool[o] = i1 - i0;
            start[o] = Math.max(i0, 0);
            end[o] = Math.min(i1, in);
        }
    }

    /** Adaptive pooling: output o covers [floor(o*in/out), ceil((o+1)*in/out)). */
    static PoolWindows adaptive(int inH, int inW, int outH, int outW, boolean average) {
        int[] hs = new int[outH], he = new int[outH], ws = new int[outW], we = new int[outW];
        adaptiveAxis(inH, hs, he);
        adaptiveAxis(inW, ws, we);
        double[] divisor = null;
        if (average) {
            divisor = new double[outH * outW];
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) divisor[oh * outW + ow] = (double) (he[oh] - hs[oh]) * (we[ow] - ws[ow]);
            }
        }
        return new PoolWindows(hs, he, 1, ws, we, 1, divisor);
    }

    private static void adaptiveAxis(int in, int[] start, int[] end) {
        int out = start.length;
        for (int o = 0; o < out; o++) {
            start[o] = (int) ((long) o * in / out);
            end[o] = (int) (((long) (o + 1) * in + out - 1) / out);
        }
    }
}
