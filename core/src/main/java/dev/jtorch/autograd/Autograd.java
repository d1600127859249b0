package dev.jtorch.autograd;

import dev.jtorch.Tensor;
import dev.jtorch.backend.TensorInternals;

/** How ops record themselves: {@code return Autograd.record(out, "ExpBackward0", g -> ..., x);}. */
public final class Autograd {
    private Autograd() {}

    /** True when an op on these inputs must record history. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Attaches a backward node to {@code out} when any input requires grad (and grad mode is on);
     * otherwise returns {@code out} untouched. {@code fn} returns one gradient per input, in order.
     */
    public static Tensor record(Tensor out, String name, BackwardFn fn, Tensor... inputs) {
        if (!needsGrad(inputs)) return out;
        TensorInternals.setGradFn(out, node(name, fn, inputs));
        return out;
    }

    /**
     * A node whose gradients go to {@code inputs} (null entries, and inputs that need none, get
     * none), not yet attached to an output: for history that is rewritten rather than recorded
     * (an in-place op on a view, {@code dev.jtorch.ops.ViewHistory}).
     */
    public static Node node(String name, BackwardFn fn, Tensor... inputs) {
        Node[] next = new Node[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (t != null && t.requiresGrad()) next[i] = gradientSink(t);
        }
        return new FunctionNode(name, next, fn);
    }

    /**
     * Gives the node that just produced {@code out} PyTorch's name for the whole op, where jtorch
     * composes the op from others (mv as mm then squeeze, stack as unsqueeze then cat, split as
     * narrows): {@code grad_fn} then reads as in PyTorch; the gradients are those of the parts.
     * Only for a node the caller has just created for this op, never one {@code out} came with.
     */
    public static Tensor relabel(Tensor out, String name) {
        if (out.gradFn() != null) out.gradFn().relabel(name);
        return out;
    }

    /** Where a gradient flowing into {@code t} goes: its grad_fn, or the accumulator of a leaf. */
    static Node gradientSink(Tensor t) {
        return t.gradFn() != null ? t.gradFn() : TensorInternals.gradAccumulator(t, AccumulateGrad::new);
    }

    /** Keeps the gradient of a non-leaf tensor in its {@code .grad()} during backward. */
    public static void retainGrad(Tensor t) {
        t.gradFn().retain(t);
    }
}
