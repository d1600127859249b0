package dev.jtorch.autograd;

import dev.jtorch.Tensor;
import dev.jtorch.backend.TensorInternals;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.version;

/**
 * A tensor kept for backward, with the version it had when saved. Reading it after an in-place
 * write fails with PyTorch's message rather than producing a wrong gradient.
 */
public final class SavedTensor {
    private final Tensor tensor;
    private final int savedVersion;
    /**
     * Saved before any grad_fn was attached: the output of the node being recorded. PyTorch then
     * names that node when the value turns out overwritten, not the tensor's later grad_fn.
     */
    private final boolean outputOfItsNode;

    private SavedTensor(Tensor tensor) {
        this.tensor = tensor;
        this.savedVersion = version(tensor).get();
        this.outputOfItsNode = tensor.gradFn() == null && !tensor.requiresGrad();
    }

    public static SavedTensor save(Tensor t) { return new SavedTensor(t); }

    public Tensor get() {
        int now = version(tensor).get();
        if (now != savedVersion) {
            Node current = tensor.gradFn();
            String name = outputOfItsNode ? TensorInternals.gradFnNameAtVersion(tensor, savedVersion) : current == null ? null : current.name();
            String producer = name == null ? "" : ", which is output 0 of " + name + ",";
            throw new IllegalStateException("one of the variables needed for gradient computation has been modified by an "
                    + "inplace operation: [torch." + tensor.dtype().legacyName() + "Tensor " + Arrays.toString(tensor.shape())
                    + "]" + producer + " is at version " + now + "; expected version " + savedVersion + " instead. Hint: "
                    + "enable anomaly detection to find the operation that failed to compute its gradient, with "
                    + "torch.autograd.set_detect_anomaly(True).");
        }
        return tensor;
    }
}
