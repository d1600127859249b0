package dev.jtorch.cpu;

import dev.jtorch.backend.Layout;

/**
 * Walks several same-shaped strided operands row by row. Dimensions that are laid out
 * back-to-back in every operand are first merged, so a contiguous tensor is one long row and
 * kernels get long unit-stride runs to vectorise; rows are then split across the intra-op pool.
 */
final class StridedLoop {
    /** Called once per row: {@code offsets[k]} is operand k's first element; the row has {@code n} elements. */
    interface RowBody { void row(int[] offsets, int n); }

    final int[] shape;        // merged shape; the last dimension is the row
    final int[][] strides;    // merged strides per operand
    final int[] base;         // storage offset per operand
    final int rows;
    final int rowLength;

    /** Operands must share {@code shape}; their layouts supply strides and offsets. */
    StridedLoop(int[] shape, Layout... operands) {
        int k = operands.length;
        int[][] st = new int[k][];
        base = new int[k];
        for (int i = 0; i < k; i++) {
            st[i] = operands[i].strides();
            base[i] = operands[i].offset();
        }
        // Drop size-1 dimensions, then merge neighbours that are contiguous in every operand.
        int[] mShape = new int[Math.max(shape.length, 1)];
        int[][] mStrides = new int[k][mShape.length];
        int m = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = m > 0;
            for (int i = 0; i < k && merge; i++) {
                merge = mStrides[i][m - 1] == st[i][d] * shape[d];
            }
            if (merge) {
                mShape[m - 1] *= shape[d];
                for (int i = 0; i < k; i++) mStrides[i][m - 1] = st[i][d];
            } else {
                mShape[m] = shape[d];
                for (int i = 0; i < k; i++) mStrides[i][m] = st[i][d];
                m++;
            }
        }
        if (m == 0) { // a scalar, or all sizes 1
            mShape[0] = Layout.numel(shape);
            m = 1;
        }
        this.shape = java.util.Arrays.copyOf(mShape, m);
        this.strides = new int[k][];
        for (int i = 0; i < k; i++) strides[i] = java.util.Arrays.copyOf(mStrides[i], m);
        this.rowLength = this.shape[m - 1];
        this.rows = rowLength == 0 ? 0 : Layout.numel(this.shape) / rowLength;
    }

    /** The stride of operand {@code k} along a row. */
    int innerStride(int k) { return strides[k][shape.length - 1]; }

    /** Runs {@code body} over every row, in parallel when there is enough work. */
    void forEachRow(RowBody body, boolean parallel) {
        if (rows == 0) return;
        long work = (long) rows * rowLength;
        if (!parallel || work < PARALLEL_MIN_ELEMENTS || rows == 1) {
            runRows(0, rows, body);
            return;
        }
        int grain = (int) Math.max(1, PARALLEL_MIN_ELEMENTS / 2 / rowLength);
        Parallel.forRange(0, rows, grain, (lo, hi) -> runRows(lo, hi, body));
    }

    /** Below this many elements a parallel hand-off costs more than it saves. */
    static final int PARALLEL_MIN_ELEMENTS = 1 << 15;

    private void runRows(int lo, int hi, RowBody body) {
        int k = base.length;
        int outer = shape.length - 1;
        int[] counter = new int[Math.max(outer, 1)];
        int[] offsets = new int[k];
        // Position the counters on row `lo`.
        int r = lo;
        for (int d = outer - 1; d >= 0; d--) {
            counter[d] = r % shape[d];
            r /= shape[d];
        }
        for (int i = 0; i < k; i++) {
            int off = base[i];
            for (int d = 0; d < outer; d++) off += counter[d] * strides[i][d];
            offsets[i] = off;
        }
        for (int row = lo; row < hi; row++) {
            body.row(offsets, rowLength);
            // Advance the odometer by one row.
            for (int d = outer - 1; d >= 0; d--) {
                counter[d]++;
                for (int i = 0; i < k; i++) offsets[i] += strides[i][d];
                if (counter[d] < shape[d]) break;
                for (int i = 0; i < k; i++) offsets[i] -= strides[i][d] * shape[d];
                counter[d] = 0;
            }
        }
    }
}
