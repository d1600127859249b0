package dev.jtorch.data;

import dev.jtorch.Tensor;
import dev.jtorch.Torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.utils.data.TensorDataset}: sample {@code i} is {@code [t[i] for t in tensors]}, the
 * first-dimension slices (views) of tensors that all have the same first size.
 *
 * {@snippet :
 * var ds = new TensorDataset(x, y);                          // x: [N, 2], y: [N]
 * var loader = DataLoader.builder(ds, TensorDataset::collate).batchSize(32).build();
 * for (List<Tensor> b : loader) { Tensor xb = b.get(0), yb = b.get(1); }
 * }
 */
public final class TensorDataset implements Dataset<List<Tensor>> {
    private final List<Tensor> tensors;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("TensorDataset needs at least one tensor");
        for (Tensor t : tensors) {
            if (t.dim() == 0) throw new IllegalArgumentException("TensorDataset: a 0-dim tensor has no samples");
            if (t.size(0) != tensors[0].size(0)) {
                throw new IllegalArgumentException("Size mismatch between tensors: " + Arrays.toString(tensors[0].shape())
                        + " and " + Arrays.toString(t.shape()));
            }
        }
        this.tensors = List.of(tensors);
    }

    public List<Tensor> tensors() { return tensors; }

    @Override
    public int size() { return tensors.getFirst().size(0); }

    @Override
    public List<Tensor> get(int index) {
        if (index < 0 || index >= size()) throw Dataset.indexError(index, size());
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) out.add(t.get(index));
        return List.copyOf(out);
    }

    /** {@code default_collate} for tuples of tensors: stacks each position. */
    public static List<Tensor> collate(List<List<Tensor>> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("cannot collate an empty batch");
        int width = samples.getFirst().size();
        List<Tensor> out = new ArrayList<>(width);
        for (int k = 0; k < width; k++) {
            List<Tensor> column = new ArrayList<>(samples.size());
            for (List<Tensor> s : samples) column.add(s.get(k));
            out.add(Torch.stack(column));
        }
        return List.copyOf(out);
    }
}
