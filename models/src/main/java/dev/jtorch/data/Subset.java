package dev.jtorch.data;

import dev.jtorch.Generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.utils.data.Subset}: the samples of {@code dataset} at {@code indices}, in that order.
 *
 * @param <T> the sample type
 */
public final class Subset<T> implements Dataset<T> {
    private final Dataset<T> dataset;
    private final int[] indices;

    public Subset(Dataset<T> dataset, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= dataset.size()) throw Dataset.indexError(i, dataset.size());
        }
        this.dataset = dataset;
        this.indices = indices.clone();
    }

    /** The first {@code n} samples (all of them when the dataset is smaller). */
    public static <T> Subset<T> first(Dataset<T> dataset, int n) {
        int[] idx = new int[Math.min(n, dataset.size())];
        Arrays.setAll(idx, i -> i);
        return new Subset<>(dataset, idx);
    }

    public Dataset<T> dataset() { return dataset; }

    public int[] indices() { return indices.clone(); }

    @Override
    public int size() { return indices.length; }

    @Override
    public T get(int index) {
        if (index < 0 || index >= indices.length) throw Dataset.indexError(index, indices.length);
        return dataset.get(indices[index]);
    }

    /**
     * {@code torch.utils.data.random_split} with lengths: a random permutation from {@code generator}
     * cut into consecutive pieces. The lengths must add up to the dataset's size.
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, Generator generator) {
        long total = 0;
        for (int n : lengths) {
            if (n < 0) throw new IllegalArgumentException("random_split: negative length " + n);
            total += n;
        }
        if (total != dataset.size()) {
            throw new IllegalArgumentException("Sum of input lengths does not equal the length of the input dataset! ("
                    + total + " vs " + dataset.size() + ")");
        }
        int[] perm = randperm(dataset.size(), generator);
        List<Subset<T>> out = new ArrayList<>(lengths.length);
        int at = 0;
        for (int n : lengths) {
            out.add(new Subset<>(dataset, Arrays.copyOfRange(perm, at, at + n)));
            at += n;
        }
        return out;
    }

    /**
     * {@code random_split} with fractions that add up to 1: each piece gets
     * {@code floor(size * fraction)} samples and the remainder is dealt one by one to the pieces
     * in order, as PyTorch does.
     */
    public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, double[] fractions, Generator generator) {
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("Fraction at index " + f + " is not between 0 and 1");
            sum += f;
        }
        if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("Sum of input fractions does not equal 1, got " + sum);
        int n = dataset.size();
        int[] lengths = new int[fractions.length];
        int assigned = 0;
        for (int i = 0; i < fractions.length; i++) {
            lengths[i] = (int) Math.floor(n * fractions[i]);
            assigned += lengths[i];
        }
        for (int i = 0; assigned < n; i = (i + 1) % lengths.length, assigned++) lengths[i]++;
        return randomSplit(dataset, lengths, generator);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates) drawn from {@code generator}. */
    static int[] randperm(int n, Generator generator) {
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = (int) generator.nextLong(0, i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
