package dev.jtorch.autograd;

import dev.jtorch.Tensor;

/** The sink for a leaf that requires grad: adds the incoming gradient into {@code leaf.grad()}. */
public final class AccumulateGrad extends Node {
    private final Tensor leaf;

    AccumulateGrad(Tensor leaf) {
        super("AccumulateGrad", new Node[0]);
        this.leaf = leaf;
    }

    public Tensor variable() { return leaf; }

    @Override
    protected Tensor[] apply(Tensor gradOutput) {
        Tensor current = leaf.grad();
        if (gradOutput.dtype() != leaf.dtype()) gradOutput = gradOutput.to(leaf.dtype());
        // A fresh tensor is stored so that later in-place updates of .grad() never alias a graph value.
        leaf.setGrad(current == null ? gradOutput.detach().clone() : current.add(gradOutput));
        return new Tensor[0];
    }
}
