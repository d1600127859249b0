package dev.jtorch.autograd;

import dev.jtorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One recorded operation in the autograd graph ({@code grad_fn} in PyTorch). It knows where the
 * gradients of its inputs go ({@link #next()}, null for an input that needs none) and how to
 * compute them from the gradient of its output.
 */
public abstract class Node {
    private String name;
    private final Node[] next;
    private List<Tensor> retained; // non-leaf tensors whose .grad() the user asked to keep

    protected Node(String name, Node[] next) {
        this.name = name;
        this.next = next;
    }

    /** PyTorch's class name for this node, e.g. {@code AddmmBackward0}. */
    public String name() { return name; }

    /** See {@link Autograd#relabel}. */
    void relabel(String newName) { name = newName; }

    /** The nodes that receive the gradient of each input, in input order (null entries need none). */
    public Node[] next() { return next; }

    /** The gradient of each input given the gradient of this node's output. */
    protected abstract Tensor[] apply(Tensor gradOutput);

    /** Drops what {@link #apply} would need (saved tensors), after a backward pass without retain_graph. */
    protected void release() {}

    void retain(Tensor t) {
        if (retained == null) retained = new ArrayList<>(1);
        if (!retained.contains(t)) retained.add(t);
    }

    List<Tensor> retained() { return retained == null ? List.of() : retained; }

    @Override
    public String toString() { return "<" + name + ">"; }
}
