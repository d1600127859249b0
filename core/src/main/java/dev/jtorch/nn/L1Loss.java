package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.L1Loss(reduction='mean')}: the mean absolute error, |x - y|. Input and target must have the same shape
 * (PyTorch warns and broadcasts; see {@link F#l1Loss(Tensor, Tensor, Reduction)}).
 */
public class L1Loss extends Module implements Loss {
    public final Reduction reduction;

    public L1Loss(Reduction reduction) { this.reduction = reduction; }

    public L1Loss() { this(Reduction.MEAN); }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.l1Loss(input, target, reduction); }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
