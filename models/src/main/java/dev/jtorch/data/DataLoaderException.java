package dev.jtorch.data;

/**
 * A sample failed to load in a {@link DataLoader} worker thread; the cause is the worker's
 * exception, with its own stack trace. (PyTorch: {@code Caught ValueError in DataLoader worker
 * process 0.}) Loading without workers throws the dataset's exception itself, as PyTorch does.
 */
public final class DataLoaderException extends RuntimeException {
    private final int batch;

    DataLoaderException(int batch, Throwable cause) {
        super("Caught " + cause.getClass().getSimpleName() + " in DataLoader worker, loading batch " + batch
                + ": " + cause.getMessage(), cause);
        this.batch = batch;
    }

    /** The index (within the epoch) of the batch that failed. */
    public int batch() { return batch; }
}
