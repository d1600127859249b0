package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.ValuesIndices;

/**
 * {@code nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)}.
 * A stride left out equals the kernel size. Each size is one int or a (height, width) pair and is
 * printed as it was given. With return_indices, {@link #forwardWithIndices} also gives the flat
 * index (within each H x W plane) of every maximum; {@link #forward} always returns the values.
 *
 * {@snippet :
 * var pool = new MaxPool2d(3, 2, 1);                      // MaxPool2d(kernel_size=3, stride=2, padding=1, ...)
 * var wide = MaxPool2d.builder(3, 2).stride(2, 1).ceilMode(true).build();
 * }
 */
public class MaxPool2d extends Module {
    public final IntOrTuple kernelSize, stride, padding, dilation;
    public final boolean returnIndices, ceilMode;

    public MaxPool2d(int kernelSize) { this(builder(kernelSize)); }

    public MaxPool2d(int kernelSize, int stride) { this(builder(kernelSize).stride(stride)); }

    public MaxPool2d(int kernelSize, int stride, int padding) { this(builder(kernelSize).stride(stride).padding(padding)); }

    public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean returnIndices, boolean ceilMode) {
        this(builder(kernelSize).stride(stride).padding(padding).dilation(dilation).returnIndices(returnIndices).ceilMode(ceilMode));
    }

    /** The general form; a null stride means the kernel size. */
    public MaxPool2d(IntOrTuple kernelSize, IntOrTuple stride, IntOrTuple padding, IntOrTuple dilation, boolean returnIndices,
                     boolean ceilMode) {
        this.kernelSize = kernelSize;
        this.stride = stride == null ? kernelSize : stride;
        this.padding = padding;
        this.dilation = dilation;
        this.returnIndices = returnIndices;
        this.ceilMode = ceilMode;
    }

    private MaxPool2d(Builder b) { this(b.kernelSize, b.stride, b.padding, b.dilation, b.returnIndices, b.ceilMode); }

    /** One value for a square kernel (printed as an int), two for (height, width) (printed as a tuple). */
    public static Builder builder(int... kernelSize) { return new Builder(Pool2d.arg(kernelSize)); }

    /** PyTorch's keyword arguments; each size takes one int or a (height, width) pair. */
    public static final class Builder {
        private final IntOrTuple kernelSize;
        private IntOrTuple stride, padding = IntOrTuple.of(0), dilation = IntOrTuple.of(1);
        private boolean returnIndices, ceilMode;

        private Builder(IntOrTuple kernelSize) { this.kernelSize = kernelSize; }

        public Builder stride(int... s) { stride = Pool2d.arg(s); return this; }
        public Builder padding(int... p) { padding = Pool2d.arg(p); return this; }
        public Builder dilation(int... d) { dilation = Pool2d.arg(d); return this; }
        public Builder returnIndices(boolean r) { returnIndices = r; return this; }
        public Builder ceilMode(boolean c) { ceilMode = c; return this; }
        public MaxPool2d build() { return new MaxPool2d(this); }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.maxPool2d(input, kernelSize.expand(2, "kernel_size"), stride.expand(2, "stride"), padding.expand(2, "padding"),
                dilation.expand(2, "dilation"), ceilMode);
    }

    /** The maxima and their indices ({@code return_indices=True}). */
    public ValuesIndices forwardWithIndices(Tensor input) {
        return F.maxPool2dWithIndices(input, kernelSize.expand(2, "kernel_size"), stride.expand(2, "stride"),
                padding.expand(2, "padding"), dilation.expand(2, "dilation"), ceilMode);
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
                + ", ceil_mode=" + py(ceilMode);
    }
}
