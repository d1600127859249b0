package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

/**
 * What BatchNorm1d/2d share (PyTorch's {@code _BatchNorm}), held as a value rather than a base
 * class: the settings, the registration of weight, bias and the running buffers, the forward with
 * its momentum bookkeeping, and the printed settings.
 *
 * @param momentum null means a cumulative moving average (factor 1 / num_batches_tracked)
 */
record BatchNormSettings(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {

    /** Registers weight, bias, running_mean, running_var, num_batches_tracked in PyTorch's order. */
    void register(Module m) {
        m.registerParameter("weight", affine ? Torch.ones(numFeatures) : null);
        m.registerParameter("bias", affine ? Torch.zeros(numFeatures) : null);
        m.registerBuffer("running_mean", trackRunningStats ? Torch.zeros(numFeatures) : null);
        m.registerBuffer("running_var", trackRunningStats ? Torch.ones(numFeatures) : null);
        m.registerBuffer("num_batches_tracked", trackRunningStats ? Torch.scalarTensor(0, DType.INT64) : null);
    }

    /** {@code _BatchNorm.forward}: batch statistics in training (or when no running stats exist), running ones in eval. */
    Tensor forward(Module m, Tensor input) {
        double factor = momentum == null ? 0 : momentum;
        Tensor tracked = m.buffer("num_batches_tracked");
        if (m.isTraining() && trackRunningStats && tracked != null) {
            try (var g = Torch.noGrad()) {
                tracked.add_(1);
            }
            if (momentum == null) factor = 1.0 / tracked.item();
        }
        Tensor runningMean = m.buffer("running_mean"), runningVar = m.buffer("running_var");
        boolean useBatchStats = m.isTraining() || (runningMean == null && runningVar == null);
        boolean passStats = !m.isTraining() || trackRunningStats;
        return F.batchNorm(input, passStats ? runningMean : null, passStats ? runningVar : null, m.parameter("weight"),
                m.parameter("bias"), useBatchStats, factor, eps);
    }

    String extraRepr() {
        return numFeatures + ", eps=" + PyFormat.number(eps) + ", momentum=" + (momentum == null ? "None" : PyFormat.number(momentum))
                + ", affine=" + Module.py(affine) + ", track_running_stats=" + Module.py(trackRunningStats);
    }
}
