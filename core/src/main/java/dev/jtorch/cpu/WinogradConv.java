package dev.jtorch.cpu;

import static dev.jtorch.cpu.Winograd4x3.F;
import static dev.jtorch.cpu.Winograd4x3.M;
import static dev.jtorch.cpu.Winograd4x3.POINTS;
import static dev.jtorch.cpu.Winograd4x3.V;

import dev.jtorch.backend.Layout;
import dev.jtorch.backend.WeightCache;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * float32 3x3 stride-1 convolution by Winograd's F(4x4, 3x3): 36 matrix products where direct
 * convolution needs the equivalent of 144 per 4x4 block of output, so about a quarter of the
 * multiply-adds (plus the transforms, {@link Winograd4x3}). The output is cut into 4x4 tiles;
 * each tile's 6x6 input window is transformed, and for each of the 36 points the products
 * {@code M_p = V_p · U_p} run over all tiles at once — V_p [tiles x inC] the transformed inputs,
 * U_p [inC x outC] the transformed kernels, packed once as the GEMM's B operand — then each
 * tile's 36 products are transformed back to its 4x4 outputs and the epilogue (scale, bias,
 * residual, ReLU) applied on the way to the NCHW output.
 *
 * <p>Tiles are rows of the products, output channels their columns, so a 7x7 plane (four tiles)
 * and a 56x56 plane both give full micro-kernel tiles; channels are the vector lanes of every
 * transform, so the input is first copied into a zero-padded NHWC buffer, once. Tiles go through
 * in chunks sized to stay in the caches; within a chunk the 36 products split across threads.
 * Every value is computed by the same sequence of operations whatever the thread count.
 *
 * <p>Accuracy: the transforms scale and sum values, so the rounding error is larger than direct
 * convolution's — a few 1e-6 of the output's magnitude per layer instead of 1e-7. Whole
 * pretrained networks in eval mode stay within 1e-5 of PyTorch (the parity tests allow 1e-4), but
 * a batch norm on batch statistics divides by the batch's spread and magnifies it (Inception v3
 * in training mode went from 6e-5 to 1.5e-4). So only the inference form takes this route
 * ({@code Convolution.conv2dInference}: eval-mode modules without gradients, where a batch norm
 * uses its running statistics); training and plain {@code conv2d} compute directly.
 */
final class WinogradConv {
    private WinogradConv() {}

    /** Key of the transformed kernels in a {@link WeightCache}. */
    static final String CACHE_KEY = "winograd-f4x4-3x3";

    /**
     * Fewer tiles than this and U (four times the weight) is read for too few rows: the product
     * becomes a stream through memory and direct convolution wins (a 7x7 plane at batch 1 has 4).
     */
    private static final int MIN_TILES = 16;
    /** Below this many input channels the products are too shallow to gain (a network's RGB input). */
    private static final int MIN_IN_CHANNELS = 16;
    /** A chunk's transformed inputs and products together: 4 MiB of floats, about what L3 holds per core. */
    private static final int CHUNK_FLOATS = 1 << 20;

