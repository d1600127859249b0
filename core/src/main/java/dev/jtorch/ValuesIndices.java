package dev.jtorch;

/** The (values, indices) pair that {@code max(dim)}, {@code min(dim)} and friends return. */
public record ValuesIndices(Tensor values, Tensor indices) {}
