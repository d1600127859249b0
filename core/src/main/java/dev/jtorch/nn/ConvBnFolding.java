package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.ops.Convolution;

import java.util.List;

import static dev.jtorch.backend.TensorInternals.version;

/**
 * Conv2d followed by BatchNorm2d (then optionally a residual add and a ReLU) run as one
 * convolution when nothing is trained or recorded. In eval mode the batch norm is a per-channel
 * affine map, so with {@code scale = gamma / sqrt(running_var + eps)} the block is
 * {@code act(conv(x, W) * scale + (b - running_mean) * scale + beta + residual)}: the convolution
 * applies the scale, shift, residual and ReLU to each block of its product while that block is in
 * cache ({@link Convolution#conv2dInference}), instead of three more passes over the output. A
 * model in eval mode under {@link Torch#noGrad()} (or with its parameters frozen) gets this
 * without asking. The weights are used as they are — no folded copy is kept, and the modules'
 * parameters are never touched, so switching back to {@code train()} is exact.
 *
 * <p>The per-channel scale and shift are cached on the Conv2d and rebuilt whenever a tensor they
 * were made from is replaced or written in place (version counters), so loading a state dict, an
 * optimizer step or a changed child takes effect at once. Anything else runs the modules one by
 * one, as written: a training-mode or gradient-recording forward, a batch norm without running
 * statistics, subclasses (which may override forward), replaced children (a GELU where the ReLU
 * was), a string padding. Results agree with the unfolded modules to float rounding.
 */
public final class ConvBnFolding {
    private ConvBnFolding() {}

    /**
     * {@code act(bn(conv(x)) + residual)} over the children of {@code parent} named {@code conv},
     * {@code bn} and {@code activation}; residual and activation may be null. Unfoldable
     * combinations run the children's own forwards in that order (the residual added in place,
     * as {@code out += identity} in a ResNet block).
     */
    public static Tensor convBn(Module parent, String conv, String bn, Tensor x, Tensor residual, String activation) {
        Module c = parent.child(conv), b = parent.child(bn), a = activation == null ? null : parent.child(activation);
        if (foldable(c, b, x, residual) && (a == null || isPlainRelu(a))) {
            return folded((Conv2d) c, (BatchNorm2d) b, x, residual, a != null);
        }
        Tensor out = b.forward(c.forward(x));
        if (residual != null) out = out.add_(residual);
        return a == null ? out : a.forward(out);
    }

    /** {@code F.relu(bn(conv(x)), inplace=True)} over two named children (Inception's BasicConv2d). */
    public static Tensor convBnRelu(Module parent, String conv, String bn, Tensor x) {
        Module c = parent.child(conv), b = parent.child(bn);
        if (foldable(c, b, x, null)) return folded((Conv2d) c, (BatchNorm2d) b, x, null, true);
        return F.relu(b.forward(c.forward(x)), true);
    }

    /**
     * For a container running {@code layers} in order: when layers[i] and layers[i + 1] are a
     * foldable Conv2d and BatchNorm2d (and layers[i + 2] a ReLU), runs them folded into
     * {@code out[0]} and returns how many layers that consumed; else returns 0.
     */
    static int runFolded(List<Module> layers, int i, Tensor x, Tensor[] out) {
        if (i + 1 >= layers.size() || !foldable(layers.get(i), layers.get(i + 1), x, null)) return 0;
        boolean relu = i + 2 < layers.size() && isPlainRelu(layers.get(i + 2));
        out[0] = folded((Conv2d) layers.get(i), (BatchNorm2d) layers.get(i + 1), x, null, relu);
        return relu ? 3 : 2;
    }

    private static boolean isPlainRelu(Module m) {
        return m.getClass() == ReLU.class;
    }

    private static boolean foldable(Module conv, Module bn, Tensor x, Tensor residual) {
        if (conv.getClass() != Conv2d.class || bn.getClass() != BatchNorm2d.class || bn.isTraining()) return false;
        Conv2d c = (Conv2d) conv;
        if (c.paddingString() != null || x.dim() != 4) return false;
        Tensor mean = bn.buffer("running_mean"), var = bn.buffer("running_var");
        if (mean == null || var == null) return false; // eval without running statistics normalises by the batch
        Tensor w = c.parameter("weight");
        if (mean.dtype() != w.dtype() || var.dtype() != w.dtype() || x.dtype() != w.dtype()) return false;
        return !Autograd.needsGrad(x, w, c.parameter("bias"), bn.parameter("weight"), bn.parameter("bias"), residual);
    }

    private static Tensor folded(Conv2d conv, BatchNorm2d bn, Tensor x, Tensor residual, boolean relu) {
        BatchNormAffine f = conv.foldedWith(bn);
        return Convolution.conv2dInference(x, conv.parameter("weight"), f.scale(), f.shift(), residual, relu,
                conv.stride(), conv.padding(), conv.dilation(), conv.groups);
    }

    /**
     * An eval-mode batch norm after a convolution as a per-channel scale and shift, and the
     * tensors (and their versions) it was computed from: the conv's bias and the norm's weight,
     * bias and running statistics.
     */
    record BatchNormAffine(BatchNorm2d bn, Tensor scale, Tensor shift, Tensor[] sources, int[] versions, double eps) {

        static BatchNormAffine of(Conv2d conv, BatchNorm2d bn) {
            Tensor[] sources = sources(conv, bn);
            try (var g = Torch.noGrad()) {
                Tensor convBias = sources[0], gamma = sources[1], beta = sources[2], mean = sources[3], var = sources[4];
                Tensor scale = var.add(bn.eps).rsqrt();
                if (gamma != null) scale = scale.mul(gamma);
                Tensor shift = (convBias == null ? mean.neg() : convBias.sub(mean)).mul(scale);
                if (beta != null) shift = shift.add(beta);
                return new BatchNormAffine(bn, scale.contiguous(), shift.contiguous(), sources, versions(sources), bn.eps);
            }
        }

        /** Still made from the same tensors, none of them written since. */
        boolean isCurrent(Conv2d conv, BatchNorm2d bn) {
            if (bn != this.bn || bn.eps != eps) return false;
            Tensor[] now = sources(conv, bn);
            for (int i = 0; i < now.length; i++) {
                if (now[i] != sources[i] || (now[i] != null && version(now[i]).get() != versions[i])) return false;
            }
            return true;
        }

        private static Tensor[] sources(Conv2d conv, BatchNorm2d bn) {
            return new Tensor[]{conv.parameter("bias"), bn.parameter("weight"), bn.parameter("bias"),
                    bn.buffer("running_mean"), bn.buffer("running_var")};
        }

        private static int[] versions(Tensor[] sources) {
            int[] v = new int[sources.length];
            for (int i = 0; i < sources.length; i++) v[i] = sources[i] == null ? 0 : version(sources[i]).get();
            return v;
        }
    }
}
