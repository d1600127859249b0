package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')} over log-probabilities; see
 * {@link F#nllLoss(Tensor, Tensor, Tensor, long, Reduction)}. The class weights are the buffer {@code weight}.
 */
public class NLLLoss extends Module implements Loss {
    public final long ignoreIndex;
    public final Reduction reduction;

    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        registerBuffer("weight", weight);
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
    }

    public NLLLoss(Tensor weight) { this(weight, -100, Reduction.MEAN); }

    public NLLLoss(Reduction reduction) { this(null, -100, reduction); }

    public NLLLoss() { this((Tensor) null); }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.nllLoss(input, target, buffer("weight"), ignoreIndex, reduction);
    }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
