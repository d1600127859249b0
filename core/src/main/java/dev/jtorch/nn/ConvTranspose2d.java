package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.Arrays;

/**
 * {@code nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
 * groups=1, bias=True, dilation=1)}, the gradient of Conv2d with respect to its input. Weight
 * {@code [in, out/groups, kH, kW]}; initialised as PyTorch does.
 *
 * {@snippet :
 * var up = new ConvTranspose2d(64, 32, 2, 2);     // doubles height and width (U-Net's up-convolution)
 * var odd = ConvTranspose2d.builder(8, 4, 3).stride(2).padding(1).outputPadding(1).build();
 * }
 */
public class ConvTranspose2d extends Module {
    public final int inChannels, outChannels, groups;
    private final int[] kernelSize, stride, padding, outputPadding, dilation;

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
        this(builder(inChannels, outChannels, kernelSize));
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride));
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
    }

    /** PyTorch's positional order: stride, padding, output_padding, groups, bias, dilation. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
                           int groups, boolean bias, int dilation) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding)
                .groups(groups).bias(bias).dilation(dilation));
    }

    public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
                           int[] outputPadding, int groups, boolean bias, int[] dilation) {
        this(builder(inChannels, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding)
                .groups(groups).bias(bias).dilation(dilation));
    }

    public static Builder builder(int inChannels, int outChannels, int... kernelSize) {
        return new Builder(inChannels, outChannels, kernelSize);
    }

    /** PyTorch's keyword arguments, each optional. */
    public static final class Builder {
        private final int inChannels, outChannels;
        private final int[] kernelSize;
        private int[] stride = {1}, padding = {0}, outputPadding = {0}, dilation = {1};
        private int groups = 1;
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int[] kernelSize) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernelSize = kernelSize.clone();
        }

        public Builder stride(int... s) { stride = s.clone(); return this; }
        public Builder padding(int... p) { padding = p.clone(); return this; }
        public Builder outputPadding(int... p) { outputPadding = p.clone(); return this; }
        public Builder dilation(int... d) { dilation = d.clone(); return this; }
        public Builder groups(int g) { groups = g; return this; }
        public Builder bias(boolean b) { bias = b; return this; }

        public Builder paddingMode(String mode) {
            if (!mode.equals("zeros")) throw new IllegalArgumentException("Only `zeros` padding mode is supported for ConvTranspose2d");
            return this;
        }

        public ConvTranspose2d build() { return new ConvTranspose2d(this); }
    }

    private ConvTranspose2d(Builder b) {
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.groups = b.groups;
        this.kernelSize = Conv2d.pair(b.kernelSize, "kernel_size");
        this.stride = Conv2d.pair(b.stride, "stride");
        this.padding = Conv2d.pair(b.padding, "padding");
        this.outputPadding = Conv2d.pair(b.outputPadding, "output_padding");
        this.dilation = Conv2d.pair(b.dilation, "dilation");
        Conv2d.checkConvArgs(inChannels, outChannels, groups, null, stride);
        Tensor w = registerParameter("weight", Torch.empty(inChannels, outChannels / groups, kernelSize[0], kernelSize[1]));
        Tensor bias = registerParameter("bias", b.bias ? Torch.empty(outChannels) : null);
        Init.defaultLinearInit(w, bias);
    }

    public int[] kernelSize() { return kernelSize.clone(); }
    public int[] stride() { return stride.clone(); }
    public int[] padding() { return padding.clone(); }
    public int[] outputPadding() { return outputPadding.clone(); }
    public int[] dilation() { return dilation.clone(); }

    @Override
    public Tensor forward(Tensor input) { return run(input, outputPadding); }

    /**
     * {@code forward(input, output_size)}: picks the output padding that gives this spatial size
     * ({@code [H, W]}, or the full size with batch and channel dims) among the sizes a stride allows.
     */
    public Tensor forward(Tensor input, int[] outputSize) {
        return run(input, outputPaddingFor(input, outputSize));
    }

    private Tensor run(Tensor input, int[] outPad) {
        return F.convTranspose2d(input, parameter("weight"), parameter("bias"), stride, padding, outPad, groups, dilation);
    }

    private int[] outputPaddingFor(Tensor input, int[] outputSize) {
        if (outputSize == null) return outputPadding;
        int nonSpatial = input.dim() == 4 ? 2 : 1;
        int[] size = outputSize.length == nonSpatial + 2 ? Arrays.copyOfRange(outputSize, nonSpatial, outputSize.length) : outputSize;
        if (size.length != 2) {
            throw new IllegalArgumentException("ConvTranspose2D: for " + input.dim() + "D input, output_size must have 2 or "
                    + (nonSpatial + 2) + " elements (got " + outputSize.length + ")");
        }
        int[] min = new int[2], max = new int[2], res = new int[2];
        for (int d = 0; d < 2; d++) {
            min[d] = (input.size(d + nonSpatial) - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernelSize[d] - 1) + 1;
            max[d] = min[d] + stride[d] - 1;
        }
        for (int d = 0; d < 2; d++) {
            if (size[d] < min[d] || size[d] > max[d]) {
                int[] spatial = Arrays.copyOfRange(input.shape(), nonSpatial, input.dim());
                throw new IllegalArgumentException("requested an output size of " + Arrays.toString(size)
                        + ", but valid sizes range from " + Arrays.toString(min) + " to " + Arrays.toString(max)
                        + " (for an input of " + F.torchSize(spatial) + ")");
            }
            res[d] = size[d] - min[d];
        }
        return res;
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(IntOrTuple.pyTuple(kernelSize))
                .append(", stride=").append(IntOrTuple.pyTuple(stride));
        if (padding[0] != 0 || padding[1] != 0) s.append(", padding=").append(IntOrTuple.pyTuple(padding));
        if (dilation[0] != 1 || dilation[1] != 1) s.append(", dilation=").append(IntOrTuple.pyTuple(dilation));
        if (outputPadding[0] != 0 || outputPadding[1] != 0) {
            s.append(", output_padding=").append(IntOrTuple.pyTuple(outputPadding));
        }
        if (groups != 1) s.append(", groups=").append(groups);
        if (parameter("bias") == null) s.append(", bias=False");
        return s.toString();
    }
}
