package dev.jtorch;

import java.util.Random;

/** Index permutations for the property tests that build permuted and transposed layouts. */
public final class Permutations {
    private Permutations() {}

    /** 0, 1, ..., n-1. */
    public static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }

    /** A uniformly random permutation of 0 .. n-1 (Fisher-Yates). */
    public static int[] permutation(int n, Random rnd) {
        int[] p = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
