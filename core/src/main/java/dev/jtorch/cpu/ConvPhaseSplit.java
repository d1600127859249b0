package dev.jtorch.cpu;

/**
 * A stride-2 convolution as a stride-1 one, so that it takes the shifted-rows route
 * ({@link ConvForward}) instead of building a column matrix kH*kW/4 times its input.
 *
 * <p>Split the padded image into its four phases, {@code P_ab[i][j] = xpad[2i + a][2j + b]} for
 * a, b in {0, 1}. Tap (ki, kj) of the kernel then reads phase (ki mod 2, kj mod 2) at offset
 * (ki / 2, kj / 2) from output pixel (oh, ow), so
 * <pre>  y[o][oh][ow] = sum over c, a, b, u, v of w[o][c][2u + a][2v + b] * P_ab[c][oh + u][ow + v]</pre>
 * which is a stride-1 convolution over 4C channels with a ceil(k/2)-square kernel, taps past the
 * original kernel being zero. For ResNet's 7x7 stem that is 16 taps per phase-channel where the
 * original has 12.25 on average: 31% more multiply-adds, but no column matrix (the im2col route
 * ran the stem at 55-90 GFLOPS, the shifted-rows route runs at 120-180). For 3x3 kernels the
 * padding taps would be 78% more work, so only kernels of 5 and up are split.
 */
final class ConvPhaseSplit {
    private ConvPhaseSplit() {}

    private static final ThreadLocal<float[][]> PHASES = ThreadLocal.withInitial(() -> new float[][]{new float[0]});

    /** Stride 2 both ways, no dilation, one group, a square kernel of 5 or more. */
    static boolean applies(ConvShape s) {
        return s.sH() == 2 && s.sW() == 2 && s.dH() == 1 && s.dW() == 1 && s.groups() == 1 && s.kH() == s.kW()
                && s.kH() >= 5;
    }

    /** The stride-1 problem one image becomes: 4C channels of (outH + k' - 1) x (outW + k' - 1), kernel k' = ceil(k/2). */
    static ConvShape phaseShape(ConvShape s) {
        int k = (s.kH() + 1) / 2;
        return new ConvShape(1, 4 * s.inC(), s.outH() + k - 1, s.outW() + k - 1, s.outC(), k, k, s.outH(), s.outW(),
                1, 1, 0, 0, 1, 1, 1);
    }

    /**
     * The weight of the phase problem, [outC, 4C, k', k'] with channel {@code (2a + b) * C + c}
     * holding taps (2u + a, 2v + b) of channel c, zero past the original kernel.
     */
    static float[] phaseWeight(float[] w, int wOff, ConvShape s, ConvShape p) {
        int k = s.kH(), kp = p.kH(), inC = s.inC();
        float[] out = new float[s.outC() * p.inC() * kp * kp];
        for (int o = 0; o < s.outC(); o++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    for (int c = 0; c < inC; c++) {
                        int dst = ((o * p.inC() + (2 * a + b) * inC + c) * kp) * kp;
                        int src = wOff + ((o * inC + c) * k) * k;
                        for (int u = 0; 2 * u + a < k; u++) {
                            for (int v = 0; 2 * v + b < k; v++) {
                                out[dst + u * kp + v] = w[src + (2 * u + a) * k + 2 * v + b];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The four phases of one image (its channels at {@code x[xBase + c*xs[1] + i*xs[2] + j*xs[3]]}),
     * zero where they reach into the padding or past the image, as a dense [4C, Hh, Wh] array in
     * a per-thread scratch buffer.
     */
    static float[] phases(float[] x, int xBase, int[] xs, ConvShape s, ConvShape p) {
        int hh = p.inH(), wh = p.inW(), plane = hh * wh, inC = s.inC();
        float[][] holder = PHASES.get();
        if (holder[0].length < p.inC() * plane) holder[0] = new float[p.inC() * plane];
        float[] out = holder[0];
        Parallel.forRange(0, 4 * inC, Math.max(1, (1 << 14) / plane), (lo, hi) -> {
            for (int pc = lo; pc < hi; pc++) {
                int phase = pc / inC, c = pc % inC, a = phase >> 1, b = phase & 1;
                int at = pc * plane;
                for (int i = 0; i < hh; i++) {
                    int row = 2 * i + a - s.pH(); // in the unpadded image
                    if (row < 0 || row >= s.inH()) {
                        java.util.Arrays.fill(out, at + i * wh, at + (i + 1) * wh, 0f);
                        continue;
                    }
                    int src = xBase + c * xs[1] + row * xs[2];
                    for (int j = 0; j < wh; j++) {
                        int col = 2 * j + b - s.pW();
                        out[at + i * wh + j] = col < 0 || col >= s.inW() ? 0f : x[src + col * xs[3]];
                    }
                }
            }
        });
        return out;
    }
}
