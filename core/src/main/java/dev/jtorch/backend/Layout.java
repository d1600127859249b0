package dev.jtorch.backend;

import java.util.Arrays;

/**
 * Where a tensor's elements sit in its storage: shape, element strides and a starting offset.
 * Views are new layouts over the same storage; kernels receive layouts, so a transposed or
 * sliced operand is read in place.
 */
public record Layout(int[] shape, int[] strides, int offset) {

    public Layout {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in length");
        }
        shape = shape.clone();
        strides = strides.clone();
    }

    /** A copy of the shape: a layout never changes once made. */
    @Override
    public int[] shape() { return shape.clone(); }

    /** A copy of the strides. */
    @Override
    public int[] strides() { return strides.clone(); }

    public int size(int dim) { return shape[dim]; }

    public int stride(int dim) { return strides[dim]; }

    /** A fresh row-major layout for {@code shape}. */
    public static Layout contiguous(int... shape) {
        return new Layout(shape, contiguousStrides(shape), 0);
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        boolean empty = numel(shape) == 0; // also refuses a shape too large
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            // An empty tensor's strides index nothing; PyTorch's would pass 2^31 here and there.
            strides[i] = (int) Math.min(s, Integer.MAX_VALUE);
            s = empty ? Math.min(s * Math.max(shape[i], 1), Integer.MAX_VALUE) : s * Math.max(shape[i], 1);
        }
        return strides;
    }

    /**
     * Most elements one tensor may have: storages are Java arrays, indexed by int, and the JVM
     * refuses arrays within a few elements of 2^31-1.
     */
    public static final int MAX_NUMEL = Integer.MAX_VALUE - 8;

    /** Number of elements; a shape with more than {@link #MAX_NUMEL} is refused with the count. */
    public static int numel(int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        for (int d : shape) if (d == 0) return 0;
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > MAX_NUMEL) throw tooLarge(shape);
        }
        return (int) n;
    }

    private static IllegalArgumentException tooLarge(int[] shape) {
        java.math.BigInteger n = java.math.BigInteger.ONE;
        for (int d : shape) n = n.multiply(java.math.BigInteger.valueOf(d));
        return new IllegalArgumentException("a tensor of shape " + Arrays.toString(shape) + " would have " + n
                + " elements, more than the " + MAX_NUMEL + " one jtorch storage can hold (storages are Java arrays)");
    }

    public int numel() { return numel(shape); }

    public int dim() { return shape.length; }

    /** True when the elements are row-major and dense (size-1 dimensions may have any stride). */
    public boolean isContiguous() {
        for (int d : shape) if (d == 0) return true; // nothing to lay out (PyTorch says so too)
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The largest storage index this layout touches, plus one (0 for an empty layout). */
    public long extent() {
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) return 0;
            last += (long) (shape[i] - 1) * strides[i];
        }
        return last + 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && offset == l.offset && Arrays.equals(shape, l.shape)
                && Arrays.equals(strides, l.strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(strides)) + offset;
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }
}
