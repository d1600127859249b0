package dev.jtorch.autograd;

import dev.jtorch.Tensor;

/** A node whose backward is a lambda written beside its op's forward in {@code dev.jtorch.ops}. */
final class FunctionNode extends Node {
    private BackwardFn fn;

    FunctionNode(String name, Node[] next, BackwardFn fn) {
        super(name, next);
        this.fn = fn;
    }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        if (fn == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (or directly access saved "
                    + "tensors after they have already been freed). Saved intermediate values of the graph are freed when "
                    + "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through "
                    + "the graph a second time or if you need to access saved tensors after calling backward.");
        }
        return fn.apply(gradOutput);
    }

    @Override
    protected void release() { fn = null; } // the lambda holds the saved tensors
}
