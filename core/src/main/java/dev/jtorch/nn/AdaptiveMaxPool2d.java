package dev.jtorch.nn;

import dev.jtorch.Tensor;
import dev.jtorch.ValuesIndices;

/**
 * {@code nn.AdaptiveMaxPool2d(output_size, return_indices=False)}: pools any H x W to the given size.
 * {@code new AdaptiveMaxPool2d(1)} prints {@code output_size=1}, {@code new AdaptiveMaxPool2d(1, 1)}
 * prints {@code output_size=(1, 1)}; a null entry keeps the input's size along that dim.
 */
public class AdaptiveMaxPool2d extends Module {
    private final Integer[] outputSize;
    private final boolean isTuple;
    public final boolean returnIndices;

    public AdaptiveMaxPool2d(int outputSize) { this(outputSize, false); }

    /** (height, width); either may be null for "as the input". */
    public AdaptiveMaxPool2d(Integer height, Integer width) { this(height, width, false); }

    public AdaptiveMaxPool2d(int outputSize, boolean returnIndices) {
        this.outputSize = new Integer[]{outputSize, outputSize};
        this.isTuple = false;
        this.returnIndices = returnIndices;
    }

    public AdaptiveMaxPool2d(Integer height, Integer width, boolean returnIndices) {
        this.outputSize = new Integer[]{height, width};
        this.isTuple = true;
        this.returnIndices = returnIndices;
    }

    /** The output size for an input of this shape (None entries resolved). */
    public int[] outputSize(int[] inputShape) { return Pool2d.resolveOutputSize(outputSize, inputShape); }

    @Override
    public Tensor forward(Tensor input) { return F.adaptiveMaxPool2d(input, outputSize(input.shape())); }

    /** The maxima and their flat indices within each H x W plane ({@code return_indices=True}). */
    public ValuesIndices forwardWithIndices(Tensor input) {
        return F.adaptiveMaxPool2dWithIndices(input, outputSize(input.shape()));
    }

    @Override
    public String extraRepr() { return "output_size=" + Pool2d.outputSizeRepr(outputSize, isTuple); }
}
