package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)}
 * over {@code [N, C]} or {@code [N, C, L]}. Training normalises with the batch's biased variance and moves
 * running_var toward the unbiased one; eval uses the running statistics. A null momentum keeps a
 * cumulative average of all batches seen.
 */
public class BatchNorm1d extends Module {
    public final int numFeatures;
    public final double eps;
    /** null: cumulative moving average. */
    public final Double momentum;
    public final boolean affine, trackRunningStats;
    private final BatchNormSettings settings;

    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        this.settings = new BatchNormSettings(numFeatures, eps, momentum, affine, trackRunningStats);
        settings.register(this);
    }

    public BatchNorm1d(int numFeatures, double eps, Double momentum) { this(numFeatures, eps, momentum, true, true); }

    public BatchNorm1d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 2 && input.dim() != 3) {
            throw new IllegalArgumentException("expected 2D or 3D input (got " + input.dim() + "D input)");
        }
        return settings.forward(this, input);
    }

    @Override
    public String extraRepr() { return settings.extraRepr(); }

    @Override
    protected java.util.Set<String> optionalStateKeys() { return java.util.Set.of("num_batches_tracked"); }
}
