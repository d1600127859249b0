package dev.jtorch;

import dev.jtorch.autograd.AccumulateGrad;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.Engine;
import dev.jtorch.autograd.GradMode;
import dev.jtorch.autograd.Node;
import dev.jtorch.autograd.VersionCounter;
import dev.jtorch.backend.Backend;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.Storage;
import dev.jtorch.backend.TensorInternals;
import dev.jtorch.backend.UnaryOp;
import dev.jtorch.ops.Creation;
import dev.jtorch.ops.InPlace;
import dev.jtorch.ops.Indexing;
import dev.jtorch.ops.Joining;
import dev.jtorch.ops.LinearAlgebra;
import dev.jtorch.ops.Pointwise;
import dev.jtorch.ops.Reductions;
import dev.jtorch.ops.ViewHistory;
import dev.jtorch.ops.Views;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An n-dimensional array with autograd: a {@link Storage} plus a {@link Layout}. Views share the
 * storage (and its version counter); every method is PyTorch's method of the same name, in
 * camelCase, with PyTorch's defaults. The ops themselves live in {@code dev.jtorch.ops}, each with
 * its shape rule and backward formula in one place; this class is the user-facing surface.
 *
 * <p>Thread safety: a tensor may be read from several threads at once; writing it (in-place ops,
 * {@code backward} into its {@code grad}) needs outside synchronisation, as in PyTorch.
 */
public final class Tensor {
    private final Storage storage;
    private final Layout layout;
    private final VersionCounter version;
    private final boolean isView;
    /**
     * The tensor this one is a view of (PyTorch's {@code _base}), for a view made while grad mode
     * was on; null otherwise. When the shared storage is written in place, the view's grad_fn is
     * rebuilt from the base's ({@link ViewHistory}), as PyTorch regenerates it.
     */
    private final Tensor viewBase;
    /** The storage version at which {@link #gradFn} was last right for this view. */
    private int viewFnVersion;
    private boolean requiresGrad;
    private Node gradFn;
    /**
     * The names of earlier grad_fns replaced by in-place ops, each with the version from which it
     * no longer held (names only: the nodes themselves, and what they saved, are let go). At most
     * {@link #MAX_REPLACED}, the latest kept.
     */
    private List<ReplacedGradFn> replaced;
    private static final int MAX_REPLACED = 8;
    private Tensor grad;
    private AccumulateGrad accumulator;

    private record ReplacedGradFn(String name, int untilVersion) {}

    private Tensor(Storage storage, Layout layout, VersionCounter version, boolean isView, Tensor viewBase) {
        this.storage = storage;
        this.layout = layout;
        this.version = version;
        this.isView = isView;
        this.viewBase = viewBase;
        this.viewFnVersion = version.get();
    }

    static {
        TensorInternals.install(new TensorInternals.Access() {
            @Override public Tensor of(Storage storage, Layout layout) { return Tensor.of(storage, layout); }
            @Override public Tensor viewAs(Tensor t, Layout layout) { return t.viewAs(layout); }
            @Override public Storage storage(Tensor t) { return t.storage; }
            @Override public Layout layout(Tensor t) { return t.layout; }
            @Override public VersionCounter version(Tensor t) { return t.version; }
            @Override public void setGradFn(Tensor t, Node node) { t.setGradFn(node); }
            @Override public String gradFnNameAtVersion(Tensor t, int v) { return t.gradFnNameAtVersion(v); }
            @Override public AccumulateGrad gradAccumulator(Tensor t, Function<Tensor, AccumulateGrad> create) {
                if (t.accumulator == null) t.accumulator = create.apply(t);
                return t.accumulator;
            }
        });
    }

    /** A tensor over a storage with its own version counter (for op implementations and readers). */
    static Tensor of(Storage storage, Layout layout) {
        checkInside(storage, layout);
        return new Tensor(storage, layout, new VersionCounter(), false, null);
    }

