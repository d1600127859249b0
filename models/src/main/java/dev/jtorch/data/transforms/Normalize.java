package dev.jtorch.data.transforms;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.Arrays;

/**
 * {@code transforms.Normalize(mean, std)}: {@code (x - mean[c]) / std[c]} per channel of a
 * {@code C x H x W} (or {@code ... x C x H x W}) float tensor. The ImageNet statistics that
 * torchvision's pretrained models expect are {@link #IMAGENET_MEAN} and {@link #IMAGENET_STD}.
 */
public final class Normalize implements Transform<Tensor, Tensor> {
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    private final double[] mean, std;
    private final Tensor meanT, stdT;

    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: mean and std need one value per channel, got " + mean.length + " and " + std.length);
        }
        for (double s : std) {
            if (s == 0) throw new IllegalArgumentException("std evaluated to zero after conversion to torch.float32, leading to division by zero.");
        }
        this.mean = mean.clone();
        this.std = std.clone();
        float[] m = new float[mean.length], s = new float[std.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) mean[i];
            s[i] = (float) std[i];
        }
        this.meanT = Torch.tensor(m, m.length, 1, 1);
        this.stdT = Torch.tensor(s, s.length, 1, 1);
    }

    /** The ImageNet normalisation of torchvision's pretrained weights. */
    public static Normalize imagenet() { return new Normalize(IMAGENET_MEAN, IMAGENET_STD); }

    @Override
    public Tensor apply(Tensor x) {
        if (x.dim() < 3) throw new IllegalArgumentException("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = " + Arrays.toString(x.shape()));
        int c = x.size(-3);
        if (c != mean.length && mean.length != 1) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means for an image of " + c + " channels");
        }
        return x.sub(meanT).div(stdT);
    }

    @Override
    public String toString() { return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")"; }
}
