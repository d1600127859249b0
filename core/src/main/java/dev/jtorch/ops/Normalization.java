package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.SavedTensor;
import dev.jtorch.backend.Layout;
import dev.jtorch.backend.Storage;
import dev.jtorch.backend.TensorInternals;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.version;

/**
 * Batch normalisation as one op ({@code torch.native_batch_norm}): the forward computes the
 * statistics, updates the running ones and normalises in one backend call, and the backward
 * computes the gradients of input, weight and bias in one more. Built from elementwise ops it
 * took about seven passes over the activation forward and more backward, each with its own
 * temporary; fused it reads the input twice (statistics, then normalise) and the gradient twice.
 */
public final class Normalization {
    private Normalization() {}

    /**
     * {@code torch.batch_norm} over {@code input} [N, C, *]: in training the batch mean and biased
     * variance normalise, and {@code runningMean}/{@code runningVar} (if not null) move in place by
     * {@code momentum} toward the batch mean and the unbiased variance; in eval the running
     * statistics normalise. weight and bias are [C] or null. The result records
     * {@code NativeBatchNormBackward0}; it is differentiable once (no double backward).
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        int c = input.size(1);
        check(input, weight, "weight", c);
        check(input, bias, "bias", c);
        check(input, runningMean, "running_mean", c);
        check(input, runningVar, "running_var", c);
        int[] shape = layout(input).shape();
        Tensor out = Creation.zeros(shape, input.dtype(), input.device());
        Tensor mean = Creation.zeros(new int[]{c}, input.dtype(), input.device());
        Tensor invstd = Creation.zeros(new int[]{c}, input.dtype(), input.device());
        backend(input).batchNormForward(storage(input), layout(input), storage(weight), layout(weight), storage(bias),
                layout(bias), storage(runningMean), layout(runningMean), storage(runningVar), layout(runningVar),
                training, momentum, eps, storage(out), layout(out), storage(mean), storage(invstd));
        if (training) {
            if (runningMean != null) version(runningMean).bump();
            if (runningVar != null) version(runningVar).bump();
        }
        SavedTensor sx = SavedTensor.save(input), sw = weight == null ? null : SavedTensor.save(weight);
        return Autograd.record(out, "NativeBatchNormBackward0", g -> {
            boolean needX = input.requiresGrad();
            boolean needW = weight != null && weight.requiresGrad(), needB = bias != null && bias.requiresGrad();
            Tensor x = sx.get(), w = sw == null ? null : sw.get();
            Tensor gx = needX ? Creation.zeros(shape, g.dtype(), g.device()) : null;
            Tensor gw = needW ? Creation.zeros(new int[]{c}, g.dtype(), g.device()) : null;
            Tensor gb = needB ? Creation.zeros(new int[]{c}, g.dtype(), g.device()) : null;
            backend(g).batchNormBackward(storage(g), layout(g), storage(x), layout(x), storage(w), layout(w),
                    storage(mean), storage(invstd), training, storage(gx), layout(gx), storage(gw), storage(gb));
            return new Tensor[]{gx, gw, gb};
        }, input, weight, bias);
    }

    private static void check(Tensor input, Tensor t, String name, int channels) {
        if (t == null) return;
        if (t.numel() != channels || t.dim() != 1) {
            throw new IllegalArgumentException("batch_norm: expected " + name + " of size [" + channels + "], got "
                    + Arrays.toString(t.shape()));
        }
        if (!t.device().equals(input.device())) {
            throw new IllegalArgumentException("Expected all tensors to be on the same device, but found at least two "
                    + "devices, " + input.device() + " and " + t.device() + "!");
        }
        if (t.dtype() != input.dtype()) {
            throw new IllegalArgumentException("expected scalar type " + input.dtype().legacyName() + " but found "
                    + t.dtype().legacyName());
        }
    }

    /** Null-safe: optional tensors (weight, bias, running statistics) may be absent. */
    private static Storage storage(Tensor t) { return t == null ? null : TensorInternals.storage(t); }

    private static Layout layout(Tensor t) { return t == null ? null : TensorInternals.layout(t); }
}
