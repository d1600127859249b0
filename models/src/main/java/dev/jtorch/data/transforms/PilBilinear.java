package dev.jtorch.data.transforms;

/**
 * Pillow's bilinear resampling ({@code Image.resize(size, Image.BILINEAR)}, libImaging's
 * {@code Resample.c}), reproduced step for step so that resized pixels equal PIL's, which is what
 * torchvision's {@code Resize} calls on PIL images.
 *
 * <p>It is a separable convolution with the triangle filter, widened by the scale factor when
 * shrinking (so shrinking averages every source pixel: antialiasing), with 8-bit fixed-point
 * weights of {@link #PRECISION_BITS} fraction bits, a horizontal pass (rounded and clipped to a
 * byte), then a vertical pass over its output. A pass whose size does not change is skipped.
 * (torchvision's tensor path, {@code F.interpolate(antialias=True)}, works in floats and differs
 * from this by up to a level or so; jtorch follows the PIL path torchvision's docs use.)
 */
final class PilBilinear {
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PilBilinear() {}

    /** Coefficients for one axis: per output index its first source index, count and fixed-point weights. */
    private record Coeffs(int ksize, int[] bounds, int[] weights) {}

    private static double filter(double x) {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    private static Coeffs coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 1.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0, ss = 1.0 / filterscale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? k[x] / ww : k[x];
                kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static int clip8(long ss) {
        if (ss >= (1L << PRECISION_BITS << 8)) return 255;
        if (ss <= 0) return 0;
        return (int) (ss >> PRECISION_BITS);
    }

    /** Resizes HWC bytes of {@code channels} channels from inW x inH to outW x outH. */
    static byte[] resize(byte[] in, int inW, int inH, int channels, int outW, int outH) {
        byte[] src = in;
        int w = inW, h = inH;
        if (outW != inW) {
            Coeffs c = coefficients(inW, outW);
            byte[] out = new byte[outW * h * channels];
            for (int y = 0; y < h; y++) {
                int row = y * inW * channels;
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = c.bounds[2 * xx], xmax = c.bounds[2 * xx + 1], kOff = xx * c.ksize;
                    for (int ch = 0; ch < channels; ch++) {
                        long ss = 1L << (PRECISION_BITS - 1);
                        for (int x = 0; x < xmax; x++) {
                            ss += (long) (src[row + (x + xmin) * channels + ch] & 0xFF) * c.weights[kOff + x];
                        }
                        out[(y * outW + xx) * channels + ch] = (byte) clip8(ss);
                    }
                }
            }
            src = out;
            w = outW;
        }
        if (outH != inH) {
            Coeffs c = coefficients(inH, outH);
            byte[] out = new byte[w * outH * channels];
            int stride = w * channels;
            for (int yy = 0; yy < outH; yy++) {
                int ymin = c.bounds[2 * yy], ymax = c.bounds[2 * yy + 1], kOff = yy * c.ksize;
                for (int i = 0; i < stride; i++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int y = 0; y < ymax; y++) ss += (long) (src[(y + ymin) * stride + i] & 0xFF) * c.weights[kOff + y];
                    out[yy * stride + i] = (byte) clip8(ss);
                }
            }
            src = out;
            h = outH;
        }
        return src == in ? in.clone() : src;
    }
}
