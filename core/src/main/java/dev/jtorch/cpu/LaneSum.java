package dev.jtorch.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in one fixed order, a butterfly: lane i is added to lane i ^ h for
 * h = V/2, ..., 1, and lane 0 holds the result.
 *
 * <p>Why not {@code reduceLanes(ADD)}: its order of float additions is unspecified, and in practice
 * the C2 intrinsic adds in a tree while the interpreter's and C1's fallback adds lane by lane. The
 * same kernel then rounds differently before and after it is compiled, so two identical training
 * runs in one JVM differed from their first step (batch-2 BatchNorm made that 1% of the loss after
 * six steps). Lane-wise adds and rearranges are exactly specified, so this is the same in every tier.
 */
final class LaneSum {
    private LaneSum() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    private static final VectorShuffle<Float> X8 = swap(8), X4 = swap(4), X2 = swap(2), X1 = swap(1);

    private static VectorShuffle<Float> swap(int h) {
        return VectorShuffle.fromOp(F, i -> h < V ? i ^ h : i);
    }

    /** The lanes of {@code v} (of the preferred species) summed in a fixed order. */
    static float of(FloatVector v) {
        if (V > 8) v = v.add(v.rearrange(X8));
        if (V > 4) v = v.add(v.rearrange(X4));
        if (V > 2) v = v.add(v.rearrange(X2));
        if (V > 1) v = v.add(v.rearrange(X1));
        return v.lane(0);
    }
}
