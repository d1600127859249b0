package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.ops.Creation;

import java.util.Arrays;

/**
 * The loss functions behind {@link F}'s {@code crossEntropy}, {@code nllLoss}, {@code mseLoss},
 * {@code l1Loss}, {@code binaryCrossEntropy} and {@code binaryCrossEntropyWithLogits}, with
 * PyTorch 1.13's formulas, checks and messages. Each is composed of differentiable tensor ops
 * (logSoftmax, gather, where, maskedFill, sums), so autograd needs no loss-specific backward.
 *
 * <p>Where jtorch differs from PyTorch (on purpose):
 * <ul>
 *   <li>{@code mseLoss}/{@code l1Loss} with target and input of different shapes throw; PyTorch
 *       only warns and broadcasts, which almost always hides a bug ([N] against [N, 1] gives an
 *       [N, N] loss).</li>
 *   <li>{@code nllLoss}/{@code crossEntropy} with a 1-D (unbatched) input require a 0-dim target;
 *       PyTorch accepts some other shapes there without a meaningful result.</li>
 *   <li>{@code binaryCrossEntropy}'s gradient is the derivative of the clamped formula: equal to
 *       PyTorch's {@code (x - t) / max(x (1 - x), 1e-12)} except where {@code x (1 - x) < 1e-12}
 *       (an input of exactly 0 or 1, or within 1e-12 of it): there jtorch gives 0 at exactly 0 or 1
 *       (the log is clamped) and {@code -t/x + (1-t)/(1-x)} near them, where PyTorch caps the
 *       divisor. After a sigmoid both are 0, as the sigmoid's own derivative is 0 there.</li>
 * </ul>
 */
final class Losses {
    private Losses() {}

    /** {@code torch.Size([3, 1])}, as PyTorch prints a shape in its messages. */
    static String torchSize(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }

    /** A loss module called like a one-input layer. */
    static UnsupportedOperationException needsTarget(Module loss) {
        return new UnsupportedOperationException(loss.typeName() + ".forward takes (input, target); "
                + "call forward(input, target)");
    }

    private static Tensor scalarLike(Tensor like, double value) {
        return Creation.scalar(value, like.dtype(), like.device());
    }

    // ---- regression -------------------------------------------------------------------------------

