package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)}: a sigmoid and
 * {@link BCELoss} in one numerically stable formula. See
 * {@link F#binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, Reduction, Tensor)}. {@code weight}
 * and {@code pos_weight} are buffers, as in PyTorch.
 */
public class BCEWithLogitsLoss extends Module implements Loss {
    public final Reduction reduction;

    public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
        registerBuffer("weight", weight);
        registerBuffer("pos_weight", posWeight);
        this.reduction = reduction;
    }

    public BCEWithLogitsLoss(Reduction reduction) { this(null, reduction, null); }

    public BCEWithLogitsLoss() { this(Reduction.MEAN); }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return F.binaryCrossEntropyWithLogits(input, target, buffer("weight"), reduction, buffer("pos_weight"));
    }

    @Override
    public Tensor forward(Tensor input) { throw Losses.needsTarget(this); }
}
