package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.GradMode;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.TensorInternals;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import static dev.jtorch.backend.TensorInternals.layout;

/** Ops that return a new layout over the same storage: nothing is copied (except by reshape when it must). */
public final class Views {
    private Views() {}

    /** Turns a possibly negative dim into an index; 0-dim tensors accept 0 and -1, as in PyTorch. */
    public static int wrapDim(int dim, int ndim) {
        int n = Math.max(ndim, 1);
        if (dim < -n || dim >= n) {
            throw new IndexOutOfBoundsException("Dimension out of range (expected to be in range of [" + (-n) + ", "
                    + (n - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + n : dim;
    }

    private static Tensor makeView(Tensor x, Layout layout, String name, UnaryOperator<Tensor> backward) {
        Tensor out = TensorInternals.viewAs(x, layout);
        return Autograd.record(out, name, g -> new Tensor[]{backward.apply(g)}, x);
    }

    /**
     * The gradient of a view that picks part of its input: zeros of the input's shape with the
     * gradient written into the same part (found by applying the view op to the zeros).
     */
    private static Tensor embed(Tensor g, int[] inputShape, UnaryOperator<Tensor> sameView) {
        Tensor full = Creation.zeros(inputShape, g.dtype(), g.device());
        try (var noGrad = GradMode.set(false)) {
            Pointwise.copyInto(sameView.apply(full), g);
        }
        return full;
    }

    // ---- shape changes ---------------------------------------------------------------------

    /** Resolves one -1 entry and checks the element count. */
    static int[] inferShape(int[] shape, int numel) {
        int[] out = shape.clone();
        int infer = -1;
        long product = 1; // saturates past 2^32: any such product is already far more than numel
        boolean zero = false;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one dimension can be inferred");
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("invalid shape dimension " + out[i]);
            } else if (out[i] == 0) {
                zero = true;
            } else if (product <= 1L << 32) {
                product *= out[i];
            }
        }
        long known = zero ? 0 : product;
        if (infer >= 0 && known == 0 && numel == 0) {
            throw new IllegalArgumentException("cannot reshape tensor of 0 elements into shape " + Arrays.toString(shape)
                    + " because the unspecified dimension size -1 can be any value and is ambiguous");
        }
        if (infer >= 0 && known != 0 && numel % known == 0) out[infer] = (int) (numel / known);
        else if (infer >= 0 || known != numel) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(shape) + "' is invalid for input of size " + numel);
        }
        return out;
    }

    /**
     * Strides that make {@code newShape} a view of {@code l}, or null when the data would have to
     * move (PyTorch's computeStride: each group of old dimensions that is contiguous in memory can
     * be re-split freely).
     */
    static int[] viewStrides(Layout l, int[] newShape) {
        int[] oldShape = l.shape(), oldStrides = l.strides();
        int[] newStrides = new int[newShape.length];
        if (l.numel() == 0 || oldShape.length == 0) return Layout.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        int chunkBase = oldStrides.length == 0 ? 1 : oldStrides[oldStrides.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) return null;
        return newStrides;
    }

    public static Tensor view(Tensor x, int[] shape) {
        int[] target = inferShape(shape, x.numel());
        int[] strides = viewStrides(layout(x), target);
        if (strides == null) {
            throw new IllegalArgumentException("view size is not compatible with input tensor's size and stride (at least one "
                    + "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
        }
        int[] in = layout(x).shape();
        return makeView(x, new Layout(target, strides, x.storageOffset()), "ViewBackward0", g -> reshape(g, in));
    }

    /** A view when the layout allows it, otherwise a contiguous copy. */
    public static Tensor reshape(Tensor x, int[] shape) {
        int[] target = inferShape(shape, x.numel());
        if (Arrays.equals(target, layout(x).shape())) return x;
        if (viewStrides(layout(x), target) != null) return view(x, target);
        // PyTorch copies, then _unsafe_view: the node reads UnsafeViewBackward0.
        return Autograd.relabel(view(Pointwise.cloneOf(x), target), "UnsafeViewBackward0");
    }

    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        int n = x.dim();
        if (n == 0) return reshape(x, new int[]{1});
        int s = wrapDim(startDim, n), e = wrapDim(endDim, n);
        if (s > e) throw new IllegalArgumentException("flatten() has invalid args: start_dim cannot come after end_dim");
        int[] shape = layout(x).shape();
        int[] out = new int[n - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) out[k++] = shape[i];
        int merged = 1;
        for (int i = s; i <= e; i++) merged *= shape[i];
        out[k++] = merged;
        for (int i = e + 1; i < n; i++) out[k++] = shape[i];
        return reshape(x, out);
    }

    public static Tensor unflatten(Tensor x, int dim, int[] sizes) {
        int d = wrapDim(dim, x.dim());
        int[] shape = layout(x).shape();
        int[] inner = inferShape(sizes, shape[d]);
        int[] out = new int[shape.length - 1 + inner.length];
        System.arraycopy(shape, 0, out, 0, d);
        System.arraycopy(inner, 0, out, d, inner.length);
        System.arraycopy(shape, d + 1, out, d + inner.length, shape.length - d - 1);
        return view(x, out);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int n = x.dim();
        int d = wrapDim(dim, n + 1);
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        int[] ns = new int[n + 1], nst = new int[n + 1];
        for (int i = 0, j = 0; i <= n; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = d < n ? shape[d] * strides[d] : 1;
            } else {
                ns[i] = shape[j];
                nst[i] = strides[j++];
            }
        }
        return makeView(x, new Layout(ns, nst, x.storageOffset()), "UnsqueezeBackward0", g -> squeeze(g, d));
    }

    public static Tensor squeeze(Tensor x) {
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        int keep = 0;
        for (int s : shape) if (s != 1) keep++;
        int[] ns = new int[keep], nst = new int[keep];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                ns[j] = shape[i];
                nst[j++] = strides[i];
            }
        }
        return makeView(x, new Layout(ns, nst, x.storageOffset()), "SqueezeBackward0", g -> reshape(g, shape));
    }

    public static Tensor squeeze(Tensor x, int dim) {
        if (x.dim() == 0) return x;
        int d = wrapDim(dim, x.dim());
        int[] shape = layout(x).shape();
        if (shape[d] != 1) return x;
        int[] ns = new int[shape.length - 1], nst = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            ns[j] = shape[i];
            nst[j++] = layout(x).strides()[i];
        }
        return makeView(x, new Layout(ns, nst, x.storageOffset()), "SqueezeBackward1", g -> unsqueeze(g, d));
    }

    // ---- reordering ------------------------------------------------------------------------

    public static Tensor permute(Tensor x, int[] dims) {
        int n = x.dim();
        if (dims.length != n) {
            throw new IllegalArgumentException("permute(sparse_coo): number of dimensions in the tensor input does not match "
                    + "the length of the desired ordering of dimensions i.e. input.dim() = " + n + " is not equal to len(dims) = "
                    + dims.length);
        }
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        int[] ns = new int[n], nst = new int[n], inverse = new int[n];
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            int d = wrapDim(dims[i], n);
            if (seen[d]) throw new IllegalArgumentException("permute(): duplicate dims are not allowed.");
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        return makeView(x, new Layout(ns, nst, x.storageOffset()), "PermuteBackward0", g -> permute(g, inverse));
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int n = x.dim();
        if (n == 0) return x;
        int a = wrapDim(dim0, n), b = wrapDim(dim1, n);
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        swap(shape, a, b);
        swap(strides, a, b);
        return makeView(x, new Layout(shape, strides, x.storageOffset()), "TransposeBackward0", g -> transpose(g, a, b));
    }

    private static void swap(int[] v, int i, int j) {
        int t = v[i];
        v[i] = v[j];
        v[j] = t;
    }

    public static Tensor t(Tensor x) {
        if (x.dim() > 2) throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but self is " + x.dim() + "D");
        if (x.dim() < 2) return x;
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        swap(shape, 0, 1);
        swap(strides, 0, 1);
        return makeView(x, new Layout(shape, strides, x.storageOffset()), "TBackward0", Views::t);
    }

    // ---- picking parts ---------------------------------------------------------------------

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        if (x.dim() == 0) throw new IllegalArgumentException("narrow() cannot be applied to a 0-dim tensor.");
        int d = wrapDim(dim, x.dim());
        int size = layout(x).shape()[d];
        if (start < -size || start > size) {
            throw new IndexOutOfBoundsException("start out of range (expected to be in range of [" + (-size) + ", " + size
                    + "], but got " + start + ")");
        }
        int s = start < 0 ? start + size : start;
        if (length < 0 || s > size - length) {
            throw new IndexOutOfBoundsException("start (" + s + ") + length (" + length + ") exceeds dimension size (" + size + ").");
        }
        return slice(x, d, s, s + length, 1);
    }

    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        if (step <= 0) throw new IllegalArgumentException("slice step must be positive");
        int d = wrapDim(dim, x.dim());
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        int size = shape[d];
        // Python slice semantics: negative counts from the end, then clamp into [0, size].
        int s = start < 0 ? Math.max(start + size, 0) : Math.min(start, size);
        int e = end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int offset = x.storageOffset() + (len == 0 ? 0 : s * strides[d]);
        int[] in = shape.clone();
        shape[d] = len;
        strides[d] *= step;
        return makeView(x, new Layout(shape, strides, offset), "SliceBackward0",
                g -> embed(g, in, z -> slice(z, d, s, e, step)));
    }

    public static Tensor select(Tensor x, int dim, int index) {
        if (x.dim() == 0) throw new IndexOutOfBoundsException("select() cannot be applied to a 0-dim tensor.");
        int d = wrapDim(dim, x.dim());
        int[] shape = layout(x).shape(), strides = layout(x).strides();
        int size = shape[d];
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("select(): index " + index + " out of range for tensor of size "
                    + Arrays.toString(shape) + " at dimension " + d);
        }
        int i = index < 0 ? index + size : index;
        int[] ns = new int[shape.length - 1], nst = new int[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k == d) continue;
            ns[j] = shape[k];
            nst[j++] = strides[k];
        }
        return makeView(x, new Layout(ns, nst, x.storageOffset() + i * strides[d]), "SelectBackward0",
                g -> embed(g, shape, z -> select(z, d, i)));
    }

    /** Broadcasts to {@code sizes} (-1 keeps a dimension) without copying. */
    public static Tensor expand(Tensor x, int[] sizes) {
        int[] shape = layout(x).shape();
        int[] target = sizes.clone();
        int extra = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (i < extra) {
                    throw new IllegalArgumentException("The expanded size of the tensor (-1) isn't allowed in a leading, "
                            + "non-existing dimension " + i);
                }
                target[i] = shape[i - extra];
            }
        }
        Layout l = Broadcast.expand(layout(x), target);
        if (l == layout(x)) return x;
        return makeView(x, l, "ExpandBackward0", g -> Broadcast.sumTo(g, shape));
    }
}
