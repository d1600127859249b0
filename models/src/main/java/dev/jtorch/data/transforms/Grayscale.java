package dev.jtorch.data.transforms;

import dev.jtorch.data.Image;

/**
 * {@code transforms.Grayscale(num_output_channels)}: PIL's luma ({@link Image#convert}) in one
 * channel, or repeated into three (what a model trained on RGB expects of a grey image).
 */
public final class Grayscale implements Transform<Image, Image> {
    private final int numOutputChannels;

    public Grayscale() { this(1); }

    public Grayscale(int numOutputChannels) {
        if (numOutputChannels != 1 && numOutputChannels != 3) {
            throw new IllegalArgumentException("num_output_channels should be either 1 or 3, got " + numOutputChannels);
        }
        this.numOutputChannels = numOutputChannels;
    }

    @Override
    public Image apply(Image img) {
        Image grey = img.convert(Image.Mode.L);
        return numOutputChannels == 3 ? grey.convert(Image.Mode.RGB) : grey;
    }

    @Override
    public String toString() { return "Grayscale(num_output_channels=" + numOutputChannels + ")"; }
}
