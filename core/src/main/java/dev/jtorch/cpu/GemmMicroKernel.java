package dev.jtorch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner kernel of {@link Gemm}: one MR x NR tile of C from MR rows of A
 * (each contiguous along k, at a row stride) and a packed B micro-panel (NR columns per k step).
 *
 * <p>Why 4 x (2 vectors): each k step loads two B vectors and broadcasts four A values into
 * eight independent FMA accumulators, enough to cover the FMA latency of two pipes (4 cycles x
 * 2), while the 8 accumulators + 2 B vectors + 1 broadcast stay within the registers the JIT
 * allocates without spilling. Measured on this machine: 4x16 floats beat 6x16 and 4x24, which
 * need 12 accumulators and made C2 spill; with 512-bit vectors 4x32 again beat 6x32, 8x32 and
 * 4x64, and matched 4x48 (worse for the n = 49 of late ResNet layers).
 *
 * <p>Why A rows rather than an interleaved A panel: reading four rows in place (unit stride
 * along k) was as fast as the classic packed panel on large products and 1.5x faster on skinny
 * ones (n = 49), where packing A costs as much as multiplying it.
 */
final class GemmMicroKernel {

    /** Chosen once from the hardware (256 or 512 bits); every index below is a multiple of it. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int V = SPECIES.length();

    /** Rows of C per tile. */
    static final int MR = 4;
    /** Columns of C per tile: two vectors. */
    static final int NR = 2 * V;

    private GemmMicroKernel() {}

    /**
     * C[0:rows, 0:cols] = (or +=) A[0:rows, 0:kc] · B-panel, A row r at a[aBase + r*lda + p],
     * C at c[cOff + r*ldc + j]. The B panel is zero-padded to NR columns and missing A rows
     * repeat the last one, so a partial tile computes a full one and stores only its valid part
     * through {@code edge} (an MR*NR scratch tile).
     */
    static void tile(int kc, float[] a, int aBase, int lda, float[] b, int bBase,
                     float[] c, int cOff, int ldc, boolean add, int rows, int cols, float[] edge) {
        int a0 = aBase;
        int a1 = aBase + Math.min(1, rows - 1) * lda;
        int a2 = aBase + Math.min(2, rows - 1) * lda;
        int a3 = aBase + Math.min(3, rows - 1) * lda;
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        // Indices of the form `invariant + p*CONST` let C2 prove every access in range before
        // the loop and drop the per-iteration bounds checks.
        for (int p = 0; p < kc; p++) {
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + V);
            FloatVector ar = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = ar.fma(b0, c00);
            c01 = ar.fma(b1, c01);
            ar = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = ar.fma(b0, c10);
            c11 = ar.fma(b1, c11);
            ar = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = ar.fma(b0, c20);
            c21 = ar.fma(b1, c21);
            ar = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = ar.fma(b0, c30);
            c31 = ar.fma(b1, c31);
        }
        // One store sequence for both cases (a second copy of it made C2 give up inlining and
        // box the accumulators, 10x slower): a partial tile lands in `edge` first.
        boolean full = rows == MR && cols == NR;
        float[] dst = full ? c : edge;
        int at = full ? cOff : 0;
        int ld = full ? ldc : NR;
        boolean addHere = full && add;
        storeRow(c00, c01, dst, at, addHere);
        storeRow(c10, c11, dst, at + ld, addHere);
        storeRow(c20, c21, dst, at + 2 * ld, addHere);
        storeRow(c30, c31, dst, at + 3 * ld, addHere);
        if (!full) {
            copyEdge(edge, rows, cols, c, cOff, ldc, add);
        }
    }

    private static void storeRow(FloatVector lo, FloatVector hi, float[] c, int at, boolean add) {
        if (add) {
            lo = lo.add(FloatVector.fromArray(SPECIES, c, at));
            hi = hi.add(FloatVector.fromArray(SPECIES, c, at + V));
        }
        lo.intoArray(c, at);
        hi.intoArray(c, at + V);
    }

    private static void copyEdge(float[] edge, int rows, int cols, float[] c, int cOff, int ldc, boolean add) {
        for (int r = 0; r < rows; r++) {
            int row = cOff + r * ldc;
            for (int j = 0; j < cols; j++) {
                c[row + j] = add ? c[row + j] + edge[r * NR + j] : edge[r * NR + j];
            }
        }
    }
}
