package dev.jtorch.data;

/**
 * {@code torch.utils.data.Dataset}: a map-style dataset, {@code len(ds)} and {@code ds[i]}.
 * Implementations used with a {@link DataLoader} that has workers must allow {@link #get} from
 * several threads at once (the datasets of this package do: they read immutable data).
 *
 * @param <T> what one sample is ({@link Sample} for labelled images)
 */
public interface Dataset<T> {
    /** The number of samples ({@code __len__}). */
    int size();

    /** Sample {@code index}, 0 &lt;= index &lt; size() ({@code __getitem__}). */
    T get(int index);

    /** The message PyTorch-style datasets give for an index out of range. */
    static IndexOutOfBoundsException indexError(int index, int size) {
        return new IndexOutOfBoundsException("index " + index + " is out of range for a dataset of " + size + " samples");
    }
}
