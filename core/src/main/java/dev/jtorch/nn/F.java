package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.List;

/** {@code torch.nn.functional}: the stateless forms of the layers. */
public final class F {
    private F() {}

    /** y = x W^T + b; a 2-D input takes one fused addmm, others a broadcast matmul. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        if (input.dim() == 2 && bias != null) return Torch.addmm(bias, input, weight.t());
        Tensor out = input.matmul(weight.t());
        return bias == null ? out : out.add(bias);
    }

    public static Tensor relu(Tensor x) { return x.relu(); }

    public static Tensor relu(Tensor x, boolean inplace) { return inplace ? x.relu_() : x.relu(); }

    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }

    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }

    public static Tensor tanh(Tensor x) { return x.tanh(); }

    /**
     * Zeroes each element with probability p during training and scales the rest by 1/(1-p), so
     * evaluation needs no rescaling.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, boolean inplace) {
        checkProbability(p);
        if (!training || p == 0) return x;
        Tensor mask = p == 1 ? Torch.zerosLike(x) : Torch.bernoulli(Torch.fullLike(x, 1 - p)).div(1 - p);
        return inplace ? x.mul_(mask) : x.mul(mask);
    }

    public static Tensor dropout(Tensor x, double p, boolean training) { return dropout(x, p, training, false); }

    static void checkProbability(double p) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
    }

    /** {@code F.pad(x, pad, mode="constant", value=value)}. */
    public static Tensor pad(Tensor x, int[] pad, double value) { return x.pad(pad, value); }

    public static Tensor pad(Tensor x, int... pad) { return x.pad(pad, 0); }

    public static Tensor cat(List<Tensor> tensors, int dim) { return Torch.cat(tensors, dim); }

    public static Tensor unsqueeze(Tensor x, int dim) { return x.unsqueeze(dim); }

    /** One-hot rows of int64 class indices (PyTorch's {@code F.one_hot}), as int64. */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        long[] idx = indices.toLongArray();
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = numClasses;
        long[] out = new long[idx.length * numClasses];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= numClasses) throw new IllegalArgumentException("Class values must be smaller than num_classes.");
            out[i * numClasses + (int) idx[i]] = 1;
        }
        return Torch.tensor(out, shape).to(DType.INT64);
    }
}
