package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)}:
 * log-softmax over the class dimension, then the negative log-likelihood. See
 * {@link F#crossEntropy(Tensor, Tensor, Tensor, long, Reduction, double)}. The class weights are a
 * buffer named {@code weight}, so they are in the state dict, as in PyTorch.
 */
public class CrossEntropyLoss extends Module implements Loss {
    public final long ignoreIndex;
    public final Reduction reduction;
    public final double labelSmoothing;

    public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    public CrossEntropyLoss(Tensor weight) { this(weight, -100, Reduction.MEAN, 0); }

    public CrossEntropyLoss(Reduction reduction) { this(null, -100, reduction, 0); }

    public CrossEntropyLoss() { this((Tensor) null); }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.crossEntropy(input, target, buffer("weight"), ignoreIndex, reduction, labelSmoothing);
    }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
