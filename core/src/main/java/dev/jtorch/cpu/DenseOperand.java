package dev.jtorch.cpu;

import dev.jtorch.backend.Layout;

/**
 * A kernel operand as a dense row-major block: the storage itself when its layout is already
 * contiguous, else a fresh contiguous copy. The spatial kernels (convolution, pooling,
 * upsampling) walk whole planes with computed offsets, so they take strided inputs this way
 * instead of threading four strides through every inner loop.
 */
record DenseOperand(CpuStorage storage, int offset) {

    static DenseOperand of(CpuStorage s, Layout l) {
        if (l.isContiguous()) return new DenseOperand(s, l.offset());
        CpuStorage copy = CpuStorage.allocate(s.dtype(), l.numel());
        Layout dense = Layout.contiguous(l.shape());
        if (s.dtype() == dev.jtorch.DType.FLOAT32) FloatKernels.copy(s, l, copy, dense);
        else ReferenceKernels.copy(s, l, copy, dense);
        return new DenseOperand(copy, 0);
    }

    float[] floats() { return storage.floats(); }

    double[] doubles() { return storage.doubles(); }

    long[] longs() { return storage.longs(); }

    /** Outputs are allocated by the ops, contiguous; a kernel that writes whole planes checks it. */
    static void requireContiguous(Layout l, String what) {
        if (!l.isContiguous()) throw new IllegalArgumentException(what + " must be contiguous: " + l);
    }
}
