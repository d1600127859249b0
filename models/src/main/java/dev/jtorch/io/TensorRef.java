package dev.jtorch.io;

import dev.jtorch.DType;

import java.util.Arrays;

/**
 * A tensor described by a checkpoint before its bytes are read: which storage, which dtype and
 * which view of it. {@link CheckpointFile#root()} returns these in place of tensors, so that a
 * caller can list names, dtypes and shapes (or choose keys) without reading any data, then
 * materialise only what it wants with {@link CheckpointFile#tensor(TensorRef)}.
 *
 * @param storageKey     the storage's key in the file ({@code data/<key>} in the zip format)
 * @param dtype          element type
 * @param storageNumel   elements the storage holds (as declared by the pickle)
 * @param location       device string the file names ({@code cpu}, {@code cuda:0}); jtorch loads to CPU
 * @param shape          sizes
 * @param strides        element strides
 * @param offset         storage offset in elements
 * @param requiresGrad   true for an {@code nn.Parameter} that required grad
 * @param parameter      true when the file wrapped it in {@code nn.Parameter}
 */
public record TensorRef(String storageKey, DType dtype, long storageNumel, String location, int[] shape,
                        int[] strides, int offset, boolean requiresGrad, boolean parameter) {

    public TensorRef {
        shape = shape.clone();
        strides = strides.clone();
    }

    @Override
    public int[] shape() { return shape.clone(); }

    @Override
    public int[] strides() { return strides.clone(); }

    /** Number of elements of the view. */
    public long numel() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    TensorRef asParameter(boolean requiresGrad) {
        return new TensorRef(storageKey, dtype, storageNumel, location, shape, strides, offset, requiresGrad, true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorRef r && storageKey.equals(r.storageKey) && dtype == r.dtype
                && storageNumel == r.storageNumel && location.equals(r.location) && Arrays.equals(shape, r.shape)
                && Arrays.equals(strides, r.strides) && offset == r.offset && requiresGrad == r.requiresGrad
                && parameter == r.parameter;
    }

    @Override
    public int hashCode() {
        return storageKey.hashCode() * 31 + Arrays.hashCode(shape) * 17 + offset;
    }

    @Override
    public String toString() {
        return "TensorRef[" + dtype.pyName() + Arrays.toString(shape) + " of storage " + storageKey + "]";
    }
}
