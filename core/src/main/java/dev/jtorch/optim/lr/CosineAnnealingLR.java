package dev.jtorch.optim.lr;

import dev.jtorch.optim.Optimizer;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}: anneals each group's lr from its initial
 * value to {@code etaMin} along a half cosine over {@code tMax} epochs, then back up (it is
 * periodic, as in PyTorch). Computed with PyTorch's recursive form, term by term in the same
 * order, so the sequence matches 1.13's to about 1e-15.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** {@code CosineAnnealingLR(optimizer, T_max, eta_min=0)}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) { this(optimizer, tMax, 0); }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groupCount()];
        for (int i = 0; i < lr.length; i++) {
            double base = baseLrs.get(i), cur = groupLr(i);
            if (lastEpoch == 0) {
                lr[i] = cur;
            } else if (stepCount == 1 && lastEpoch > 0) {
                lr[i] = etaMin + (base - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
            } else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
                lr[i] = cur + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
            } else {
                lr[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                        * (cur - etaMin) + etaMin;
            }
        }
        return lr;
    }
}
