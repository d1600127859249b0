package dev.jtorch.ops;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.ValuesIndices;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.GradMode;
import dev.jtorch.autograd.SavedTensor;
import dev.jtorch.backend.ReduceOp;
import dev.jtorch.backend.TensorInternals;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/** Reductions over dimensions, and softmax / log-softmax (fused: one node, stable forward). */
public final class Reductions {
    private Reductions() {}

    public static int[] allDims(int ndim) {
        int[] dims = new int[ndim];
        for (int i = 0; i < ndim; i++) dims[i] = i;
        return dims;
    }

    /** Wrapped, de-duplicated dims as a mask over x's dimensions; an empty list means all (PyTorch 1.13's make_dim_mask). */
    private static boolean[] dimMask(int[] dims, int ndim) {
        boolean[] mask = new boolean[ndim];
        if (dims.length == 0) {
            java.util.Arrays.fill(mask, true);
            return mask;
        }
        for (int d : dims) {
            int w = Views.wrapDim(d, ndim);
            if (ndim == 0) continue;
            if (mask[w]) throw new IllegalArgumentException("dim " + w + " appears multiple times in the list of dims");
            mask[w] = true;
        }
        return mask;
    }

    private static int[] keptShape(int[] shape, boolean[] mask) {
        int[] out = shape.clone();
        for (int i = 0; i < shape.length; i++) if (mask[i]) out[i] = 1;
        return out;
    }

