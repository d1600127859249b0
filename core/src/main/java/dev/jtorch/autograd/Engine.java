package dev.jtorch.autograd;

import dev.jtorch.Tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs backward: counts how many gradients each node of the graph will receive, then processes a
 * node once all of them have arrived (so each node runs exactly once with the summed gradient).
 * Iterative throughout, so very deep graphs cannot overflow the stack.
 */
public final class Engine {
    private Engine() {}

    public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("element 0 of tensors does not require grad and does not have a grad_fn");
        }
        if (!java.util.Arrays.equals(root.shape(), gradient.shape())) {
            throw new IllegalArgumentException("Mismatch in shape: grad_output[0] has a shape of torch.Size("
                    + java.util.Arrays.toString(gradient.shape()) + ") and output[0] has a shape of torch.Size("
                    + java.util.Arrays.toString(root.shape()) + ").");
        }
        // PyTorch's validate_outputs casts a gradient to the dtype of the tensor it belongs to.
        if (gradient.dtype() != root.dtype()) {
            try (var noGrad = GradMode.set(false)) {
                gradient = gradient.to(root.dtype());
            }
        }
        Node start = Autograd.gradientSink(root);
        Map<Node, Integer> dependencies = countDependencies(start);
        Map<Node, Tensor> pending = new HashMap<>();
        pending.put(start, gradient);
        ArrayDeque<Node> ready = new ArrayDeque<>();
        ready.push(start);
        try (var noGrad = GradMode.set(false)) {
            while (!ready.isEmpty()) {
                Node node = ready.pop();
                Tensor grad = pending.remove(node);
                // A node none of whose consumers produced a gradient still releases its inputs' counts.
                Tensor[] inputGrads = new Tensor[0];
                if (grad != null) {
                    // As PyTorch's retain_grad hook: a contiguous copy, never an alias of a graph value or of another retained grad.
                    for (Tensor t : node.retained()) t.setGrad(t.grad() == null ? grad.detach().clone() : t.grad().add(grad));
                    inputGrads = node.apply(grad);
                }
                if (!retainGraph) node.release();
                Node[] next = node.next();
                for (int i = 0; i < next.length; i++) {
                    Node target = next[i];
                    if (target == null) continue;
                    Tensor g = i < inputGrads.length ? inputGrads[i] : null;
                    if (g != null) pending.merge(target, g, Tensor::add);
                    int left = dependencies.merge(target, -1, Integer::sum);
                    if (left == 0) ready.push(target);
                }
            }
        }
    }

    private static Map<Node, Integer> countDependencies(Node start) {
        Map<Node, Integer> deps = new IdentityHashMap<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(start);
        seen.put(start, true);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            for (Node target : node.next()) {
                if (target == null) continue;
                deps.merge(target, 1, Integer::sum);
                if (seen.put(target, true) == null) stack.push(target);
            }
        }
        return deps;
    }
}
