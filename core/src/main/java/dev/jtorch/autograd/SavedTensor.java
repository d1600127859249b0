package dev.jtorch.autograd;

import dev.jtorch.Tensor;

import java.util.Arrays;

/**
 * A tensor kept for backward, with the version it had when saved. Reading it after an in-place
 * write fails with PyTorch's message rather than producing a wrong gradient.
 */
public final class SavedTensor {
    private final Tensor tensor;
    private final int savedVersion;

    private SavedTensor(Tensor tensor) {
        this.tensor = tensor;
        this.savedVersion = tensor.version().get();
    }

    public static SavedTensor save(Tensor t) { return new SavedTensor(t); }

    public Tensor get() {
        int now = tensor.version().get();
        if (now != savedVersion) {
            String producer = tensor.gradFn() == null ? "" : ", which is output 0 of " + tensor.gradFn().name() + ",";
            throw new IllegalStateException("one of the variables needed for gradient computation has been modified by an "
                    + "inplace operation: [torch." + tensor.dtype().legacyName() + "Tensor " + Arrays.toString(tensor.shape())
                    + "]" + producer + " is at version " + now + "; expected version " + savedVersion + " instead. Hint: "
                    + "enable anomaly detection to find the operation that failed to compute its gradient, with "
                    + "torch.autograd.set_detect_anomaly(True).");
        }
        return tensor;
    }
}
