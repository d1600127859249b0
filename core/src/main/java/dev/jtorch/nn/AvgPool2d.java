package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
 * divisor_override=None)}. A stride left out equals the kernel size; sizes print as they were given.
 *
 * {@snippet :
 * var pool = new AvgPool2d(2);                                       // AvgPool2d(kernel_size=2, stride=2, padding=0)
 * var p = AvgPool2d.builder(3).stride(2).padding(1).countIncludePad(false).build();
 * }
 */
public class AvgPool2d extends Module {
    public final IntOrTuple kernelSize, stride, padding;
    public final boolean ceilMode, countIncludePad;
    /** null: divide by the window size. */
    public final Integer divisorOverride;

    public AvgPool2d(int kernelSize) { this(builder(kernelSize)); }

    public AvgPool2d(int kernelSize, int stride) { this(builder(kernelSize).stride(stride)); }

    public AvgPool2d(int kernelSize, int stride, int padding) { this(builder(kernelSize).stride(stride).padding(padding)); }

    /** The general form; a null stride means the kernel size. */
    public AvgPool2d(IntOrTuple kernelSize, IntOrTuple stride, IntOrTuple padding, boolean ceilMode, boolean countIncludePad,
                     Integer divisorOverride) {
        this.kernelSize = kernelSize;
        this.stride = stride == null ? kernelSize : stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    private AvgPool2d(Builder b) { this(b.kernelSize, b.stride, b.padding, b.ceilMode, b.countIncludePad, b.divisorOverride); }

    public static Builder builder(int... kernelSize) { return new Builder(Pool2d.arg(kernelSize)); }

    /** PyTorch's keyword arguments; each size takes one int or a (height, width) pair. */
    public static final class Builder {
        private final IntOrTuple kernelSize;
        private IntOrTuple stride, padding = IntOrTuple.of(0);
        private boolean ceilMode, countIncludePad = true;
        private Integer divisorOverride;

        private Builder(IntOrTuple kernelSize) { this.kernelSize = kernelSize; }

        public Builder stride(int... s) { stride = Pool2d.arg(s); return this; }
        public Builder padding(int... p) { padding = Pool2d.arg(p); return this; }
        public Builder ceilMode(boolean c) { ceilMode = c; return this; }
        public Builder countIncludePad(boolean c) { countIncludePad = c; return this; }
        public Builder divisorOverride(Integer d) { divisorOverride = d; return this; }
        public AvgPool2d build() { return new AvgPool2d(this); }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.avgPool2d(input, kernelSize.expand(2, "kernel_size"), stride.expand(2, "stride"), padding.expand(2, "padding"),
                ceilMode, countIncludePad, divisorOverride);
    }

    @Override
    public String extraRepr() { return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding; }
}
