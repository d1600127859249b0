package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.MSELoss(reduction='mean')}: the mean squared error, (x - y)^2. Input and target must have the same shape
 * (PyTorch warns and broadcasts; see {@link F#mseLoss(Tensor, Tensor, Reduction)}).
 */
public class MSELoss extends Module implements Loss {
    public final Reduction reduction;

    public MSELoss(Reduction reduction) { this.reduction = reduction; }

    public MSELoss() { this(Reduction.MEAN); }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.mseLoss(input, target, reduction); }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
