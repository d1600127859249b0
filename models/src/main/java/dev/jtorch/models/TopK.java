package dev.jtorch.models;

import java.util.Arrays;

/** The indices of the largest scores of a prediction, in {@code torch.topk}'s order. */
public final class TopK {
    private TopK() {}

    /**
     * The {@code k} largest of {@code scores[from .. from+n)}, as indices into that range, largest
     * first and the lower index first on ties (as {@code torch.topk}).
     */
    public static int[] indices(double[] scores, int from, int n, int k) {
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) order[j] = j;
        Arrays.sort(order, (a, b) -> scores[from + a] != scores[from + b]
                ? Double.compare(scores[from + b], scores[from + a]) : a - b);
        int[] out = new int[k];
        for (int j = 0; j < k; j++) out[j] = order[j];
        return out;
    }
}
