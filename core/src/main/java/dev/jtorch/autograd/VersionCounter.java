package dev.jtorch.autograd;

/**
 * Counts in-place writes to a storage's elements. A tensor and all its views share one counter, so
 * writing through any of them invalidates values that autograd saved from the others.
 */
public final class VersionCounter {
    private int version;

    public int get() { return version; }

    public void bump() { version++; }
}
