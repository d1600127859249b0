package dev.jtorch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a convolution does to its product before the result is final: scale by the channel's
 * factor, add the channel's bias, add a residual tensor of the output's shape, then ReLU — in that
 * order, as {@code relu(bn(conv(x)) + identity)} computes them in a ResNet block once the batch
 * norm is folded into a per-channel scale and shift. It runs on blocks of the product while they are still in cache,
 * one read and one write per element instead of a pass over the whole output for each step.
 *
 * <p>Blocks are addressed relative to the group's first output channel: element (o, j) of a block
 * is channel {@code firstChannel + o}, and its residual is at {@code residual[residualBase + o*plane + j]}.
 * ReLU is {@code max(v, 0)} lane-wise, which keeps NaN as PyTorch's relu does.
 */
record ConvEpilogue(float[] scale, float[] bias, int channelBase, float[] residual, int residualBase, boolean relu) {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * scale, bias and residual may be null; scale and bias are dense vectors over the output
     * channels (offset 0), {@code firstChannel} is the block's first output channel.
     */
    static ConvEpilogue of(float[] scale, float[] bias, int firstChannel, DenseOperand residual, int residualBase,
                           boolean relu) {
        return new ConvEpilogue(scale, bias, firstChannel, residual == null ? null : residual.floats(), residualBase, relu);
    }

    /** Nothing to do: a plain convolution without bias. */
    boolean isIdentity() {
        return scale == null && bias == null && residual == null && !relu;
    }

    /** In place on rows i0..i1, columns j0..j1 of the block whose row o starts at {@code y[base + o*plane]}. */
    void rows(float[] y, int base, int plane, int i0, int i1, int j0, int j1) {
        if (isIdentity()) return;
        for (int o = i0; o < i1; o++) {
            segment(y, base + o * plane + j0, y, base + o * plane + j0, o, o * plane + j0, j1 - j0);
        }
    }

    /**
     * {@code dst[dstOff + i] = act(src[srcOff + i] * scale[channel] + bias[channel] + residual[residualBase + at + i])}
     * for i below len; {@code at} is the first element's place in the block (o*plane + j).
     */
    void segment(float[] src, int srcOff, float[] dst, int dstOff, int channel, int at, int len) {
        if (isIdentity()) {
            if (src != dst || srcOff != dstOff) System.arraycopy(src, srcOff, dst, dstOff, len);
            return;
        }
        float b = bias == null ? 0f : bias[channelBase + channel];
        float s = scale == null ? 1f : scale[channelBase + channel];
        int r = residualBase + at;
        int i = 0;
        if (Gemm.simd()) {
            FloatVector vb = FloatVector.broadcast(F, b), vs = FloatVector.broadcast(F, s);
            for (int bound = F.loopBound(len); i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, src, srcOff + i);
                v = scale == null ? v.add(vb) : v.fma(vs, vb);
                if (residual != null) v = v.add(FloatVector.fromArray(F, residual, r + i));
                if (relu) v = v.lanewise(VectorOperators.MAX, 0f);
                v.intoArray(dst, dstOff + i);
            }
        }
        for (; i < len; i++) {
            float v = scale == null ? src[srcOff + i] + b : Math.fma(src[srcOff + i], s, b);
            if (residual != null) v += residual[r + i];
            if (relu) v = Math.max(v, 0f);
            dst[dstOff + i] = v;
        }
    }
}
