package dev.jtorch.data;

import dev.jtorch.Tensor;

/**
 * One labelled example, the {@code (input, target)} pair torchvision's datasets return.
 *
 * @param input  the transformed input (a CHW image tensor for the image datasets)
 * @param target the class index
 */
public record Sample(Tensor input, long target) {}
