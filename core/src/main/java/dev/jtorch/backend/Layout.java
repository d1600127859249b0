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
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s = Math.multiplyExact(s, Math.max(shape[i], 1));
        }
        return strides;
    }

    /** Number of elements; throws if it does not fit in an int (storages are Java arrays). */
    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public int numel() { return numel(shape); }

    public int dim() { return shape.length; }

    /** True when the elements are row-major and dense (size-1 dimensions may have any stride). */
    public boolean isContiguous() {
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