    /** A view of this tensor's storage under another layout; shares the version counter. */
    Tensor viewAs(Layout newLayout) {
        checkInside(storage, newLayout);
        Tensor base = !GradMode.isEnabled() ? null : viewBase != null ? viewBase : isView ? null : this;
        return new Tensor(storage, newLayout, version, true, base);
    }

    private static void checkInside(Storage storage, Layout layout) {
        if (layout.offset() < 0 || layout.extent() > storage.size()) {
            throw new IllegalArgumentException("layout " + layout + " reaches outside a storage of " + storage.size()
                    + " elements");
        }
    }

    // ---- what it is ----------------------------------------------------------------------

    Storage storage() { return storage; }
    Layout layout() { return layout; }
    Backend backend() { return storage.backend(); }
    public DType dtype() { return storage.dtype(); }
    public Device device() { return storage.device(); }
    /** The shape (a copy). */
    public int[] shape() { return layout.shape().clone(); }
    /** {@code size(dim)}; negative dims count from the end. */
    public int size(int dim) { return layout.shape()[Views.wrapDim(dim, dim())]; }
    public int[] stride() { return layout.strides().clone(); }
    public int storageOffset() { return layout.offset(); }
    public int dim() { return layout.dim(); }
    public int numel() { return layout.numel(); }
    public boolean isContiguous() { return layout.isContiguous(); }
    public boolean isFloatingPoint() { return dtype().isFloatingPoint(); }
    /** True when this tensor was made by a view op and shares another tensor's storage. */
    public boolean isView() { return isView; }
    /** The tensor this is a view of, for views made with grad mode on (PyTorch's {@code _base}); else null. */
    public Tensor base() { return viewBase; }
    /** How often the storage was written in place, counted across all its views (PyTorch's {@code _version}). */
    public int versionNumber() { return version.get(); }

    VersionCounter version() { return version; }

    // ---- autograd ------------------------------------------------------------------------

    public boolean requiresGrad() {
        refreshViewHistory();
        return requiresGrad;
    }