    /** {@code -Djtorch.winograd=false} keeps every convolution on the direct routes (for comparisons). */
    private static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("jtorch.winograd", "true"));

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    /** Whether this convolution's shape suits Winograd (the caller also asks that its weight be reused, see ConvForward). */
    static boolean applies(ConvShape s) {
        if (!ENABLED || !Gemm.simd() || s.kH() != 3 || s.kW() != 3 || s.sH() != 1 || s.sW() != 1 || s.dH() != 1 || s.dW() != 1
                || s.groups() != 1 || s.inC() < MIN_IN_CHANNELS || s.outH() < 1 || s.outW() < 1) {
            return false;
        }
        long tiles = (long) s.batch() * tilesAlong(s.outH()) * tilesAlong(s.outW());
        return tiles >= MIN_TILES && tiles < Integer.MAX_VALUE / POINTS;
    }

    /** The transformed kernels: POINTS packed [inC x outC] GEMM operands, {@link Gemm#packedSize} apart. */
    record Kernels(float[] u, int inC, int outC) {
        int pointStep() { return Gemm.packedSize(inC, outC); }
    }

    /** y (contiguous) = act(conv3x3(x, w) * scale + bias + residual); see {@link ConvForward#forward}. */
    static void forward(CpuStorage x, Layout xl, DenseOperand w, ConvEpilogue epilogue, CpuStorage y, Layout yl,
                        ConvShape s, WeightCache cache) {
        Kernels kernels = cache.get(CACHE_KEY, () -> transformKernels(w.floats(), w.offset(), s.outC(), s.inC()));
        if (kernels.inC() != s.inC() || kernels.outC() != s.outC()) {
            throw new IllegalStateException("cached Winograd kernels are " + kernels.outC() + "x" + kernels.inC()
                    + ", the weight is " + s.outC() + "x" + s.inC());
        }
        int tilesH = tilesAlong(s.outH()), tilesW = tilesAlong(s.outW()), perImage = tilesH * tilesW;
        int tiles = s.batch() * perImage;
        int inCp = roundUp(s.inC(), V), outCp = roundUp(s.outC(), V);
        int paddedH = M * tilesH + 2, paddedW = M * tilesW + 2;
        int chunk = Math.min(tiles, Math.max(64, roundUp(CHUNK_FLOATS / (POINTS * (inCp + outCp)), GemmMicroKernel.MR)));
        float[][] scratch = SCRATCH.get();
        float[] padded = grow(scratch, 0, s.batch() * paddedH * paddedW * inCp);
        float[] transformed = grow(scratch, 1, POINTS * chunk * inCp);
        float[] products = grow(scratch, 2, POINTS * chunk * outCp);
        padNhwc(x.floats(), xl, s, padded, paddedH, paddedW, inCp);
        float[] out = y.floats();
        for (int t0 = 0; t0 < tiles; t0 += chunk) {
            int first = t0, count = Math.min(chunk, tiles - t0);
            Parallel.forRange(0, count, Math.max(1, 512 / inCp), (lo, hi) -> {
                float[] work = new float[POINTS * V];
                for (int t = lo; t < hi; t++) {
                    int g = first + t, n = g / perImage, th = g % perImage / tilesW, tw = g % tilesW;
                    int src = ((n * paddedH + M * th) * paddedW + M * tw) * inCp;
                    for (int c = 0; c < inCp; c += V) {
                        Winograd4x3.input(padded, src + c, paddedW * inCp, inCp, transformed, t * inCp + c,
                                count * inCp, work);
                    }
                }
            });
            Parallel.forRange(0, POINTS, 1, (lo, hi) -> {
                for (int p = lo; p < hi; p++) {
                    Gemm.sgemmPacked(count, s.outC(), s.inC(), transformed, p * count * inCp, inCp,
                            kernels.u(), p * kernels.pointStep(), products, p * count * outCp, outCp);
                }
            });
            Parallel.forRange(0, count, Math.max(1, 512 / outCp), (lo, hi) ->
                    outputTiles(products, count, outCp, first, lo, hi, tilesH, tilesW, s, epilogue, out, yl.offset()));
        }
    }

    private static int tilesAlong(int outputs) {
        return (outputs + M - 1) / M;
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    private static float[] grow(float[][] scratch, int which, int size) {
        if (scratch[which].length < size) scratch[which] = new float[size];
        return scratch[which];
    }

    /**
     * U_p for every point p, packed as GEMM B operands ([inC x outC], {@link Gemm#packedIndex}),
     * from w [outC, inC, 3, 3] at {@code wOff}. Lanes are output channels; a last partial block of
     * them goes through a zero-filled copy.
     */
    static Kernels transformKernels(float[] w, int wOff, int outC, int inC) {
        int step = Gemm.packedSize(inC, outC), taps = 9;
        float[] u = new float[POINTS * step];
        int[] lanes = new int[V], tailLanes = new int[V];
        for (int l = 0; l < V; l++) {
            lanes[l] = l * inC * taps;
            tailLanes[l] = l * taps;
        }
        int full = outC / V * V;
        Parallel.forRange(0, inC, Math.max(1, 4096 / (outC * taps)), (lo, hi) -> {
            float[] work = new float[27 * V], tailIn = new float[V * taps], tailOut = new float[POINTS * V];
            for (int ci = lo; ci < hi; ci++) {
                for (int co = 0; co < full; co += V) {
                    Winograd4x3.kernel(w, wOff + (co * inC + ci) * taps, lanes, u,
                            Gemm.packedIndex(inC, outC, ci, co), step, work);
                }
                if (full < outC) {
                    Arrays.fill(tailIn, 0f);
                    for (int co = full; co < outC; co++) {
                        System.arraycopy(w, wOff + (co * inC + ci) * taps, tailIn, (co - full) * taps, taps);
                    }
                    Winograd4x3.kernel(tailIn, 0, tailLanes, tailOut, 0, V, work);
                    for (int p = 0; p < POINTS; p++) {
                        int at = p * step + Gemm.packedIndex(inC, outC, ci, full);
                        System.arraycopy(tailOut, p * V, u, at, outC - full);
                    }
                }
            }
        });
        return new Kernels(u, inC, outC);
    }

    /**
     * x (any strides) into {@code dst} as [N, paddedH, paddedW, inCp]: channels innermost (padded
     * to whole vectors), the convolution's zero padding around, and zeros past the image up to
     * whole tiles. Rows are filled whole, so a reused buffer needs no clearing.
     */
    private static void padNhwc(float[] x, Layout xl, ConvShape s, float[] dst, int paddedH, int paddedW, int inCp) {
        int[] xs = xl.strides();
        int inC = s.inC(), inH = s.inH(), inW = s.inW(), pH = s.pH(), pW = s.pW(), full = inC / V * V;
        int[] lanes = new int[V];
        for (int l = 0; l < V; l++) lanes[l] = l * xs[1];
        int rowFloats = paddedW * inCp;
        Parallel.forRange(0, s.batch() * paddedH, Math.max(1, (1 << 14) / rowFloats), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int n = r / paddedH, h = r % paddedH - pH, row = r * rowFloats;
                if (h < 0 || h >= inH) {
                    Arrays.fill(dst, row, row + rowFloats, 0f);
                    continue;
                }
                Arrays.fill(dst, row, row + pW * inCp, 0f);
                Arrays.fill(dst, row + (pW + inW) * inCp, row + rowFloats, 0f);
                int src = xl.offset() + n * xs[0] + h * xs[2];
                for (int wi = 0; wi < inW; wi++) {
                    int at = row + (pW + wi) * inCp, from = src + wi * xs[3];
                    int c = 0;
                    for (; c < full; c += V) {
                        FloatVector.fromArray(F, x, from + c * xs[1], lanes, 0).intoArray(dst, at + c);
                    }
                    for (; c < inC; c++) dst[at + c] = x[from + c * xs[1]];
                    for (; c < inCp; c++) dst[at + c] = 0f;
                }
            }
        });
    }

    /**
     * Tiles lo..hi of a chunk from their products back to outputs: Aᵀ m A, the epilogue, and the
     * valid part of each 4x4 tile scattered into the NCHW output (lanes are channels, a plane apart).
     */
    private static void outputTiles(float[] products, int count, int outCp, int first, int lo, int hi, int tilesH,
                                    int tilesW, ConvShape s, ConvEpilogue e, float[] y, int yOff) {
        int outC = s.outC(), outH = s.outH(), outW = s.outW(), plane = outH * outW, perImage = tilesH * tilesW;
        // Lane l is channel co + l, a plane further on. In the last, partial block of channels the
        // lanes past outC are masked off, but the index check covers every lane, so they point at lane 0.
        int[] lanes = new int[V], lastLanes = new int[V];
        for (int l = 0; l < V; l++) {
            lanes[l] = l * plane;
            lastLanes[l] = (outC / V * V) + l < outC ? l * plane : 0;
        }
        float[] tile = new float[M * M * V], work = new float[4 * Winograd4x3.WINDOW * V];
        float[] scale = e.scale(), bias = e.bias(), residual = e.residual();
        for (int t = lo; t < hi; t++) {
            int g = first + t, n = g / perImage, h0 = g % perImage / tilesW * M, w0 = g % tilesW * M;
            int rows = Math.min(M, outH - h0), cols = Math.min(M, outW - w0);
            for (int co = 0; co < outC; co += V) {
                VectorMask<Float> valid = F.indexInRange(co, outC);
                int[] channelLanes = co + V <= outC ? lanes : lastLanes;
                Winograd4x3.output(products, t * outCp + co, count * outCp, tile, work);
                FloatVector vs = scale == null ? null : FloatVector.fromArray(F, scale, co, valid);
                FloatVector vb = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, co, valid);
                int channelAt = (n * outC + co) * plane;
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        FloatVector v = FloatVector.fromArray(F, tile, (i * M + j) * V);
                        if (vs != null) v = v.fma(vs, vb);
                        else if (bias != null) v = v.add(vb);
                        int at = channelAt + (h0 + i) * outW + w0 + j;
                        if (residual != null) {
                            v = v.add(FloatVector.fromArray(F, residual, e.residualBase() + at, channelLanes, 0, valid));
                        }
                        if (e.relu()) v = v.lanewise(VectorOperators.MAX, 0f);
                        v.intoArray(y, yOff + at, channelLanes, 0, valid);
                    }
                }
            }
        }
    }
}
