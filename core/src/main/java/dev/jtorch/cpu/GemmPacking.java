package dev.jtorch.cpu;

import static dev.jtorch.cpu.GemmMicroKernel.NR;

import java.util.Arrays;

/**
 * Copies blocks of the strided operands into the layouts the micro-kernel reads. Packing reads
 * each operand through its own strides, so a transposed or broadcast (stride 0) operand is
 * never copied into a contiguous matrix first; the panels are the only copy.
 *
 * <p>B is always packed, one micro-panel (kc x NR, NR values per k step, zero-padded past the
 * last column) at a time. A is packed only when its rows are not contiguous along k: an
 * mc x kc block becomes a row-major block with row stride kc.
 */
final class GemmPacking {

    private GemmPacking() {}

    /** Packs A[i0:i0+mc, p0:p0+kc] row-major into {@code dst} (row stride kc). */
    static void packA(float[] a, int aOff, int rs, int cs, int i0, int mc, int p0, int kc, float[] dst) {
        int src = aOff + i0 * rs + p0 * cs;
        // k outer, rows inner: a transposed A (rs == 1) is then read in memory order.
        for (int p = 0; p < kc; p++) {
            int s = src + p * cs;
            for (int r = 0; r < mc; r++) {
                dst[r * kc + p] = a[s + r * rs];
            }
        }
    }

    /** Packs the micro-panel B[p0:p0+kc, j0:j0+cols] (cols <= NR) into {@code dst} from {@code at}. */
    static void packB(float[] b, int bOff, int rs, int cs, int p0, int kc, int j0, int cols, float[] dst, int at) {
        int src = bOff + p0 * rs + j0 * cs;
        if (cs == 1) {
            packRowsContiguous(b, src, rs, kc, cols, dst, at);
            return;
        }
        if (cols < NR) {
            Arrays.fill(dst, at, at + NR * kc, 0f);
        }
        // Column by column: when B is transposed (rs == 1) this reads memory in order.
        for (int j = 0; j < cols; j++) {
            int s = src + j * cs;
            for (int p = 0; p < kc; p++) {
                dst[at + p * NR + j] = b[s + p * rs];
            }
        }
    }

    /** Packs the micro-panel of a row-table B (row p at {@code b[rows[p]]}, columns contiguous). */
    static void packRowTable(float[] b, int[] rows, int p0, int kc, int j0, int cols, float[] dst, int at) {
        for (int p = 0; p < kc; p++) {
            int d = at + p * NR;
            System.arraycopy(b, rows[p0 + p] + j0, dst, d, cols);
            if (cols < NR) {
                Arrays.fill(dst, d + cols, d + NR, 0f);
            }
        }
    }

    /** The common case, B rows contiguous: each k step is one block copy of up to NR floats. */
    private static void packRowsContiguous(float[] b, int src, int rs, int kc, int cols, float[] dst, int panel) {
        for (int p = 0; p < kc; p++) {
            int d = panel + p * NR;
            System.arraycopy(b, src + p * rs, dst, d, cols);
            if (cols < NR) {
                Arrays.fill(dst, d + cols, d + NR, 0f);
            }
        }
    }
}
