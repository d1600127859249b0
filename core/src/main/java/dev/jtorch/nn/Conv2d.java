package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;
import dev.jtorch.autograd.Autograd;
import dev.jtorch.ops.Convolution;

/**
 * {@code nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True, padding_mode='zeros')}. Weight {@code [out, in/groups, kH, kW]}, initialised as
 * PyTorch does (kaiming_uniform with a=sqrt(5), bias U(+-1/sqrt(fan_in))).
 *
 * {@snippet :
 * var conv1 = new Conv2d(3, 64, 7, 2, 3, false);            // Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
 * var same = Conv2d.builder(16, 16, 3).padding("same").dilation(2).build();
 * }
 */
public class Conv2d extends Module {
    public final int inChannels, outChannels, groups;
    private final int[] kernelSize, stride, padding, dilation;
    /** "same" or "valid" when padding was given as a string, else null. */
    private final String paddingString;
    /** The batch norm last folded after this convolution ({@link ConvBnFolding}); rebuilt when stale. */
    private volatile ConvBnFolding.BatchNormAffine folded;

    public Conv2d(int inChannels, int outChannels, int kernelSize) { this(builder(inChannels, outChannels, kernelSize)); }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride));
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding).bias(bias));
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding).dilation(dilation).groups(groups)
                .bias(bias));
    }

    /** Every setting as a (height, width) pair. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding).dilation(dilation).groups(groups)
                .bias(bias));
    }

    /** {@code padding="same"} or {@code "valid"}. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, String padding) {
        this(builder(inChannels, outChannels, kernelSize).padding(padding));
    }

    public static Builder builder(int inChannels, int outChannels, int... kernelSize) {
        return new Builder(inChannels, outChannels, kernelSize);
    }

    /** PyTorch's keyword arguments, each optional: {@code Conv2d.builder(3, 8, 3).stride(2).bias(false).build()}. */
    public static final class Builder {
        private final int inChannels, outChannels;
        private final int[] kernelSize;
        private int[] stride = {1}, padding = {0}, dilation = {1};
        private String paddingString;
        private int groups = 1;
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int[] kernelSize) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernelSize = kernelSize.clone();
        }

        public Builder stride(int... s) { stride = s.clone(); return this; }
        public Builder padding(int... p) { padding = p.clone(); paddingString = null; return this; }
        /** "same" (stride 1 only) or "valid". */
        public Builder padding(String p) { paddingString = p; return this; }
        public Builder dilation(int... d) { dilation = d.clone(); return this; }
        public Builder groups(int g) { groups = g; return this; }
        public Builder bias(boolean b) { bias = b; return this; }

        /** Only PyTorch's default, 'zeros', is supported. */
        public Builder paddingMode(String mode) {
            if (!mode.equals("zeros")) throw new UnsupportedOperationException("padding_mode='" + mode + "' is not supported, only 'zeros'");
            return this;
        }

        public Conv2d build() { return new Conv2d(this); }
    }

    private Conv2d(Builder b) {
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.groups = b.groups;
        this.kernelSize = pair(b.kernelSize, "kernel_size");
        this.stride = pair(b.stride, "stride");
        this.padding = b.paddingString == null ? pair(b.padding, "padding") : new int[]{0, 0};
        this.dilation = pair(b.dilation, "dilation");
        this.paddingString = b.paddingString;
        checkConvArgs(inChannels, outChannels, groups, paddingString, stride);
        Tensor w = registerParameter("weight", Torch.empty(outChannels, inChannels / groups, kernelSize[0], kernelSize[1]));
        Tensor bias = registerParameter("bias", b.bias ? Torch.empty(outChannels) : null);
        Init.defaultLinearInit(w, bias);
    }

    /** {@code _pair}: one int means the same value for height and width. */
    static int[] pair(int[] v, String name) {
        if (v.length == 1) return new int[]{v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException(name + " must be an int or a pair of ints, got " + v.length + " values");
    }

    static void checkConvArgs(int in, int out, int groups, String paddingString, int[] stride) {
        if (groups <= 0) throw new IllegalArgumentException("groups must be a positive integer");
        if (in % groups != 0) throw new IllegalArgumentException("in_channels must be divisible by groups");
        if (out % groups != 0) throw new IllegalArgumentException("out_channels must be divisible by groups");
        if (paddingString != null) {
            if (!paddingString.equals("same") && !paddingString.equals("valid")) {
                throw new IllegalArgumentException("Invalid padding string '" + paddingString + "', should be one of {'valid', 'same'}");
            }
            if (paddingString.equals("same") && (stride[0] != 1 || stride[1] != 1)) {
                throw new IllegalArgumentException("padding='same' is not supported for strided convolutions");
            }
        }
    }

    public int[] kernelSize() { return kernelSize.clone(); }
    public int[] stride() { return stride.clone(); }
    /** The numeric padding; (0, 0) when it was given as a string (see {@link #paddingString()}). */
    public int[] padding() { return padding.clone(); }
    public String paddingString() { return paddingString; }
    public int[] dilation() { return dilation.clone(); }

    /** {@code bn} after this convolution as a per-channel scale and shift, cached while its sources are unchanged. */
    ConvBnFolding.BatchNormAffine foldedWith(BatchNorm2d bn) {
        ConvBnFolding.BatchNormAffine f = folded;
        if (f == null || !f.isCurrent(this, bn)) {
            f = ConvBnFolding.BatchNormAffine.of(this, bn);
            folded = f;
        }
        return f;
    }

    /** Whether a forward has run folded with a batch norm (the tests ask). */
    boolean hasFoldedBatchNorm() {
        return folded != null;
    }

    /**
     * In eval mode, when nothing needs a gradient, the convolution runs in its inference form
     * ({@link Convolution#conv2dInference}), where the backend may use a faster algorithm with a
     * slightly larger rounding error (Winograd's for 3x3 kernels) and keep the weight transformed
     * between calls. Training mode always computes it directly, as PyTorch's CPU kernels do.
     */
    @Override
    public Tensor forward(Tensor input) {
        Tensor w = parameter("weight"), b = parameter("bias");
        if (!isTraining() && paddingString == null && input.dim() == 4 && !Autograd.needsGrad(input, w, b)) {
            return Convolution.conv2dInference(input, w, null, b, null, false, stride, padding, dilation, groups);
        }
        return paddingString != null
                ? F.conv2d(input, w, b, stride, paddingString, dilation, groups)
                : F.conv2d(input, w, b, stride, padding, dilation, groups);
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(IntOrTuple.pyTuple(kernelSize))
                .append(", stride=").append(IntOrTuple.pyTuple(stride));
        if (paddingString != null) s.append(", padding=").append(paddingString);
        else if (padding[0] != 0 || padding[1] != 0) s.append(", padding=").append(IntOrTuple.pyTuple(padding));
        if (dilation[0] != 1 || dilation[1] != 1) s.append(", dilation=").append(IntOrTuple.pyTuple(dilation));
        if (groups != 1) s.append(", groups=").append(groups);
        if (parameter("bias") == null) s.append(", bias=False");
        return s.toString();
    }
}