    /** Sets requires_grad on a leaf (returns this, like PyTorch's {@code requires_grad_}). */
    public Tensor requiresGrad_(boolean requires) {
        if (gradFn() != null && !requires) {
            throw new IllegalStateException("you can only change requires_grad flags of leaf variables. If you want to use a "
                    + "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        }
        if (requires && !isFloatingPoint()) {
            throw new IllegalStateException("only Tensors of floating point dtype can require gradients");
        }
        requiresGrad = requires;
        return this;
    }

    public Tensor requiresGrad_() { return requiresGrad_(true); }

    public Node gradFn() {
        refreshViewHistory();
        return gradFn;
    }

    /**
     * A view whose storage was written in place since its grad_fn was made (through itself, its
     * base or another view) now takes its gradient through the base's new history.
     */
    private void refreshViewHistory() {
        int now = version.get();
        if (viewBase == null || viewFnVersion == now) return;
        if (viewBase.requiresGrad()) {
            // The node first: the version is published only once the grad_fn that goes with it is in place.
            gradFn = ViewHistory.asStrided(viewBase, layout);
            requiresGrad = true;
        }
        viewFnVersion = now;
    }

    /** Through {@link TensorInternals#setGradFn}: this tensor is now the output of {@code node}. */
    private void setGradFn(Node node) {
        if (gradFn != null && gradFn != node) {
            if (replaced == null) replaced = new ArrayList<>(2);
            if (replaced.size() == MAX_REPLACED) replaced.removeFirst();
            replaced.add(new ReplacedGradFn(gradFn.name(), version.get()));
        }
        gradFn = node;
        requiresGrad = true;
        viewFnVersion = version.get();
    }

    /**
     * The name of the grad_fn this tensor had at storage version {@code v} (null for none): what
     * produced the value a node saved then, for the message when that value was since overwritten.
     */
    private String gradFnNameAtVersion(int v) {
        if (replaced != null) {
            for (ReplacedGradFn r : replaced) if (v < r.untilVersion()) return r.name();
        }
        Node now = gradFn();
        return now == null ? null : now.name();
    }

    public boolean isLeaf() { return gradFn() == null; }

    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.layout.shape(), layout.shape())) {
            throw new IllegalArgumentException("assigned grad has data of a different size: expected "
                    + java.util.Arrays.toString(layout.shape()) + ", got " + java.util.Arrays.toString(g.layout.shape()));
        }
        grad = g;
    }

    /** Keeps {@code .grad()} of this non-leaf tensor after backward. */
    public Tensor retainGrad() {
        if (!requiresGrad()) throw new IllegalStateException("can't retain_grad on Tensor that has requires_grad=False");
        if (gradFn() != null) Autograd.retainGrad(this);
        return this;
    }

    /** Backward from a scalar (gradient 1). */
    public void backward() {
        if (numel() != 1) throw new IllegalStateException("grad can be implicitly created only for scalar outputs");
        backward(Creation.onesLike(this), false);
    }

    public void backward(Tensor gradient) { backward(gradient, false); }

    public void backward(Tensor gradient, boolean retainGraph) { Engine.backward(this, gradient, retainGraph); }

    /** A view of the same data that does not require grad and has no history. */
    public Tensor detach() { return new Tensor(storage, layout, version, false, null); }

    /** Detaches this tensor from its graph in place (makes it a leaf). */
    public Tensor detach_() {
        if (isView && viewBase != null) {
            throw new IllegalStateException("Can't detach views in-place. Use detach() instead. If you are using "
                    + "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are "
                    + "views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, "
                    + "please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
        }
        gradFn = null;
        replaced = null;
        requiresGrad = false;
        return this;
    }

    // ---- data in and out -------------------------------------------------------------------

    public Tensor clone() { return Pointwise.cloneOf(this); }
    public Tensor contiguous() { return isContiguous() ? this : clone(); }
    public Tensor to(DType dtype) { return Pointwise.toDType(this, dtype); }
    public Tensor toType(DType dtype) { return to(dtype); }
    public Tensor float_() { return to(DType.FLOAT32); }
    public Tensor double_() { return to(DType.FLOAT64); }
    public Tensor long_() { return to(DType.INT64); }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() { return (double[]) Creation.hostCopy(this, DType.FLOAT64); }
    public float[] toFloatArray() { return (float[]) Creation.hostCopy(this, DType.FLOAT32); }
    public long[] toLongArray() { return (long[]) Creation.hostCopy(this, DType.INT64); }
    public int[] toIntArray() { return (int[]) Creation.hostCopy(this, DType.INT32); }

    public boolean[] toBooleanArray() {
        byte[] b = (byte[]) Creation.hostCopy(this, DType.BOOL);
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] != 0;
        return out;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        }
        return toDoubleArray()[0];
    }

    /** The value of a one-element integer tensor, exactly. */
    public long itemLong() {
        if (numel() != 1) {
            throw new IllegalStateException("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        }
        return toLongArray()[0];
    }

    @Override
    public String toString() {
        List<String> suffixes = new ArrayList<>();
        if (!device().isCpu()) suffixes.add("device='" + device() + "'");
        if (gradFn() != null) suffixes.add("grad_fn=<" + gradFn.name() + ">");
        else if (requiresGrad()) suffixes.add("requires_grad=True");
        double[] values = toDoubleArray();
        return TensorFormatter.format(layout.shape(), dtype(), i -> values[(int) i], suffixes);
    }

    // ---- elementwise -----------------------------------------------------------------------

    public Tensor add(Tensor other) { return Pointwise.binary(BinaryOp.ADD, this, other); }
    public Tensor add(Tensor other, double alpha) { return Pointwise.add(this, other, alpha); }
    public Tensor add(double value) { return Pointwise.addScalar(this, value); }
    public Tensor sub(Tensor other) { return Pointwise.binary(BinaryOp.SUB, this, other); }
    public Tensor sub(Tensor other, double alpha) { return Pointwise.add(this, other, -alpha); }
    public Tensor sub(double value) { return Pointwise.subScalar(this, value); }
    /** {@code value - this}, PyTorch's {@code rsub}. */
    public Tensor rsub(double value) { return Pointwise.rsubScalar(this, value); }
    public Tensor mul(Tensor other) { return Pointwise.binary(BinaryOp.MUL, this, other); }
    public Tensor mul(double value) { return Pointwise.mulScalar(this, value); }
    public Tensor div(Tensor other) { return Pointwise.binary(BinaryOp.DIV, this, other); }
    public Tensor div(double value) { return Pointwise.divScalar(this, value); }
    public Tensor pow(Tensor exponent) { return Pointwise.binary(BinaryOp.POW, this, exponent); }
    public Tensor pow(double exponent) { return Pointwise.powScalar(this, exponent); }
    public Tensor maximum(Tensor other) { return Pointwise.binary(BinaryOp.MAXIMUM, this, other); }
    public Tensor minimum(Tensor other) { return Pointwise.binary(BinaryOp.MINIMUM, this, other); }

    public Tensor neg() { return Pointwise.unary(UnaryOp.NEG, this); }
    public Tensor abs() { return Pointwise.unary(UnaryOp.ABS, this); }
    public Tensor exp() { return Pointwise.unary(UnaryOp.EXP, this); }
    public Tensor log() { return Pointwise.unary(UnaryOp.LOG, this); }
    public Tensor sqrt() { return Pointwise.unary(UnaryOp.SQRT, this); }
    public Tensor rsqrt() { return Pointwise.unary(UnaryOp.RSQRT, this); }
    public Tensor tanh() { return Pointwise.unary(UnaryOp.TANH, this); }
    public Tensor sigmoid() { return Pointwise.unary(UnaryOp.SIGMOID, this); }
    public Tensor relu() { return Pointwise.unary(UnaryOp.RELU, this); }
    public Tensor sign() { return Pointwise.unary(UnaryOp.SIGN, this); }
    public Tensor square() { return Pointwise.unary(UnaryOp.SQUARE, this); }
    public Tensor reciprocal() { return Pointwise.unary(UnaryOp.RECIPROCAL, this); }
    public Tensor erf() { return Pointwise.unary(UnaryOp.ERF, this); }
    public Tensor sin() { return Pointwise.unary(UnaryOp.SIN, this); }
    public Tensor cos() { return Pointwise.unary(UnaryOp.COS, this); }
    /** Clamps into [min, max]; pass {@code Double.NaN} for a missing bound. */
    public Tensor clamp(double min, double max) { return Pointwise.clamp(this, min, max); }
    public Tensor clampMin(double min) { return Autograd.relabel(clamp(min, Double.NaN), "ClampMinBackward0"); }
    public Tensor clampMax(double max) { return Autograd.relabel(clamp(Double.NaN, max), "ClampMaxBackward0"); }

    public Tensor eq(Tensor other) { return Pointwise.binary(BinaryOp.EQ, this, other); }
    public Tensor ne(Tensor other) { return Pointwise.binary(BinaryOp.NE, this, other); }
    public Tensor lt(Tensor other) { return Pointwise.binary(BinaryOp.LT, this, other); }
    public Tensor le(Tensor other) { return Pointwise.binary(BinaryOp.LE, this, other); }
    public Tensor gt(Tensor other) { return Pointwise.binary(BinaryOp.GT, this, other); }
    public Tensor ge(Tensor other) { return Pointwise.binary(BinaryOp.GE, this, other); }
    public Tensor eq(double v) { return Pointwise.compareScalar(BinaryOp.EQ, this, v); }
    public Tensor ne(double v) { return Pointwise.compareScalar(BinaryOp.NE, this, v); }
    public Tensor lt(double v) { return Pointwise.compareScalar(BinaryOp.LT, this, v); }
    public Tensor le(double v) { return Pointwise.compareScalar(BinaryOp.LE, this, v); }
    public Tensor gt(double v) { return Pointwise.compareScalar(BinaryOp.GT, this, v); }
    public Tensor ge(double v) { return Pointwise.compareScalar(BinaryOp.GE, this, v); }
    public Tensor logicalNot() { return Pointwise.unary(UnaryOp.LOGICAL_NOT, this); }

    /** Elements where {@code mask} is true become {@code value}; mask broadcasts to this shape. */
    public Tensor maskedFill(Tensor mask, double value) { return Pointwise.maskedFill(this, mask, value); }

    // ---- reductions ------------------------------------------------------------------------

    public Tensor sum() { return Reductions.sumAll(this); }
    public Tensor sum(int dim, boolean keepdim) { return Reductions.sum(this, new int[]{dim}, keepdim); }
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Tensor mean() { return Reductions.meanAll(this); }
    public Tensor mean(int dim, boolean keepdim) { return Reductions.mean(this, new int[]{dim}, keepdim); }
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    public Tensor var() { return var(true); }
    public Tensor var(boolean unbiased) { return Reductions.var(this, Reductions.allDims(dim()), unbiased, false); }
    public Tensor var(int dim, boolean unbiased, boolean keepdim) { return Reductions.var(this, new int[]{dim}, unbiased, keepdim); }
    public Tensor var(int[] dims, boolean unbiased, boolean keepdim) { return Reductions.var(this, dims, unbiased, keepdim); }
    public Tensor std() { return std(true); }
    public Tensor std(boolean unbiased) { return Reductions.std(this, Reductions.allDims(dim()), unbiased, false); }
    public Tensor std(int dim, boolean unbiased, boolean keepdim) { return Reductions.std(this, new int[]{dim}, unbiased, keepdim); }
    public Tensor std(int[] dims, boolean unbiased, boolean keepdim) { return Reductions.std(this, dims, unbiased, keepdim); }
    /** The largest element (a 0-dim tensor). */
    public Tensor max() { return Reductions.extreme(this, true); }
    public Tensor min() { return Reductions.extreme(this, false); }
    public ValuesIndices max(int dim, boolean keepdim) { return Reductions.extremeAlong(this, dim, keepdim, true); }
    public ValuesIndices min(int dim, boolean keepdim) { return Reductions.extremeAlong(this, dim, keepdim, false); }
    public ValuesIndices max(int dim) { return max(dim, false); }
    public ValuesIndices min(int dim) { return min(dim, false); }
    /** Index of the largest element of the flattened tensor. */
    public Tensor argmax() { return reshape(-1).max(0, false).indices(); }
    public Tensor argmax(int dim, boolean keepdim) { return max(dim, keepdim).indices(); }
    public Tensor argmin() { return reshape(-1).min(0, false).indices(); }
    public Tensor argmin(int dim, boolean keepdim) { return min(dim, keepdim).indices(); }
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }

    // ---- linear algebra --------------------------------------------------------------------

    public Tensor matmul(Tensor other) { return LinearAlgebra.matmul(this, other); }
    public Tensor mm(Tensor other) { return LinearAlgebra.mm(this, other); }
    public Tensor bmm(Tensor other) { return LinearAlgebra.bmm(this, other); }

    // ---- views -----------------------------------------------------------------------------

    public Tensor view(int... shape) { return Views.view(this, shape); }
    public Tensor reshape(int... shape) { return Views.reshape(this, shape); }
    public Tensor viewAs(Tensor other) { return view(other.layout.shape()); }
    public Tensor reshapeAs(Tensor other) { return reshape(other.layout.shape()); }
    public Tensor flatten() { return flatten(0, -1); }
    public Tensor flatten(int startDim) { return flatten(startDim, -1); }
    public Tensor flatten(int startDim, int endDim) { return Views.flatten(this, startDim, endDim); }
    public Tensor unflatten(int dim, int... sizes) { return Views.unflatten(this, dim, sizes); }
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    public Tensor squeeze() { return Views.squeeze(this); }
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
    public Tensor permute(int... dims) { return Views.permute(this, dims); }
    public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }
    /** Transpose of a tensor of at most 2 dimensions. */
    public Tensor t() { return Views.t(this); }
    public Tensor narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
    /** {@code x[..., index, ...]} along {@code dim}: removes that dimension. */
    public Tensor select(int dim, int index) { return Views.select(this, dim, index); }
    /** {@code x[..., start:end:step, ...]} along {@code dim}, with Python's clamping of start and end. */
    public Tensor slice(int dim, int start, int end, int step) { return Views.slice(this, dim, start, end, step); }
    public Tensor slice(int dim, int start, int end) { return slice(dim, start, end, 1); }
    /** {@code x[index]}: the first dimension's element {@code index}. */
    public Tensor get(int index) { return select(0, index); }
    public Tensor expand(int... sizes) { return Views.expand(this, sizes); }
    public Tensor expandAs(Tensor other) { return expand(other.layout.shape()); }

    // ---- joining and indexing --------------------------------------------------------------

    public List<Tensor> split(int splitSize, int dim) { return Joining.split(this, splitSize, dim); }
    public List<Tensor> split(int[] sizes, int dim) { return Joining.split(this, sizes, dim); }
    public List<Tensor> chunk(int chunks, int dim) { return Joining.chunk(this, chunks, dim); }
    /** Constant padding as {@code F.pad(x, pad, value=value)}: pairs from the last dimension backwards; negative crops. */
    public Tensor pad(int[] pad, double value) { return Joining.pad(this, pad, value); }
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }

    // ---- in place (bump the version counter) -----------------------------------------------

    public Tensor add_(Tensor other) { return InPlace.binary(this, BinaryOp.ADD, other, 1); }
    public Tensor add_(Tensor other, double alpha) { return InPlace.binary(this, BinaryOp.ADD, other, alpha); }
    public Tensor add_(double value) { return InPlace.scalar(this, BinaryOp.ADD, value); }
    public Tensor sub_(Tensor other) { return InPlace.binary(this, BinaryOp.ADD, other, -1); }
    public Tensor sub_(double value) { return InPlace.scalar(this, BinaryOp.SUB, value); }
    public Tensor mul_(Tensor other) { return InPlace.binary(this, BinaryOp.MUL, other, 1); }
    public Tensor mul_(double value) { return InPlace.scalar(this, BinaryOp.MUL, value); }
    public Tensor div_(Tensor other) { return InPlace.binary(this, BinaryOp.DIV, other, 1); }
    public Tensor div_(double value) { return InPlace.scalar(this, BinaryOp.DIV, value); }
    public Tensor clamp_(double min, double max) { return InPlace.unary(this, UnaryOp.CLAMP, min, max, t -> t.clamp(min, max)); }
    public Tensor relu_() { return InPlace.unary(this, UnaryOp.RELU, 0, 0, Tensor::relu); }
    public Tensor sigmoid_() { return InPlace.unary(this, UnaryOp.SIGMOID, 0, 0, Tensor::sigmoid); }
    public Tensor tanh_() { return InPlace.unary(this, UnaryOp.TANH, 0, 0, Tensor::tanh); }
    public Tensor maskedFill_(Tensor mask, double value) { return InPlace.assign(this, maskedFill(mask, value)); }
    public Tensor zero_() { return InPlace.fill(this, 0, "ZeroBackward0"); }
    public Tensor fill_(double value) { return InPlace.fill(this, value, "FillBackward2"); }
    /** Copies {@code src} (broadcast to this shape, any dtype) into this tensor. */
    public Tensor copy_(Tensor src) { return InPlace.copy(this, src); }
    /** Fills with samples of N(mean, std^2) from the global generator. */
    public Tensor normal_(double mean, double std) { return InPlace.copy(this, Creation.randnLike(this).mul(std).add(mean)); }
    public Tensor normal_() { return normal_(0, 1); }
    /** Fills with samples of U[from, to) from the global generator. */
    public Tensor uniform_(double from, double to) { return InPlace.copy(this, Creation.randLike(this).mul(to - from).add(from)); }
    public Tensor uniform_() { return uniform_(0, 1); }
}
