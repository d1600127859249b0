package dev.jtorch.optim.lr;

import dev.jtorch.optim.Optimizer;

/**
 * {@code torch.optim.lr_scheduler.StepLR}: multiplies each group's lr by {@code gamma} every
 * {@code stepSize} epochs.
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** {@code StepLR(optimizer, step_size, gamma=0.1)}. */
    public StepLR(Optimizer optimizer, int stepSize) { this(optimizer, stepSize, 0.1); }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groupCount()];
        boolean decay = lastEpoch != 0 && lastEpoch % stepSize == 0;
        for (int i = 0; i < lr.length; i++) lr[i] = decay ? groupLr(i) * gamma : groupLr(i);
        return lr;
    }
}