    static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        checkSameSize(input, target);
        return reduction.apply(input.sub(target).square());
    }

    static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        checkSameSize(input, target);
        return reduction.apply(input.sub(target).abs());
    }

    private static void checkSameSize(Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Using a target size (" + torchSize(target.shape())
                    + ") that is different to the input size (" + torchSize(input.shape()) + "). This will likely lead "
                    + "to incorrect results due to broadcasting. Please ensure they have the same size. (PyTorch "
                    + "warns and broadcasts here; jtorch refuses.)");
        }
    }

    // ---- binary -----------------------------------------------------------------------------------

    static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Using a target size (" + torchSize(target.shape())
                    + ") that is different to the input size (" + torchSize(input.shape()) + ") is deprecated. "
                    + "Please ensure they have the same size.");
        }
        for (double v : input.detach().toDoubleArray()) {
            if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException("all elements of input should be between 0 and 1");
        }
        // PyTorch: (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100)
        Tensor loss = target.sub(1).mul(clampedLog(input.rsub(1))).sub(target.mul(clampedLog(input)));
        if (weight != null) loss = loss.mul(weight);
        return reduction.apply(loss);
    }

    /**
     * max(log(y), -100), with y = 0 routed around the log so that its gradient is 0 rather than
     * 0 * inf = nan (the clamp alone would stop the gradient only after the log had made the nan).
     */
    private static Tensor clampedLog(Tensor y) {
        Tensor positive = y.gt(0);
        Tensor safe = Torch.where(positive, y, scalarLike(y, 1));
        return Torch.where(positive, safe.log(), scalarLike(y, -100)).clampMin(-100);
    }

    static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                               Tensor posWeight) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("Target size (" + torchSize(target.shape())
                    + ") must be the same as input size (" + torchSize(input.shape()) + ")");
        }
        // log(1 + exp(-x)) computed as m + log(exp(-m) + exp(-x - m)), m = max(-x, 0): nothing overflows.
        Tensor maxVal = input.neg().clampMin(0);
        Tensor softplusNeg = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
        Tensor loss;
        if (posWeight != null) {
            Tensor logWeight = posWeight.sub(1).mul(target).add(1);
            loss = target.rsub(1).mul(input).add(logWeight.mul(softplusNeg));
        } else {
            loss = target.rsub(1).mul(input).add(softplusNeg);
        }
        if (weight != null) loss = loss.mul(weight);
        return reduction.apply(loss);
    }

    // ---- classification ---------------------------------------------------------------------------

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        checkClassTarget(input, target);
        int classes = input.size(input.dim() == 1 ? 0 : 1);
        checkWeight(weight, classes);
        boolean unbatched = input.dim() == 1;
        Tensor in = unbatched ? input.unsqueeze(0) : input;
        Tensor tg = unbatched ? target.unsqueeze(0) : target;

        long kept = 0;
        for (long t : tg.toLongArray()) {
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= classes) throw new IndexOutOfBoundsException("Target " + t + " is out of bounds.");
            kept++;
        }
        Tensor ignored = tg.eq(ignoreIndex);
        Tensor safeTarget = Torch.where(ignored, scalarLike(tg, 0), tg);
        Tensor loss = in.gather(1, safeTarget.unsqueeze(1)).squeeze(1).neg();
        Tensor w = weight == null ? null
                : weight.indexSelect(0, safeTarget.reshape(-1)).reshape(tg.shape()).maskedFill(ignored, 0);
        if (w != null) loss = loss.mul(w);
        loss = loss.maskedFill(ignored, 0);
        return switch (reduction) {
            case NONE -> unbatched ? loss.squeeze(0) : loss;
            case SUM -> loss.sum();
            // The mean over the kept targets, weighted: sum(w[t_i] * -x_i) / sum(w[t_i]); 0/0 = nan when all are ignored.
            case MEAN -> w == null ? loss.sum().div(kept) : loss.sum().div(w.sum());
        };
    }

    static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction,
                               double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: "
                    + PyFormat.number(labelSmoothing));
        }
        if (input.dim() < 1) throw new IllegalArgumentException("Expected 1 or more dimensions (got " + input.dim() + ")");
        int classDim = input.dim() == 1 ? 0 : 1;
        int classes = input.size(classDim);
        if (Arrays.equals(input.shape(), target.shape())) {
            return crossEntropyProbabilities(input, target, weight, reduction, labelSmoothing, classDim, classes);
        }
        Tensor logp = input.logSoftmax(classDim);
        Tensor nll = nllLoss(logp, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;

        // Smoothing mixes in the (weighted) mean of -log p over all classes, ignored targets left out.
        Tensor smooth = (weight == null ? logp : logp.mul(classView(weight, input.dim(), classDim))).sum(classDim, false).neg();
        Tensor ignored = target.eq(ignoreIndex);
        smooth = smooth.maskedFill(ignored, 0);
        Tensor reduced = switch (reduction) {
            case NONE -> smooth;
            case SUM -> smooth.sum();
            case MEAN -> {
                Tensor safeTarget = Torch.where(ignored, scalarLike(target, 0), target);
                if (weight == null) {
                    long kept = ignored.numel() - ignored.sum().itemLong();
                    yield smooth.sum().div(kept);
                }
                yield smooth.sum().div(weight.indexSelect(0, safeTarget.reshape(-1)).reshape(target.shape())
                        .maskedFill(ignored, 0).sum());
            }
        };
        return nll.mul(1 - labelSmoothing).add(reduced.mul(labelSmoothing / classes));
    }

    private static Tensor crossEntropyProbabilities(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                    double labelSmoothing, int classDim, int classes) {
        if (!target.isFloatingPoint()) {
            throw new IllegalArgumentException("Expected floating point type for target with class probabilities, got "
                    + target.dtype().legacyName());
        }
        checkWeight(weight, classes);
        Tensor logp = input.logSoftmax(classDim);
        Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
        Tensor terms = logp.mul(t);
        if (weight != null) terms = terms.mul(classView(weight, input.dim(), classDim));
        return switch (reduction) {
            case NONE -> terms.sum(classDim, false).neg();
            case SUM -> terms.sum().neg();
            // The mean over samples (and spatial positions), not over the weights.
            case MEAN -> terms.sum().neg().div(input.numel() / classes);
        };
    }

    /** The class weights shaped [C] for a 1-D input, else [1, C, 1, ...] to broadcast over the class dimension. */
    private static Tensor classView(Tensor weight, int inputDim, int classDim) {
        int[] shape = new int[inputDim];
        Arrays.fill(shape, 1);
        shape[classDim] = weight.numel();
        return weight.reshape(shape);
    }

    private static void checkWeight(Tensor weight, int classes) {
        if (weight != null && (weight.dim() != 1 || weight.numel() != classes)) {
            throw new IllegalArgumentException("weight tensor should be defined either for all " + classes
                    + " classes or no classes but got weight tensor of shape: " + Arrays.toString(weight.shape()));
        }
    }

    /** nll_loss's shape and dtype rules: [C] with [], [N, C] with [N], [N, C, d1, ...] with [N, d1, ...]. */
    private static void checkClassTarget(Tensor input, Tensor target) {
        if (input.dim() < 1) throw new IllegalArgumentException("Expected 1 or more dimensions (got " + input.dim() + ")");
        if (target.dtype() != DType.INT64) {
            throw new IllegalArgumentException("expected scalar type Long but found " + target.dtype().legacyName());
        }
        if (input.dim() == 1) {
            if (target.dim() != 0) {
                throw new IllegalArgumentException("an unbatched input of shape " + Arrays.toString(input.shape())
                        + " needs a 0-dim target, got shape " + Arrays.toString(target.shape()));
            }
            return;
        }
        if (target.dim() == 0 || input.size(0) != target.size(0)) {
            throw new IllegalArgumentException("Expected input batch_size (" + input.size(0) + ") to match target batch_size ("
                    + (target.dim() == 0 ? 0 : target.size(0)) + ").");
        }
        if (input.dim() == 2) {
            if (target.dim() != 1) throw new IllegalArgumentException("0D or 1D target tensor expected, multi-target not supported");
            return;
        }
        int[] expected = new int[input.dim() - 1];
        expected[0] = input.size(0);
        for (int d = 2; d < input.dim(); d++) expected[d - 1] = input.size(d);
        if (!Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException("Expected target size " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(target.shape()));
        }
    }
}
