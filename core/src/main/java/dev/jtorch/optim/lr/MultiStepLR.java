package dev.jtorch.optim.lr;

import dev.jtorch.optim.Optimizer;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code torch.optim.lr_scheduler.MultiStepLR}: multiplies each group's lr by {@code gamma} at
 * each milestone epoch (by {@code gamma^k} when a milestone is listed k times, as PyTorch's
 * {@code Counter} does).
 */
public final class MultiStepLR extends LRScheduler {
    private final Map<Integer, Integer> milestones = new TreeMap<>();
    private final double gamma;

    /** {@code MultiStepLR(optimizer, milestones, gamma=0.1)}. */
    public MultiStepLR(Optimizer optimizer, int[] milestones) { this(optimizer, milestones, 0.1); }

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        for (int m : milestones) this.milestones.merge(m, 1, Integer::sum);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        double[] lr = new double[groupCount()];
        Integer times = milestones.get(lastEpoch);
        for (int i = 0; i < lr.length; i++) lr[i] = times == null ? groupLr(i) : groupLr(i) * Math.pow(gamma, times);
        return lr;
    }
}
