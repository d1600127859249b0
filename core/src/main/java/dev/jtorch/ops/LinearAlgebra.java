package dev.jtorch.ops;

import dev.jtorch.Tensor;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.autograd.SavedTensor;
import dev.jtorch.backend.Layout;

import java.util.Arrays;

import static dev.jtorch.backend.TensorInternals.backend;
import static dev.jtorch.backend.TensorInternals.layout;
import static dev.jtorch.backend.TensorInternals.storage;

/** Matrix products. Every product ends in the backend's batched matmul over strided layouts. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    private static void sameDtype(Tensor a, Tensor b, String what) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(what + " must have the same dtype, but got " + a.dtype().pyName() + " and "
                    + b.dtype().pyName());
        }
    }

    /** A 2-D layout seen as a batch of one: [1, rows, cols]. */
    private static Layout batchOfOne(Layout l) {
        return new Layout(new int[]{1, l.shape()[0], l.shape()[1]}, new int[]{0, l.strides()[0], l.strides()[1]}, l.offset());
    }

    public static Tensor mm(Tensor a, Tensor b) {
        if (a.dim() != 2) throw new IllegalArgumentException("self must be a matrix");
        if (b.dim() != 2) throw new IllegalArgumentException("mat2 must be a matrix");
        int[] as = layout(a).shape(), bs = layout(b).shape();
        if (as[1] != bs[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + as[0] + "x" + as[1] + " and "
                    + bs[0] + "x" + bs[1] + ")");
        }
        sameDtype(a, b, "mat1 and mat2");
        Tensor out = Creation.zeros(new int[]{as[0], bs[1]}, a.dtype(), a.device());
        backend(a).matmul(storage(a), batchOfOne(layout(a)), storage(b), batchOfOne(layout(b)), storage(out),
                batchOfOne(layout(out)), false);
        SavedTensor sa = SavedTensor.save(a), sb = SavedTensor.save(b);
        return Autograd.record(out, "MmBackward0", g -> new Tensor[]{
                a.requiresGrad() ? mm(g, sb.get().t()) : null,
                b.requiresGrad() ? mm(sa.get().t(), g) : null}, a, b);
    }

    public static Tensor bmm(Tensor a, Tensor b) {
        if (a.dim() != 3) throw new IllegalArgumentException("batch1 must be a 3D tensor");
        if (b.dim() != 3) throw new IllegalArgumentException("batch2 must be a 3D tensor");
        int[] as = layout(a).shape(), bs = layout(b).shape();
        if (bs[0] != as[0] || bs[1] != as[2]) {
            throw new IllegalArgumentException("Expected size for first two dimensions of batch2 tensor to be: [" + as[0] + ", "
                    + as[2] + "] but got: [" + bs[0] + ", " + bs[1] + "].");
        }
        sameDtype(a, b, "batch1 and batch2");
        Tensor out = Creation.zeros(new int[]{as[0], as[1], bs[2]}, a.dtype(), a.device());
        backend(a).matmul(storage(a), layout(a), storage(b), layout(b), storage(out), layout(out), false);
        SavedTensor sa = SavedTensor.save(a), sb = SavedTensor.save(b);
        return Autograd.record(out, "BmmBackward0", g -> new Tensor[]{
                a.requiresGrad() ? bmm(g, sb.get().transpose(1, 2)) : null,
                b.requiresGrad() ? bmm(sa.get().transpose(1, 2), g) : null}, a, b);
    }

    /** {@code beta * input + alpha * (m1 @ m2)}, input broadcast to the product's shape. */
    public static Tensor addmm(Tensor input, Tensor m1, Tensor m2, double beta, double alpha) {
        if (m1.dim() != 2 || m2.dim() != 2) throw new IllegalArgumentException("mat1 and mat2 must be matrices");
        int[] s1 = layout(m1).shape(), s2 = layout(m2).shape();
        if (s1[1] != s2[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + s1[0] + "x" + s1[1] + " and "
                    + s2[0] + "x" + s2[1] + ")");
        }
        sameDtype(m1, m2, "mat1 and mat2");
        int[] shape = {s1[0], s2[1]};
        Tensor out = Creation.zeros(shape, m1.dtype(), m1.device());
        boolean accumulate = beta != 0 && alpha == 1;
        if (accumulate) {
            // The bias is written first and the product accumulated onto it: no second buffer.
            Tensor scaled = beta == 1 ? input : Pointwise.mulScalar(input.detach(), beta);
            Pointwise.copyInto(out, scaled);
        }
        backend(out).matmul(storage(m1), batchOfOne(layout(m1)), storage(m2), batchOfOne(layout(m2)), storage(out),
                batchOfOne(layout(out)), accumulate);
        if (!accumulate) {
            Tensor product = out;
            out = Pointwise.mulScalar(product, alpha);
            if (beta != 0) out = Pointwise.add(out, input.detach(), beta);
        }
        int[] inShape = layout(input).shape();
        SavedTensor s1t = SavedTensor.save(m1), s2t = SavedTensor.save(m2);
        return Autograd.record(out, "AddmmBackward0", g -> new Tensor[]{
                input.requiresGrad() ? Broadcast.sumTo(beta == 1 ? g : g.mul(beta), inShape) : null,
                m1.requiresGrad() ? scale(mm(g, s2t.get().t()), alpha) : null,
                m2.requiresGrad() ? scale(mm(s1t.get().t(), g), alpha) : null}, input, m1, m2);
    }

    private static Tensor scale(Tensor t, double alpha) { return alpha == 1 ? t : t.mul(alpha); }

    /** torch.matmul: dot, matrix-vector, matrix-matrix, or batched with broadcast batch dimensions. */
    public static Tensor matmul(Tensor a, Tensor b) {
        int da = a.dim(), db = b.dim();
        if (da == 0 || db == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are " + da + "D and "
                    + db + "D");
        }
        if (da == 1 && db == 1) {
            if (a.numel() != b.numel()) {
                throw new IllegalArgumentException("inconsistent tensor size, expected tensor [" + a.numel() + "] and src ["
                        + b.numel() + "] to have the same number of elements, but got " + a.numel() + " and " + b.numel()
                        + " elements respectively");
            }
            return Autograd.relabel(mm(a.unsqueeze(0), b.unsqueeze(1)).reshape(), "DotBackward0");
        }
        if (da == 2 && db == 1) return Autograd.relabel(mm(a, b.unsqueeze(1)).squeeze(1), "MvBackward0");
        if (da == 1 && db == 2) return mm(a.unsqueeze(0), b).squeeze(0);
        if (da == 2 && db == 2) return mm(a, b);
        // Batched: promote vectors to matrices, broadcast the batch dimensions, fold them into one.
        Tensor a2 = da == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = db == 1 ? b.unsqueeze(1) : b;
        int[] as = layout(a2).shape(), bs = layout(b2).shape();
        int n = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], p = bs[bs.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("Expected size for first two dimensions of batch2 tensor to be: ["
                    + "batch, " + k + "] but got: [batch, " + k2 + "].");
        }
        int[] batch = Broadcast.shapes(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int batchSize = Layout.numel(batch);
        Tensor a3 = a2.expand(concat(batch, n, k)).reshape(batchSize, n, k);
        Tensor b3 = b2.expand(concat(batch, k, p)).reshape(batchSize, k, p);
        Tensor out = bmm(a3, b3).view(concat(batch, n, p));
        if (da == 1) out = out.squeeze(-2);
        if (db == 1) out = out.squeeze(-1);
        // PyTorch folds the batch into one product and unfolds it with _unsafe_view.
        return Autograd.relabel(out, "UnsafeViewBackward0");
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = r;
        out[batch.length + 1] = c;
        return out;
    }
}
