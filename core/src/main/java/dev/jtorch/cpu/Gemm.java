package dev.jtorch.cpu;

import static dev.jtorch.cpu.GemmMicroKernel.MR;
import static dev.jtorch.cpu.GemmMicroKernel.NR;
import static dev.jtorch.cpu.GemmMicroKernel.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Matrix multiplication over strided operands: the kernel behind {@code mm}, {@code matmul},
 * {@code linear} and convolution (as im2col · weight).
 *
 * <p>All three entry points take the same layout description. A is m x k with element (i,p) at
 * {@code a[aOff + i*aRowStride + p*aColStride]}; B is k x n with element (p,j) at
 * {@code b[bOff + p*bRowStride + j*bColStride]}; C is m x n at {@code c[cOff + i*cRowStride + j]}
 * (C rows contiguous). Strides may be any non-negative values, so transposed operands and
 * stride-0 broadcasts are read in place. With {@code accumulate} the product is added to C,
 * otherwise it replaces C; when k == 0 that leaves C unchanged, or zero.
 *
 * <p>The fast {@link #sgemm} follows BLIS / GotoBLAS: C is cut into column blocks of {@code NC}
 * and k into blocks of {@code KC}; B is packed into NR-wide micro-panels, A is taken in
 * {@code MC}-row blocks (read in place when its rows are contiguous, packed otherwise), and the
 * micro-kernel ({@link GemmMicroKernel}) sweeps MR x NR tiles of C. Threads take disjoint
 * slices of C; a single row (matrix-vector) has its own streaming loops.
 * {@code -Djtorch.simd=false} routes it to {@link #sgemmReference}, the scalar oracle.
 */
public final class Gemm {

    private static final boolean SIMD = Boolean.parseBoolean(System.getProperty("jtorch.simd", "true"));

    /**
     * Depth of a block. One B micro-panel (KC x NR floats, 32 KiB at NR = 32) stays in the
     * 48 KiB L1 while the kernel sweeps every row tile of the A block past it. 128 to 512
     * measured within noise of each other.
     */
    private static final int KC = 256;
    /** Rows of an A block: MC x KC floats (256 KiB), reread for every B micro-panel, sit in the 1 MiB L2. */
    private static final int MC = 256;
    /** Columns of a B block: KC x NC floats (4 MiB), reread for every A block, sit in the shared 32 MiB L3. */
    private static final int NC = 4096;

    /**
     * Up to this many rows, a product with B columns contiguous is done as dot products. Packing
     * a transposed B costs about two cycles a float and is amortized only over m; measured: dot
     * products run at 40 GFLOPS for any m, the tiled path at 19 (m = 4), 34 (8) and 58 (16).
     */
    private static final int DOT_ROWS = 8;

    /** Below this many multiply-adds per thread, waking another thread costs more than it saves. */
    private static final long MIN_FMAS_PER_THREAD = 1L << 18;

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {}

    /** Whether the Vector API kernels run ({@code -Djtorch.simd=false} turns them off). */
    static boolean simd() {
        return SIMD;
    }

    /**
     * C = A·B (accumulate=false) or C += A·B (accumulate=true), float32, multithreaded through
     * {@link Parallel}. See the class comment for the layout of the operands.
     */
    public static void sgemm(int m, int n, int k,
                             float[] a, int aOff, int aRowStride, int aColStride,
                             float[] b, int bOff, int bRowStride, int bColStride,
                             float[] c, int cOff, int cRowStride, boolean accumulate) {
        if (!SIMD) {
            sgemmReference(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                    c, cOff, cRowStride, accumulate);
            return;
        }
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            clearUnlessAccumulating(m, n, c, cOff, cRowStride, accumulate);
            return;
        }
        if (m == 1 && bColStride == 1) {
            gemvRows(n, k, a, aOff, aColStride, b, bOff, bRowStride, c, cOff, accumulate);
            return;
        }
        if (m <= DOT_ROWS && aColStride == 1 && bRowStride == 1) {
            dotColumns(m, n, k, a, aOff, aRowStride, b, bOff, bColStride, c, cOff, cRowStride, accumulate);
            return;
        }
        BPanels panels = (p0, kc, j0, cols, dst, at) -> GemmPacking.packB(b, bOff, bRowStride, bColStride, p0, kc, j0, cols, dst, at);
        tiled(m, n, k, a, aOff, aRowStride, aColStride, panels, c, cOff, cRowStride, accumulate, null);
    }

    /**
     * C = A·B, float32, where row p of B starts at {@code b[bRows[p]]} and its columns are
     * contiguous: B(p, j) = b[bRows[p] + j]. This is the implicit im2col of a stride-1
     * convolution over a padded image ({@link ConvForward}): every row of the column matrix is a
     * shifted window of one channel, so the matrix is never written out; its micro-panels are
     * packed straight from the image. As each block of C is complete, {@code epilogue} (if not
     * null) runs on it while it is still in cache.
     */
    static void sgemmRowTable(int m, int n, int k, float[] a, int aOff, int aRowStride,
                              float[] b, int[] bRows, float[] c, int cOff, int cRowStride, SliceEpilogue epilogue) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (!SIMD || k <= 0) {
            rowTableReference(m, n, k, a, aOff, aRowStride, b, bRows, c, cOff, cRowStride);
            if (epilogue != null) epilogue.apply(0, m, 0, n);
            return;
        }
        BPanels panels = (p0, kc, j0, cols, dst, at) -> GemmPacking.packRowTable(b, bRows, p0, kc, j0, cols, dst, at);
        tiled(m, n, k, a, aOff, aRowStride, 1, panels, c, cOff, cRowStride, false, epilogue);
    }

    /**
     * As {@link #sgemm} with C = A·B (no accumulation), then {@code epilogue} on each finished
     * block of C, by the thread that computed it: the fused bias, residual and activation of an
     * inference convolution.
     */
    static void sgemm(int m, int n, int k, float[] a, int aOff, int aRowStride,
                      float[] b, int bOff, int bRowStride, float[] c, int cOff, int cRowStride, SliceEpilogue epilogue) {
        if (!SIMD || m == 1 || k <= 0) {
            sgemm(m, n, k, a, aOff, aRowStride, 1, b, bOff, bRowStride, 1, c, cOff, cRowStride, false);
            if (epilogue != null && m > 0 && n > 0) epilogue.apply(0, m, 0, n);
            return;
        }
        BPanels panels = (p0, kc, j0, cols, dst, at) -> GemmPacking.packB(b, bOff, bRowStride, 1, p0, kc, j0, cols, dst, at);
        tiled(m, n, k, a, aOff, aRowStride, 1, panels, c, cOff, cRowStride, false, epilogue);
    }

    /** Floats of a k x n B packed by {@link #packedIndex} for {@link #sgemmPacked}: whole NR-wide micro-panels. */
    static int packedSize(int k, int n) {
        return k * ceilDiv(n, NR) * NR;
    }

    /**
     * Where element (p, j) of a k x n B goes in its packed form: the KC-deep blocks one after
     * another, each a row of NR-wide micro-panels, each micro-panel NR floats per k step — the
     * layout {@link #blocked} packs for itself. Elements j and j + 1 are adjacent unless j + 1
     * starts a micro-panel. Columns past n (to the panel's end) are padding.
     */
    static int packedIndex(int k, int n, int p, int j) {
        int pc = p / KC * KC, kc = Math.min(KC, k - pc);
        return pc * (ceilDiv(n, NR) * NR) + j / NR * NR * kc + (p - pc) * NR + j % NR;
    }

    /**
     * C = A·B on the calling thread, with B already packed ({@link #packedIndex}, from
     * {@code bOff}) and A rows contiguous along k: for a B reused across calls (a transformed
     * convolution weight, {@link WinogradConv}) or a caller that runs many products in parallel.
     */
    static void sgemmPacked(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
                            float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (!SIMD || k <= 0) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) sum += a[aOff + i * lda + p] * b[bOff + packedIndex(k, n, p, j)];
                    c[cOff + i * ldc + j] = sum;
                }
            }
            return;
        }
        float[] edge = WORKSPACE.get().edge;
        int nPadded = ceilDiv(n, NR) * NR;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = Math.min(MC, m - ic);
                for (int jr = 0; jr < n; jr += NR) {
                    sweepPanel(mc, Math.min(NR, n - jr), kc, a, aOff + ic * lda + pc, lda, b, bOff + pc * nPadded + jr * kc,
                            c, cOff + ic * ldc + jr, ldc, pc > 0, edge);
                }
            }
        }
    }

    /**
     * The work applied to a finished block of C: rows i0 to i1, columns j0 to j1 (absolute
     * indices into the product). Each block is handed over once, by the thread that computed it.
     */
    @FunctionalInterface
    interface SliceEpilogue {
        void apply(int i0, int i1, int j0, int j1);
    }

    /** Packs the micro-panel B[p0:p0+kc, j0:j0+cols] (cols <= NR) into {@code dst} from {@code at}. */
    @FunctionalInterface
    private interface BPanels {
        void pack(int p0, int kc, int j0, int cols, float[] dst, int at);
    }

    /** The tiled product, split across threads by slices of C. */
    private static void tiled(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, BPanels b,
                              float[] c, int cOff, int cRowStride, boolean accumulate, SliceEpilogue epilogue) {
        int threads = (int) Math.min(Parallel.numThreads(), Math.max(1, (long) m * n * k / MIN_FMAS_PER_THREAD));
        int tilesN = ceilDiv(n, NR);
        int tilesM = ceilDiv(m, MR);
        // Threads take slices of C. Along n they share A, read in place; along m they share B,
        // which every thread would pack again for itself. So split n (wide products,
        // convolutions) unless it has too few tiles to balance.
        if (tilesN >= 4 * threads || tilesN >= tilesM) {
            int parts = Math.min(threads, tilesN);
            Parallel.forRange(0, parts, 1, (lo, hi) -> {
                int j0 = sliceStart(lo, parts, tilesN, NR, n);
                int j1 = sliceStart(hi, parts, tilesN, NR, n);
                blocked(m, j0, j1 - j0, k, a, aOff, aRowStride, aColStride, b, c, cOff + j0, cRowStride, accumulate,
                        epilogue, 0);
            });
        } else {
            int parts = Math.min(threads, tilesM);
            Parallel.forRange(0, parts, 1, (lo, hi) -> {
                int i0 = sliceStart(lo, parts, tilesM, MR, m);
                int i1 = sliceStart(hi, parts, tilesM, MR, m);
                blocked(i1 - i0, 0, n, k, a, aOff + i0 * aRowStride, aRowStride, aColStride, b,
                        c, cOff + i0 * cRowStride, cRowStride, accumulate, epilogue, i0);
            });
        }
    }

    /** Start of slice {@code part} of {@code parts}, in whole tiles so only the last one is ragged. */
    private static int sliceStart(int part, int parts, int tiles, int tile, int size) {
        return Math.min(size, (int) ((long) tiles * part / parts) * tile);
    }

    /**
     * The single-threaded BLIS loop nest over one slice of C: columns {@code j0} to
     * {@code j0 + n} of B (C starts at that column already), rows {@code i0} on of the product
     * (A and C start at that row already). Each MC x NR block of C gets {@code epilogue} (if not
     * null) as soon as its last k block is in, while the block is still in L1/L2: applied over the
     * whole slice afterwards, it would read a C larger than the caches back from memory.
     */
    private static void blocked(int m, int j0, int n, int k,
                                float[] a, int aOff, int ars, int acs, BPanels b,
                                float[] c, int cOff, int ldc, boolean accumulate, SliceEpilogue epilogue, int i0) {
        Workspace ws = WORKSPACE.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bPack = ws.bPanel(ceilDiv(nc, NR) * NR * kc);
                // The first k block overwrites C unless the caller asked to accumulate.
                boolean add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    // A is read in place when its rows are contiguous along k, else packed.
                    float[] aBlock = a;
                    int aBase = aOff + ic * ars + pc;
                    int lda = ars;
                    if (acs != 1) {
                        aBlock = ws.aPanel(mc * kc);
                        GemmPacking.packA(a, aOff, ars, acs, ic, mc, pc, kc, aBlock);
                        aBase = 0;
                        lda = kc;
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        if (ic == 0) {
                            // Packed on first use, so the panel is still in L1 for the sweep
                            // below; later A blocks reuse it from L2/L3.
                            b.pack(pc, kc, j0 + jc + jr, cols, bPack, jr * kc);
                        }
                        sweepPanel(mc, cols, kc, aBlock, aBase, lda, bPack, jr * kc,
                                c, cOff + ic * ldc + jc + jr, ldc, add, ws.edge);
                        if (epilogue != null && pc + kc == k) {
                            int j = j0 + jc + jr;
                            epilogue.apply(i0 + ic, i0 + ic + mc, j, j + cols);
                        }
                    }
                }
            }
        }
    }

    /** Runs the micro-kernel down one B micro-panel: every MR-row tile of an A block. */
    private static void sweepPanel(int mc, int cols, int kc, float[] a, int aBase, int lda, float[] bPack, int bBase,
                                   float[] c, int cOff, int ldc, boolean add, float[] edge) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            GemmMicroKernel.tile(kc, a, aBase + ir * lda, lda, bPack, bBase,
                    c, cOff + ir * ldc, ldc, add, rows, cols, edge);
        }
    }

    /**
     * Matrix-vector product (m == 1) with B rows contiguous: C row += a[p] * B row p. It streams
     * B once, where packing would read it three times and pad the single row of A to MR.
     */
    private static void gemvRows(int n, int k, float[] a, int aOff, int acs,
                                 float[] b, int bOff, int brs, float[] c, int cOff, boolean accumulate) {
        int grain = (int) Math.max(SPECIES.length(), MIN_FMAS_PER_THREAD / k);
        Parallel.forRange(0, n, grain, (lo, hi) -> {
            if (!accumulate) {
                Arrays.fill(c, cOff + lo, cOff + hi, 0f);
            }
            int vecEnd = lo + SPECIES.loopBound(hi - lo);
            for (int p = 0; p < k; p++) {
                FloatVector ap = FloatVector.broadcast(SPECIES, a[aOff + p * acs]);
                int row = bOff + p * brs;
                int j = lo;
                for (; j < vecEnd; j += SPECIES.length()) {
                    FloatVector.fromArray(SPECIES, b, row + j)
                            .fma(ap, FloatVector.fromArray(SPECIES, c, cOff + j))
                            .intoArray(c, cOff + j);
                }
                for (; j < hi; j++) {
                    c[cOff + j] += a[aOff + p * acs] * b[row + j];
                }
            }
        });
    }

    /**
     * A few rows times a B whose columns are contiguous (x · Wᵀ, a linear layer on a small
     * batch): every C element is one dot product of two contiguous vectors, and each column of
     * B is read once for all rows while it is in L1, instead of being packed for a tile that
     * would be mostly padding.
     */
    private static void dotColumns(int m, int n, int k, float[] a, int aOff, int ars,
                                   float[] b, int bOff, int bcs, float[] c, int cOff, int ldc, boolean accumulate) {
        int grain = (int) Math.max(1, MIN_FMAS_PER_THREAD / ((long) m * k));
        Parallel.forRange(0, n, grain, (lo, hi) -> {
            for (int j = lo; j < hi; j++) {
                for (int i = 0; i < m; i++) {
                    float sum = dot(a, aOff + i * ars, b, bOff + j * bcs, k);
                    int at = cOff + i * ldc + j;
                    c[at] = accumulate ? c[at] + sum : sum;
                }
            }
        });
    }

    /** Two accumulators so consecutive FMAs do not wait on each other's latency. */
    private static float dot(float[] x, int xOff, float[] y, int yOff, int len) {
        int v = SPECIES.length();
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        int p = 0;
        for (int bound = len - len % (2 * v); p < bound; p += 2 * v) {
            s0 = FloatVector.fromArray(SPECIES, x, xOff + p).fma(FloatVector.fromArray(SPECIES, y, yOff + p), s0);
            s1 = FloatVector.fromArray(SPECIES, x, xOff + p + v).fma(FloatVector.fromArray(SPECIES, y, yOff + p + v), s1);
        }
        float sum = LaneSum.of(s0.add(s1));
        for (; p < len; p++) {
            sum += x[xOff + p] * y[yOff + p];
        }
        return sum;
    }

    /** Same contract as {@link #sgemm}, float64: a straightforward loop, used by gradient checks. */
    public static void dgemm(int m, int n, int k,
                             double[] a, int aOff, int aRowStride, int aColStride,
                             double[] b, int bOff, int bRowStride, int bColStride,
                             double[] c, int cOff, int cRowStride, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        // i-p-j order: the inner loop walks a row of C and a row of B, both in memory order
        // when B is row-major, and each A element is loaded once.
        int grain = (int) Math.max(1, MIN_FMAS_PER_THREAD / Math.max(1L, (long) n * k));
        Parallel.forRange(0, m, grain, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int row = cOff + i * cRowStride;
                if (!accumulate) {
                    Arrays.fill(c, row, row + n, 0.0);
                }
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * aRowStride + p * aColStride];
                    int bRow = bOff + p * bRowStride;
                    for (int j = 0; j < n; j++) {
                        c[row + j] += aip * b[bRow + j * bColStride];
                    }
                }
            }
        });
    }

    /**
     * The plain scalar triple loop, same contract as {@link #sgemm}: the oracle the fast kernel
     * is tested against, and the kernel used when {@code jtorch.simd=false}.
     */
    public static void sgemmReference(int m, int n, int k,
                                      float[] a, int aOff, int aRowStride, int aColStride,
                                      float[] b, int bOff, int bRowStride, int bColStride,
                                      float[] c, int cOff, int cRowStride, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int at = cOff + i * cRowStride + j;
                c[at] = accumulate ? c[at] + sum : sum;
            }
        }
    }

    /** The scalar oracle of {@link #sgemmRowTable}. */
    static void rowTableReference(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int[] bRows,
                                  float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * lda + p] * b[bRows[p] + j];
                }
                c[cOff + i * ldc + j] = sum;
            }
        }
    }

    private static void clearUnlessAccumulating(int m, int n, float[] c, int cOff, int ldc, boolean accumulate) {
        if (!accumulate) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** One thread's packing buffers plus the scratch tile for partial edge tiles. */
    private static final class Workspace {
        private float[] aPanel = new float[0];
        private float[] bPanel = new float[0];
        final float[] edge = new float[MR * NR];

        float[] aPanel(int size) {
            if (aPanel.length < size) {
                aPanel = new float[size];
            }
            return aPanel;
        }

        float[] bPanel(int size) {
            if (bPanel.length < size) {
                bPanel = new float[size];
            }
            return bPanel;
        }
    }
}
