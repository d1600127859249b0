package dev.jtorch.nn;

import dev.jtorch.Tensor;

/** A loss's {@code reduction} argument: {@code 'none'}, {@code 'mean'} (PyTorch's default) or {@code 'sum'}. */
public enum Reduction {
    NONE("none"), MEAN("mean"), SUM("sum");

    private final String pyName;

    Reduction(String pyName) { this.pyName = pyName; }

    /** The spelling PyTorch uses, e.g. {@code "mean"}. */
    public String pyName() { return pyName; }

    /** Parses PyTorch's spelling; anything else fails as PyTorch does. */
    public static Reduction of(String name) {
        for (Reduction r : values()) if (r.pyName.equals(name)) return r;
        throw new IllegalArgumentException(name + " is not a valid value for reduction");
    }

    /** Applies this reduction to per-element losses (MEAN divides by the element count). */
    Tensor apply(Tensor losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }
}
