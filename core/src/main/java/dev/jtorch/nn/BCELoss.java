package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.BCELoss(weight=None, reduction='mean')} over probabilities in [0, 1]; each log is clamped
 * at -100 as in PyTorch. See {@link F#binaryCrossEntropy(Tensor, Tensor, Tensor, Reduction)}. The
 * rescaling weight is the buffer {@code weight}.
 */
public class BCELoss extends Module implements Loss {
    public final Reduction reduction;

    public BCELoss(Tensor weight, Reduction reduction) {
        registerBuffer("weight", weight);
        this.reduction = reduction;
    }

    public BCELoss(Tensor weight) { this(weight, Reduction.MEAN); }

    public BCELoss(Reduction reduction) { this(null, reduction); }

    public BCELoss() { this((Tensor) null); }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropy(input, target, buffer("weight"), reduction);
    }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
