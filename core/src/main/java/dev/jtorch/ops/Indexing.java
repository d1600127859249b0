package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/** index_select and gather, with their scatter-add backwards. */
public final class Indexing {
    private Indexing() {}

    private static void checkIndexType(Tensor index, String op) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + "(): Expected dtype int32/int64 for index but got: " + index.dtype().pyName());
        }
    }

    /**
     * The first index outside [0, size), or none. The kernels address memory with the index, so a bad
     * one would read (or, in backward, write) another element silently; PyTorch's CPU kernels check too.
     * Indices on an accelerator are left to its kernels (checking here would copy them to the host).
     */
    private static java.util.OptionalLong outOfRange(Tensor index, int size) {
        if (!index.device().isCpu()) return java.util.OptionalLong.empty();
        for (long i : index.toLongArray()) if (i < 0 || i >= size) return java.util.OptionalLong.of(i);
        return java.util.OptionalLong.empty();
    }

    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        checkIndexType(index, "index_select");
        if (index.dim() > 1) throw new IllegalArgumentException("index_select(): Index is supposed to be a vector");
        Tensor idx = index.dim() == 0 ? index.reshape(1) : index;
        int d = Views.wrapDim(dim, x.dim());
        int[] inShape = layout(x).shape();
        int[] shape = inShape.clone();
        if (shape.length == 0) shape = new int[]{1};
        if (outOfRange(idx, x.dim() == 0 ? 1 : inShape[d]).isPresent()) {
            throw new IndexOutOfBoundsException("index out of range in self");
        }
        shape[d] = idx.numel();
        Tensor out = Creation.zeros(shape, x.dtype(), x.device());
        backend(x).indexSelect(storage(x), layout(x), d, storage(idx), layout(idx), storage(out), layout(out));
        return Autograd.record(out, "IndexSelectBackward0", g -> {
            Tensor grad = Creation.zeros(inShape, g.dtype(), g.device());
            Tensor gc = g.contiguous();
            backend(grad).indexAdd(storage(grad), layout(grad), d, storage(idx), layout(idx), storage(gc), layout(gc));
            return new Tensor[]{grad};
        }, x);
    }

    public static Tensor gather(Tensor x, int dim, Tensor index) {
        checkIndexType(index, "gather");
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("Index tensor must have the same number of dimensions as input tensor");
        }
        int d = Views.wrapDim(dim, x.dim());
        int[] inShape = layout(x).shape(), idxShape = layout(index).shape();
        for (int i = 0; i < inShape.length; i++) {
            if (i != d && idxShape[i] > inShape[i]) {
                throw new IllegalArgumentException("Size does not match at dimension " + i + " expected index "
                        + Arrays.toString(idxShape) + " to be smaller than self " + Arrays.toString(inShape)
                        + " apart from dimension " + d);
            }
        }
        int size = inShape.length == 0 ? 1 : inShape[d];
        var bad = outOfRange(index, size);
        if (bad.isPresent()) {
            throw new IndexOutOfBoundsException("index " + bad.getAsLong() + " is out of bounds for dimension " + d
                    + " with size " + size);
        }
        Tensor out = Creation.zeros(idxShape, x.dtype(), x.device());
        backend(x).gather(storage(x), layout(x), d, storage(index), layout(index), storage(out), layout(out));
        return Autograd.record(out, "GatherBackward0", g -> new Tensor[]{
                scatterAddInto(Creation.zeros(inShape, g.dtype(), g.device()), d, index, g)}, x);
    }

    /** {@code target[.., index[i], ..] += src[i]} along dim, in place on {@code target}; returns it. */
    static Tensor scatterAddInto(Tensor target, int dim, Tensor index, Tensor src) {
        backend(target).scatterAdd(storage(target), layout(target), dim, storage(index), layout(index), storage(src),
                layout(src));
        return target;
    }
}
