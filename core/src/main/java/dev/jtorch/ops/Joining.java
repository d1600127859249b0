package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.GradMode;
import dev.jtorch.backend.TensorInternals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.jtorch.backend.TensorInternals.layout;

/** cat, stack, split, chunk and constant padding. */
public final class Joining {
    private Joining() {}

    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("torch.cat(): expected a non-empty list of Tensors");
        // PyTorch still skips 1-D empty tensors here (legacy behaviour), so do we.
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : tensors) if (!(t.dim() == 1 && t.numel() == 0)) parts.add(t);
        if (parts.isEmpty()) return tensors.get(0).clone();
        Tensor first = parts.get(0);
        int ndim = first.dim();
        if (ndim == 0) throw new IllegalArgumentException("zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = Views.wrapDim(dim, ndim);
        int[] shape = layout(first).shape();
        DType dtype = first.dtype();
        int total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Tensor t = parts.get(i);
            int[] s = layout(t).shape();
            if (s.length != ndim) {
                throw new IllegalArgumentException("Tensors must have same number of dimensions: got " + ndim + " and " + s.length);
            }
            for (int k = 0; k < ndim; k++) {
                if (k != d && s[k] != shape[k]) {
                    throw new IllegalArgumentException("Sizes of tensors must match except in dimension " + d + ". Expected size "
                            + shape[k] + " but got size " + s[k] + " for tensor number " + i + " in the list.");
                }
            }
            total = Math.addExact(total, s[d]);
            dtype = DType.promote(dtype, t.dtype());
        }
        shape[d] = total;
        Tensor out = Creation.zeros(shape, dtype, first.device());
        int[] offsets = new int[parts.size()];
        int offset = 0;
        try (var noGrad = GradMode.set(false)) {
            for (int i = 0; i < parts.size(); i++) {
                Tensor t = parts.get(i);
                offsets[i] = offset;
                int len = layout(t).shape()[d];
                Pointwise.copyInto(Views.narrow(out, d, offset, len), t);
                offset += len;
            }
        }
        if (!dtype.isFloatingPoint()) return out;
        return Autograd.record(out, "CatBackward0", g -> {
            Tensor[] grads = new Tensor[parts.size()];
            for (int i = 0; i < grads.length; i++) {
                Tensor t = parts.get(i);
                if (t.requiresGrad()) grads[i] = Pointwise.toDType(Views.narrow(g, d, offsets[i], layout(t).shape()[d]), t.dtype());
            }
            return grads;
        }, parts.toArray(new Tensor[0]));
    }

    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack expects a non-empty TensorList");
        int[] shape = layout(tensors.get(0)).shape();
        int d = Views.wrapDim(dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            int[] s = layout(tensors.get(i)).shape();
            if (!Arrays.equals(s, shape)) {
                throw new IllegalArgumentException("stack expects each tensor to be equal size, but got " + Arrays.toString(shape)
                        + " at entry 0 and " + Arrays.toString(s) + " at entry " + i);
            }
            expanded.add(Views.unsqueeze(tensors.get(i), d));
        }
        return Autograd.relabel(cat(expanded, d), "StackBackward0");
    }

    public static List<Tensor> split(Tensor x, int splitSize, int dim) {
        if (splitSize < 0) throw new IllegalArgumentException("split expects split_size be non-negative, but got split_size=" + splitSize);
        int d = Views.wrapDim(dim, x.dim());
        int size = layout(x).shape()[d];
        if (splitSize == 0 && size != 0) {
            throw new IllegalArgumentException("split_size can only be 0 if dimension size is 0, but got dimension size of " + size);
        }
        List<Tensor> out = new ArrayList<>();
        if (size == 0) return List.of(x);
        for (int start = 0; start < size; start += splitSize) {
            Tensor part = Autograd.relabel(Views.narrow(x, d, start, Math.min(splitSize, size - start)), "SplitBackward0");
            out.add(MultiOutputViews.mark(part, "SplitBackward0", out.size()));
        }
        return out;
    }

    public static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Views.wrapDim(dim, x.dim());
        int size = layout(x).shape()[d];
        long sum = 0;
        for (int s : sizes) sum += s;
        if (sum != size) {
            throw new IllegalArgumentException("split_with_sizes expects split_sizes to sum exactly to " + size
                    + " (input tensor's size at dimension " + d + "), but got split_sizes=" + Arrays.toString(sizes));
        }
        List<Tensor> out = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            Tensor part = Autograd.relabel(Views.narrow(x, d, start, s), "SplitWithSizesBackward0");
            out.add(MultiOutputViews.mark(part, "SplitWithSizesBackward0", out.size()));
            start += s;
        }
        return out;
    }

    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk expects `chunks` to be greater than 0, got: " + chunks);
        int d = Views.wrapDim(dim, x.dim());
        int size = layout(x).shape()[d];
        int each = (size + chunks - 1) / chunks;
        return split(x, Math.max(each, size == 0 ? 0 : 1), d);
    }

    /** F.pad(x, pad, mode="constant", value): pairs (before, after) from the last dimension backwards. */
    public static Tensor pad(Tensor x, int[] pad, double value) {
        if (pad.length % 2 != 0) throw new IllegalArgumentException("Padding length must be divisible by 2");
        if (pad.length / 2 > x.dim()) throw new IllegalArgumentException("Padding length too large");
        int[] in = layout(x).shape();
        int[] shape = in.clone();
        for (int i = 0; i < pad.length / 2; i++) {
            int d = in.length - 1 - i;
            shape[d] = in[d] + pad[2 * i] + pad[2 * i + 1];
            if (shape[d] < 0) {
                throw new IllegalArgumentException("The input size " + in[d] + ", plus negative padding " + pad[2 * i] + " and "
                        + pad[2 * i + 1] + " resulted in a negative output size, which is invalid. Check dimension " + d
                        + " of your input.");
            }
        }
        Tensor out = Creation.full(shape, value, x.dtype(), x.device());
        try (var noGrad = GradMode.set(false)) {
            Pointwise.copyInto(innerRegion(out, pad, in.length, true), innerRegion(x, pad, in.length, false));
        }
        return Autograd.record(out, "ConstantPadNdBackward0", g -> {
            Tensor grad = Creation.zeros(in, g.dtype(), g.device());
            Pointwise.copyInto(innerRegion(grad, pad, in.length, false), innerRegion(g, pad, in.length, true));
            return new Tensor[]{grad};
        }, x);
    }

    /** The part of the padded output (or of the input) that the other side also has: the copy region. */
    private static Tensor innerRegion(Tensor t, int[] pad, int ndim, boolean padded) {
        Tensor v = t;
        for (int i = 0; i < pad.length / 2; i++) {
            int d = ndim - 1 - i;
            int before = pad[2 * i], after = pad[2 * i + 1];
            int start = padded ? Math.max(before, 0) : Math.max(-before, 0);
            int end = layout(v).shape()[d] - (padded ? Math.max(after, 0) : Math.max(-after, 0));
            v = Views.narrow(v, d, start, Math.max(end - start, 0));
        }
        return v;
    }
}