    private static int[] droppedShape(int[] shape, boolean[] mask) {
        int n = 0;
        for (boolean m : mask) if (!m) n++;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) if (!mask[i]) out[j++] = shape[i];
        return out;
    }

    /** Runs the backend reduction; the result keeps reduced dimensions as size 1. */
    private static Tensor reduceKeepdim(ReduceOp op, Tensor x, boolean[] mask, DType outType) {
        Tensor out = Creation.zeros(keptShape(layout(x).shape(), mask), outType, x.device());
        backend(x).reduce(op, storage(x), layout(x), storage(out), layout(out));
        return out;
    }

    /** Tensor.sum() with no dims: PyTorch names that node SumBackward0, any explicit dim list SumBackward1. */
    public static Tensor sumAll(Tensor x) { return sum(x, allDims(x.dim()), false, true); }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) { return sum(x, dims, keepdim, false); }

    private static Tensor sum(Tensor x, int[] dims, boolean keepdim, boolean fullReduction) {
        boolean[] mask = dimMask(dims, x.dim());
        DType outType = x.isFloatingPoint() ? x.dtype() : DType.INT64;
        Tensor kept = reduceKeepdim(ReduceOp.SUM, x, mask, outType);
        int[] inShape = layout(x).shape();
        int[] keptShape = layout(kept).shape();
        Tensor out = keepdim ? kept : TensorInternals.of(storage(kept), dev.jtorch.backend.Layout.contiguous(droppedShape(inShape, mask)));
        if (!outType.isFloatingPoint()) return out;
        return Autograd.record(out, fullReduction ? "SumBackward0" : "SumBackward1",
                g -> new Tensor[]{Views.expand(Views.reshape(g, keptShape), inShape)}, x);
    }

    public static Tensor meanAll(Tensor x) { return mean(x, allDims(x.dim()), false, true); }

    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) { return mean(x, dims, keepdim, false); }

    private static Tensor mean(Tensor x, int[] dims, boolean keepdim, boolean fullReduction) {
        if (!x.isFloatingPoint()) {
            throw new IllegalArgumentException("mean(): could not infer output dtype. Input dtype must be either a floating point "
                    + "or complex dtype. Got: " + x.dtype().legacyName());
        }
        double n = count(x, dims);
        Tensor out;
        try (var noGrad = GradMode.set(false)) {
            out = sum(x, dims, keepdim).div(n);
        }
        int[] inShape = layout(x).shape();
        int[] keptShape = keptShape(inShape, dimMask(dims, x.dim()));
        return Autograd.record(out, fullReduction ? "MeanBackward0" : "MeanBackward1",
                g -> new Tensor[]{Views.expand(Views.reshape(g.div(n), keptShape), inShape)}, x);
    }

    private static double count(Tensor x, int[] dims) {
        boolean[] mask = dimMask(dims, x.dim());
        double n = 1;
        for (int i = 0; i < mask.length; i++) if (mask[i]) n *= layout(x).shape()[i];
        return n;
    }

    /** Variance with Bessel's correction when {@code unbiased}. */
    public static Tensor var(Tensor x, int[] dims, boolean unbiased, boolean keepdim) {
        return spread(x, dims, unbiased, keepdim, false);
    }

    public static Tensor std(Tensor x, int[] dims, boolean unbiased, boolean keepdim) {
        return spread(x, dims, unbiased, keepdim, true);
    }

    /**
     * var or std, as one node: d var / dx = 2 (x - mean) / (n - c); d std / dx = (x - mean) / ((n - c) std).
     * A divisor of 0 (one element, unbiased) gives nan, as in PyTorch.
     */
    private static Tensor spread(Tensor x, int[] dims, boolean unbiased, boolean keepdim, boolean std) {
        // PyTorch's WelfordOps: max(n - correction, 0), so an empty reduction gives 0/0 = nan.
        double divisor = Math.max(count(x, dims) - (unbiased ? 1 : 0), 0);
        int[] inShape = layout(x).shape();
        int[] keptShape = keptShape(inShape, dimMask(dims, x.dim()));
        Tensor centered, out;
        try (var noGrad = GradMode.set(false)) {
            centered = x.sub(mean(x, dims, true));
            Tensor variance = sum(centered.square(), dims, keepdim).div(divisor);
            out = std ? variance.sqrt() : variance;
        }
        SavedTensor sc = SavedTensor.save(centered), so = SavedTensor.save(out);
        return Autograd.record(out, std ? "StdBackward0" : "VarBackward0", g -> {
            Tensor scale = std ? g.div(so.get().mul(divisor)) : g.mul(2 / divisor);
            return new Tensor[]{sc.get().mul(Views.reshape(scale, keptShape))};
        }, x);
    }

    /** The largest (or smallest) element; the gradient is shared evenly between ties, as in PyTorch. */
    public static Tensor extreme(Tensor x, boolean max) {
        if (x.numel() == 0) {
            throw new IllegalArgumentException((max ? "max" : "min") + "(): Expected reduction dim to be specified for "
                    + "input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        }
        boolean[] mask = dimMask(allDims(x.dim()), x.dim());
        Tensor kept = reduceKeepdim(max ? ReduceOp.MAX : ReduceOp.MIN, x, mask, x.dtype());
        Tensor out = TensorInternals.of(storage(kept), dev.jtorch.backend.Layout.contiguous());
        if (!x.isFloatingPoint()) return out;
        SavedTensor sx = SavedTensor.save(x);
        return Autograd.record(out, max ? "MaxBackward1" : "MinBackward1", g -> {
            // With a nan result the gradient goes to the nan elements (PyTorch's evenly_distribute_backward).
            Tensor v = sx.get();
            Tensor equal = v.eq(out), bothNan = Pointwise.where(v.ne(v), out.ne(out), v.ne(v));
            Tensor hits = Pointwise.where(equal, equal, bothNan).to(g.dtype());
            return new Tensor[]{hits.mul(g.div(hits.sum()))};
        }, x);
    }

    /** Values and first indices of the extremes along {@code dim}. */
    public static ValuesIndices extremeAlong(Tensor x, int dim, boolean keepdim, boolean max) {
        int d = Views.wrapDim(dim, x.dim());
        if (x.dim() == 0) return new ValuesIndices(x.clone(), Creation.zeros(new int[0], DType.INT64, x.device()));
        int[] shape = layout(x).shape();
        if (shape[d] == 0) {
            throw new IllegalArgumentException((max ? "max" : "min") + "(): Expected reduction dim " + d
                    + " to have non-zero size.");
        }
        boolean[] mask = new boolean[x.dim()];
        mask[d] = true;
        int[] kept = keptShape(shape, mask);
        Tensor values = Creation.zeros(kept, x.dtype(), x.device());
        Tensor indices = Creation.zeros(kept, DType.INT64, x.device());
        backend(x).argReduce(max, storage(x), layout(x), d, storage(values),
                storage(indices), layout(values));
        if (!keepdim) {
            dev.jtorch.backend.Layout dropped = dev.jtorch.backend.Layout.contiguous(droppedShape(shape, mask));
            values = TensorInternals.of(storage(values), dropped);
            indices = TensorInternals.of(storage(indices), dropped);
        }
        Tensor idx = indices;
        if (x.isFloatingPoint()) {
            Tensor keptIndices = TensorInternals.of(storage(indices), dev.jtorch.backend.Layout.contiguous(kept));
            values = Autograd.record(values, max ? "MaxBackward0" : "MinBackward0", g -> new Tensor[]{
                    Indexing.scatterAddInto(Creation.zeros(shape, g.dtype(), g.device()), d, keptIndices,
                            Views.reshape(g, kept))}, x);
        }
        return new ValuesIndices(values, idx);
    }

    /** Max along dim with the dim kept, outside autograd (the shift that keeps exp() finite). */
    private static Tensor amaxKeepdim(Tensor x, int d) {
        boolean[] mask = new boolean[x.dim()];
        mask[d] = true;
        return reduceKeepdim(ReduceOp.MAX, x, mask, x.dtype());
    }

    public static Tensor softmax(Tensor x, int dim) {
        int d = Views.wrapDim(dim, x.dim());
        // A 0-dim tensor is reduced as a one-element vector (PyTorch: softmax(tensor(2.)) = tensor(1.), gradient 0).
        Tensor xv = x.dim() == 0 ? TensorInternals.viewAs(x, vectorOfOne(x)) : x;
        Tensor out;
        try (var noGrad = GradMode.set(false)) {
            Tensor e = xv.sub(amaxKeepdim(xv, d)).exp();
            out = e.div(sum(e, new int[]{d}, true));
        }
        if (x.dim() == 0) out = TensorInternals.of(storage(out), dev.jtorch.backend.Layout.contiguous());
        SavedTensor so = SavedTensor.save(out);
        return Autograd.record(out, "SoftmaxBackward0", g -> {
            Tensor y = so.get();
            Tensor gy = g.mul(y);
            return new Tensor[]{gy.sub(y.mul(sum(gy, new int[]{d}, true)))};
        }, x);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = Views.wrapDim(dim, x.dim());
        Tensor xv = x.dim() == 0 ? TensorInternals.viewAs(x, vectorOfOne(x)) : x;
        Tensor out;
        try (var noGrad = GradMode.set(false)) {
            Tensor shifted = xv.sub(amaxKeepdim(xv, d));
            out = shifted.sub(sum(shifted.exp(), new int[]{d}, true).log());
        }
        if (x.dim() == 0) out = TensorInternals.of(storage(out), dev.jtorch.backend.Layout.contiguous());
        SavedTensor so = SavedTensor.save(out);
        return Autograd.record(out, "LogSoftmaxBackward0", g -> new Tensor[]{
                g.sub(so.get().exp().mul(sum(g, new int[]{d}, true)))}, x);
    }

    /** The layout of a 0-dim tensor seen as shape [1]. */
    private static dev.jtorch.backend.Layout vectorOfOne(Tensor x) {
        return new dev.jtorch.backend.Layout(new int[]{1}, new int[]{1}, x.storageOffset());
    }
}
