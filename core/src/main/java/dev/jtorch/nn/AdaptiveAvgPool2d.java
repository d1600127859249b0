package dev.jtorch.nn;

import dev.jtorch.Tensor;

/**
 * {@code nn.AdaptiveAvgPool2d(output_size)}: pools any H x W to the given size.
 * {@code new AdaptiveAvgPool2d(1)} prints {@code output_size=1}, {@code new AdaptiveAvgPool2d(1, 1)}
 * prints {@code output_size=(1, 1)}; a null entry keeps the input's size along that dim.
 */
public class AdaptiveAvgPool2d extends Module {
    private final Integer[] outputSize;
    private final boolean isTuple;

    public AdaptiveAvgPool2d(int outputSize) {
        this.outputSize = new Integer[]{outputSize, outputSize};
        this.isTuple = false;
    }

    /** (height, width); either may be null for "as the input". */
    public AdaptiveAvgPool2d(Integer height, Integer width) {
        this.outputSize = new Integer[]{height, width};
        this.isTuple = true;
    }

    /** The output size for an input of this shape (None entries resolved). */
    public int[] outputSize(int[] inputShape) { return Pool2d.resolveOutputSize(outputSize, inputShape); }

    @Override
    public Tensor forward(Tensor input) { return F.adaptiveAvgPool2d(input, outputSize(input.shape())); }

    @Override
    public String extraRepr() { return "output_size=" + Pool2d.outputSizeRepr(outputSize, isTuple); }
}
