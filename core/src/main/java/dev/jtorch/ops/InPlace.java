package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.GradMode;
import dev.jtorch.backend.BinaryOp;
import dev.jtorch.backend.TensorInternals;
import dev.jtorch.backend.UnaryOp;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;
import static dev.jtorch.backend.TensorInternals.version;

/**
 * In-place ops. Each one bumps the version counter shared by the tensor and its views, so that a
 * value saved for backward that is later overwritten is detected. With history to record, the
 * result is computed out of place (recording its node) and written back; a non-view tensor then
 * takes over the node as its grad_fn, and the base of a view takes a {@code CopySlices} node
 * ({@link ViewHistory}), which is what PyTorch's rebase_history does.
 */
public final class InPlace {
    private InPlace() {}

    private static void checkWritable(Tensor self) {
        if (GradMode.isEnabled() && self.isLeaf() && self.requiresGrad()) {
            throw new IllegalStateException("a leaf Variable that requires grad is being used in an in-place operation.");
        }
    }

    /**
     * PyTorch's assert_no_internal_overlap: a write through a layout where several elements share
     * one memory location (an expanded tensor) would depend on the kernel's order, so it is refused.
     * fill_ writes one value everywhere and stays allowed, as in PyTorch.
     */
    private static void checkNoInternalOverlap(Tensor self) {
        int[] shape = layout(self).shape(), strides = layout(self).strides();
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] == 0 && shape[i] > 1) {
                throw new IllegalArgumentException("unsupported operation: more than one element of the written-to tensor "
                        + "refers to a single memory location. Please clone() the tensor before performing the operation.");
            }
        }
    }

    /** Writes {@code result} (already computed, with its history) into {@code self}. */
    public static Tensor assign(Tensor self, Tensor result) {
        return assign(self, result, false);
    }

    /**
     * As {@link #assign(Tensor, Tensor)}; {@code oneValue}: the result is one value everywhere
     * (fill_, zero_), which an expanded tensor may take, as in PyTorch.
     */
    private static Tensor assign(Tensor self, Tensor result, boolean oneValue) {
        checkWritable(self);
        if (!oneValue) checkNoInternalOverlap(self);
        int[] shape = layout(self).shape();
        if (!Arrays.equals(shape, layout(result).shape())) {
            throw new IllegalArgumentException("output with shape " + Arrays.toString(shape)
                    + " doesn't match the broadcast shape " + Arrays.toString(layout(result).shape()));
        }
        if (result.dtype().kind().ordinal() > self.dtype().kind().ordinal()) {
            throw new IllegalArgumentException("result type " + result.dtype().legacyName()
                    + " can't be cast to the desired output type " + self.dtype().legacyName());
        }
        boolean recording = GradMode.isEnabled() && (result.requiresGrad() || self.requiresGrad());
        Tensor base = self.base();
        if (recording && self.isView()) {
            if (base == null) {
                throw new UnsupportedOperationException("an in-place operation with autograd on a view made under no_grad or by"
                        + " detach(): its base keeps no history to rewrite; clone() it first");
            }
            if (base.isLeaf() && base.requiresGrad()) {
                throw new IllegalStateException("a view of a leaf Variable that requires grad is being used in an in-place "
                        + "operation.");
            }
            MultiOutputViews.checkWritable(self);
        }
        if (recording && !self.isView() && !result.requiresGrad()) {
            throw new UnsupportedOperationException("jtorch does not yet support overwriting a tensor that requires grad with a "
                    + "value that does not; detach() it first or work under Torch.noGrad()");
        }
        try (var noGrad = GradMode.set(false)) {
            Pointwise.copyInto(self, result);
        }
        version(self).bump();
        if (recording && self.isView()) ViewHistory.rebase(base, self, result);
        else if (recording) TensorInternals.setGradFn(self, result.gradFn());
        return self;
    }

    /** {@code self = self op (alpha * other)}, straight into self's storage when nothing is recorded. */
    public static Tensor binary(Tensor self, BinaryOp op, Tensor other, double alpha) {
        if (Autograd.needsGrad(self, other)) {
            Tensor scaled = alpha == 1 ? other : other.mul(alpha);
            // other's gradient (mul, div) reads self as it was: compute on a copy, which the write below
            // leaves intact (PyTorch saves the original self the same way).
            boolean readsSelf = other.requiresGrad() && (op == BinaryOp.MUL || op == BinaryOp.DIV);
            Tensor original = readsSelf ? Pointwise.cloneOf(self) : self;
            return assign(self, Pointwise.binary(op, original, scaled));
        }
        checkWritable(self);
        checkNoInternalOverlap(self);
        Tensor operand = Pointwise.toDType(alpha == 1 ? other : other.mul(alpha), self.dtype());
        int[] shape = layout(self).shape();
        int[] joint = Broadcast.shapes(shape, layout(operand).shape());
        if (!Arrays.equals(joint, shape)) {
            throw new IllegalArgumentException("output with shape " + Arrays.toString(shape)
                    + " doesn't match the broadcast shape " + Arrays.toString(joint));
        }
        if (op == BinaryOp.DIV && !self.isFloatingPoint()) {
            throw new IllegalArgumentException("result type Float can't be cast to the desired output type "
                    + self.dtype().legacyName());
        }
        backend(self).binary(op, storage(self), layout(self), storage(operand),
                Broadcast.expand(layout(operand), shape), storage(self), layout(self));
        version(self).bump();
        return self;
    }

    /**
     * {@code self = op(self)}: straight into the storage unless history must be recorded. With
     * history, an op whose derivative reads its input is applied to a copy, since the write would
     * overwrite the saved input (PyTorch saves the original self the same way).
     */
    public static Tensor unary(Tensor self, UnaryOp op, double p0, double p1, UnaryOperator<Tensor> outOfPlace) {
        if (Autograd.needsGrad(self)) {
            return assign(self, outOfPlace.apply(Pointwise.readsInput(op) ? Pointwise.cloneOf(self) : self));
        }
        checkWritable(self);
        checkNoInternalOverlap(self);
        backend(self).unary(op, p0, p1, storage(self), layout(self), storage(self), layout(self));
        version(self).bump();
        return self;
    }

    /** {@code self = self op value} for a scalar. */
    public static Tensor scalar(Tensor self, BinaryOp op, double value) {
        if (!self.isFloatingPoint() && (value != Math.rint(value) || op == BinaryOp.DIV)) {
            throw new IllegalArgumentException("result type Float can't be cast to the desired output type "
                    + self.dtype().legacyName());
        }
        return binary(self, op, Creation.scalar(value, self.dtype(), self.device()), 1);
    }

    /**
     * fill_ ({@code node} FillBackward2) and zero_ (ZeroBackward0): with history, the old values get
     * a zero gradient through {@code node}, and a view's base a CopySlices.
     */
    public static Tensor fill(Tensor self, double value, String node) {
        checkWritable(self);
        if (GradMode.isEnabled() && self.requiresGrad()) {
            Tensor filled = Creation.full(layout(self).shape(), value, self.dtype(), self.device());
            return assign(self, Autograd.record(filled, node, g -> new Tensor[]{Creation.zerosLike(g)}, self), true);
        }
        backend(self).fill(storage(self), layout(self), value);
        version(self).bump();
        return self;
    }

    /** copy_: src broadcast to self's shape, converted to self's dtype; differentiable w.r.t. src. */
    public static Tensor copy(Tensor self, Tensor src) {
        if (Autograd.needsGrad(self, src)) {
            int[] srcShape = layout(src).shape();
            Tensor expanded = Views.expand(src, layout(self).shape());
            Tensor result = Pointwise.toDType(expanded, self.dtype());
            if (result == expanded) result = Pointwise.cloneOf(expanded);
            return assign(self, Autograd.record(result.detach(), "CopyBackwards",
                    g -> new Tensor[]{Broadcast.sumTo(g, srcShape)}, src));
        }
        checkWritable(self);
        checkNoInternalOverlap(self);
        Pointwise.copyInto(self, src);
        version(self).bump();
        return self;
    }
}
